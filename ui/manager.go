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
	k  *Kiosk
	by app.Person

	tabs     *container.AppTabs
	review   *reviewTab
	settings *settingsTab
	staff    *staffTab
	back     *widget.Button
	leave    *widget.Button
	enter    *widget.Button // back to full screen, after leaving it
	quit     *widget.Button
	message  *widget.Label // a short confirmation ("saved")
}

func newManagerScreen(k *Kiosk, by app.Person) *managerScreen {
	return &managerScreen{k: k, by: by}
}

// showManager opens the manager's area for by.
func (k *Kiosk) showManager(by app.Person) {
	if k.stopVerdict != nil {
		k.clearVerdict()
	}
	k.screen = screenManager
	if k.sc != nil {
		k.sc.Pause(true) // nobody would see a verdict behind the manager's area
	}
	k.manager = newManagerScreen(k, by)
	c := k.win.Canvas()
	c.SetOnTypedRune(nil)
	c.SetOnTypedKey(nil)
	k.win.SetContent(k.manager.build())
}

func (m *managerScreen) build() fyne.CanvasObject {
	t := m.k.t
	m.review = m.k.newReviewTab(m.by)
	m.settings = m.k.newSettingsTab(m.by)
	m.staff = m.k.newStaffTab(m.by)
	m.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(t("manager.review"), theme.HistoryIcon(), m.review.build()),
		container.NewTabItemWithIcon(t("manager.settings"), theme.SettingsIcon(), m.settings.build()),
		container.NewTabItemWithIcon(t("manager.staff"), theme.AccountIcon(), m.staff.build()),
	)
	m.back = &widget.Button{Text: t("manager.back"), Icon: theme.NavigateBackIcon(), Importance: widget.HighImportance, OnTapped: m.onBack}
	m.leave = &widget.Button{Text: t("manager.leave_fullscreen"), Icon: theme.ViewRestoreIcon(), OnTapped: m.onLeaveFullScreen}
	m.enter = &widget.Button{Text: t("manager.enter_fullscreen"), Icon: theme.ViewFullScreenIcon(), OnTapped: m.onEnterFullScreen}
	m.showFullScreenButtons()
	m.quit = &widget.Button{Text: t("manager.quit"), Icon: theme.LogoutIcon(), Importance: widget.DangerImportance, OnTapped: m.onQuit}
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

func (m *managerScreen) onBack() { m.k.showScan() }

func (m *managerScreen) onLeaveFullScreen() {
	m.k.win.SetFullScreen(false)
	m.showFullScreenButtons()
}

// onEnterFullScreen goes back to kiosk mode without a restart.
func (m *managerScreen) onEnterFullScreen() {
	m.k.win.SetFullScreen(true)
	m.showFullScreenButtons()
}

// showFullScreenButtons offers leaving full screen while in it and, in
// kiosk mode, going back to it once left.
func (m *managerScreen) showFullScreenButtons() {
	if m.k.win.FullScreen() {
		m.leave.Show()
		m.enter.Hide()
		return
	}
	m.leave.Hide()
	if m.k.o.KioskMode {
		m.enter.Show()
	} else {
		m.enter.Hide()
	}
}

func (m *managerScreen) onQuit() {
	dialog.ShowConfirm(m.k.t("manager.quit"), m.k.t("manager.quit_confirm"), func(ok bool) {
		if ok {
			m.k.o.Quit()
		}
	}, m.k.win)
}
