package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"passdesk/app"
)

// managerScreen is the manager's area: the day's review, settings, and
// staff and PINs, behind a manager PIN.
type managerScreen struct {
	win       fyne.Window
	t         translate
	kioskMode bool   // full screen can be entered again after leaving it
	onBack    func() // back to the scan screen
	onQuit    func() // end the program
	by        app.Person
	review    *reviewTab
	settings  *settingsTab
	staff     *staffTab

	tabs    *container.AppTabs
	back    *widget.Button
	leave   *widget.Button
	enter   *widget.Button // back to full screen, after leaving it
	quit    *widget.Button
	message *widget.Label // a short confirmation ("saved")
}

func (m *managerScreen) build() fyne.CanvasObject {
	t := m.t
	m.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(t("manager.review"), theme.HistoryIcon(), m.review.build()),
		container.NewTabItemWithIcon(t("manager.settings"), theme.SettingsIcon(), m.settings.build()),
		container.NewTabItemWithIcon(t("manager.staff"), theme.AccountIcon(), m.staff.build()),
	)
	m.back = &widget.Button{Text: t("manager.back"), Icon: theme.NavigateBackIcon(), Importance: widget.HighImportance, OnTapped: m.onBack}
	m.leave = &widget.Button{Text: t("manager.leave_fullscreen"), Icon: theme.ViewRestoreIcon(), OnTapped: m.onLeaveFullScreen}
	m.enter = &widget.Button{Text: t("manager.enter_fullscreen"), Icon: theme.ViewFullScreenIcon(), OnTapped: m.onEnterFullScreen}
	m.showFullScreenButtons()
	m.quit = &widget.Button{Text: t("manager.quit"), Icon: theme.LogoutIcon(), Importance: widget.DangerImportance, OnTapped: m.onQuitTapped}
	who := widget.NewLabel(t("manager.signed_in", m.by.Name))
	who.TextStyle.Bold = true
	m.message = widget.NewLabel("")
	m.message.Importance = widget.SuccessImportance
	m.message.TextStyle.Bold = true
	m.message.Truncation = fyne.TextTruncateEllipsis
	m.message.Hide()
	top := container.NewBorder(nil, nil, m.back, container.NewHBox(m.leave, m.enter, m.quit), container.NewCenter(who))
	m.review.load()
	m.staff.load()
	return container.NewPadded(container.NewBorder(top, m.message, nil, nil, m.tabs))
}

func (m *managerScreen) onLeaveFullScreen() {
	m.win.SetFullScreen(false)
	m.showFullScreenButtons()
}

// onEnterFullScreen goes back to kiosk mode without a restart.
func (m *managerScreen) onEnterFullScreen() {
	m.win.SetFullScreen(true)
	m.showFullScreenButtons()
}

// showFullScreenButtons offers leaving full screen while in it and, in
// kiosk mode, going back to it once left.
func (m *managerScreen) showFullScreenButtons() {
	if m.win.FullScreen() {
		m.leave.Show()
		m.enter.Hide()
		return
	}
	m.leave.Hide()
	if m.kioskMode {
		m.enter.Show()
	} else {
		m.enter.Hide()
	}
}

func (m *managerScreen) onQuitTapped() {
	dialog.ShowConfirm(m.t("manager.quit"), m.t("manager.quit_confirm"), func(ok bool) {
		if ok {
			m.onQuit()
		}
	}, m.win)
}
