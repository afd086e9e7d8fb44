package ui

import (
	"image"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"passdesk/app"
)

// scanScreen is what the front desk sees between visitors: the camera
// preview with a framing guide, the outage banner, the status bar and the
// buttons for manual entries and the manager's area.
type scanScreen struct {
	core          scanCore
	sc            app.Scanner // the camera, nil when there is none
	t             translate
	now           func() time.Time
	onSubmit      func(text string) // a keyboard-wedge scanner typed a code
	verdictUp     func() bool       // whether a verdict covers the screen
	onDismiss     func()            // Escape takes the verdict down
	onManualEntry func()            // staff asked for a manual entry
	onManager     func()            // a manager asked for their area

	preview   *canvas.Image
	lastFrame image.Image
	hint      *canvas.Text
	hintBox   *fyne.Container // the hint on a dark band, readable over any frame
	noCamera  *widget.Label
	guide     *framingGuide

	body        *fyne.Container // the banners over the preview
	view        *fyne.Container // the preview and its guide
	top         *fyne.Container // the banners, hidden when neither is up
	banner      *fyne.Container
	bannerText  *widget.Label
	bannerEntry *widget.Button
	full        *fyne.Container // nothing can be written: paper notes
	fullText    *widget.Label

	service  *widget.Label
	trust    *widget.Label
	clock    *widget.Label
	camera   *widget.Label
	pending  *widget.Label
	manual   *widget.Button
	managerB *widget.Button
	message  *widget.Label // a short confirmation ("recorded")

	typed     strings.Builder // keyboard-wedge characters since the last Enter
	lastTyped time.Time       // when the last of them came
}

// wedgePause is the longest gap between two characters of one scan: a
// keyboard-wedge scanner types a whole code in well under a second, so
// what was typed before a longer pause (a key pressed by accident at the
// desk) is not the start of the code that follows.
const wedgePause = 2 * time.Second

// maxWedge is the most bytes of typing held until Enter: more than the
// longest text any pass scheme accepts (pass.MaxTextLen, and 4296 for an
// EU certificate), so a text cut here is still refused as too long, and a
// key held down grows nothing without bound.
const maxWedge = 16 << 10

// build returns the screen's body (banner and preview, which a verdict
// covers) and its bottom bar (status and buttons, which stay in reach of
// staff while verdicts come one after another).
func (s *scanScreen) build() (body, bar fyne.CanvasObject) {
	t := s.t
	s.preview = canvas.NewImageFromImage(nil)
	s.preview.FillMode = canvas.ImageFillContain
	s.preview.ScaleMode = canvas.ImageScaleFastest
	s.hint = canvas.NewText(t("scan.hint"), color.White)
	s.hint.Alignment = fyne.TextAlignCenter
	s.hint.TextSize = 26
	s.hintBox = container.NewStack(canvas.NewRectangle(colorHintBack), container.NewPadded(s.hint))
	// With no camera the screen is plain: no framing guide to aim at, and
	// how to scan in large type.
	s.noCamera = widget.NewLabelWithStyle(t("scan.no_camera.none"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	s.noCamera.Wrapping = fyne.TextWrapWord
	s.noCamera.SizeName = theme.SizeNameHeadingText
	s.noCamera.Hide()
	noCam := container.NewThemeOverride(container.NewCenter(container.NewGridWrap(fyne.NewSize(720, 240), s.noCamera)), onDark{NewTheme()})
	back := canvas.NewRectangle(colorPreviewBack)
	s.guide = newFramingGuide()
	view := container.NewStack(back, s.preview, s.guide, container.NewBorder(container.NewPadded(container.NewCenter(s.hintBox)), nil, nil, nil), noCam)

	s.bannerText = widget.NewLabel("")
	s.bannerText.TextStyle.Bold = true
	s.bannerText.Wrapping = fyne.TextWrapWord
	s.bannerEntry = &widget.Button{Text: t("scan.record_manual"), Icon: theme.DocumentCreateIcon(), Importance: widget.HighImportance, OnTapped: s.onManualEntry}
	bannerBack := canvas.NewRectangle(colorOutage)
	s.banner = container.NewStack(bannerBack, container.NewPadded(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), s.bannerEntry, s.bannerText)))
	s.banner.Hide()
	s.fullText = widget.NewLabel("")
	s.fullText.TextStyle.Bold = true
	s.fullText.Wrapping = fyne.TextWrapWord
	s.full = container.NewStack(canvas.NewRectangle(colorNotRecorded), container.NewPadded(container.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()), nil, s.fullText)))
	s.full.Hide()

	s.service = widget.NewLabel("")
	s.trust = widget.NewLabel("")
	s.clock = widget.NewLabel("")
	s.camera = widget.NewLabel("")
	s.pending = widget.NewLabel("")
	s.manual = &widget.Button{Text: t("scan.manual"), Icon: theme.DocumentCreateIcon(), OnTapped: s.onManualEntry}
	s.managerB = &widget.Button{Text: t("scan.manager"), Icon: theme.SettingsIcon(), OnTapped: s.onManager}
	status := container.NewHBox(s.service, s.trust, s.clock, s.camera, s.pending)
	s.message = widget.NewLabel("")
	s.message.Importance = widget.SuccessImportance
	s.message.TextStyle.Bold = true
	s.message.Hide()
	bottom := container.NewBorder(nil, nil, nil, container.NewHBox(s.message, s.manual, s.managerB), container.NewHScroll(status))
	s.view = view
	s.top = container.NewVBox(s.full, s.banner)
	s.top.Hide()
	s.body = container.NewBorder(s.top, nil, nil, nil, view)
	return s.body, container.NewPadded(bottom)
}

// listenKeys routes typed characters to the keyboard-wedge reader: USB QR
// scanners type the code and press Enter.
func (s *scanScreen) listenKeys(c fyne.Canvas) {
	c.SetOnTypedRune(func(r rune) {
		now := s.now()
		if s.typed.Len() > 0 && now.Sub(s.lastTyped) > wedgePause {
			s.typed.Reset()
		}
		s.lastTyped = now
		if s.typed.Len() < maxWedge {
			s.typed.WriteRune(r)
		}
	})
	c.SetOnTypedKey(func(e *fyne.KeyEvent) {
		switch e.Name {
		case fyne.KeyReturn, fyne.KeyEnter:
			text := s.typed.String()
			s.typed.Reset()
			if strings.TrimSpace(text) != "" {
				s.onSubmit(text)
			}
		case fyne.KeyEscape:
			s.typed.Reset()
			if s.verdictUp() {
				s.onDismiss()
			}
		case fyne.KeyBackspace:
			rs := []rune(s.typed.String())
			s.typed.Reset()
			if len(rs) > 0 {
				s.typed.WriteString(string(rs[:len(rs)-1]))
			}
		}
	})
}

// refreshPreview shows the newest camera frame, if it changed; the kiosk
// calls it while the scan screen shows without a verdict over it.
func (s *scanScreen) refreshPreview() {
	if s.sc == nil {
		return
	}
	img := s.sc.Preview()
	if img == nil || img == s.lastFrame {
		return
	}
	s.lastFrame = img
	s.preview.Image = img
	s.preview.Refresh()
}

// showStatus fills the status bar and the banners from st.
func (s *scanScreen) showStatus(st app.Status) {
	t := s.t
	now := s.now()
	bannerWas, fullWas := s.banner.Visible(), s.full.Visible()
	defer func() {
		// A banner that comes or goes changes the layout: without this the
		// strip it took stays blank until the next full redraw.
		if s.banner.Visible() != bannerWas || s.full.Visible() != fullWas {
			if s.banner.Visible() || s.full.Visible() {
				s.top.Show()
			} else {
				s.top.Hide()
			}
			s.body.Refresh()
		}
	}()
	s.showUnrecorded(st.Unrecorded)
	s.showService(st)
	s.showTrust(st, now)
	s.showClock(st, now)
	s.showCamera(st)

	// With no service there is no register to upload to yet.
	if st.Pending > 0 && s.core.Config().ServerURL != "" {
		s.pending.SetText(t("status.pending", st.Pending))
		s.pending.Show()
	} else {
		s.pending.Hide()
	}
}

// showService says whether the service answers, with the outage banner.
func (s *scanScreen) showService(st app.Status) {
	t := s.t
	if st.Online {
		s.service.SetText(t("status.online"))
		s.service.Importance = widget.SuccessImportance
		s.banner.Hide()
	} else {
		since := t("status.offline")
		banner := t("banner.offline")
		if s.core.Config().ServerURL == "" {
			banner = t("banner.no_service") // nothing to reach: not an outage
		}
		if !st.OutageSince.IsZero() {
			since = t("status.outage_since", st.OutageSince.Local().Format("15:04"))
			banner = t("banner.outage", st.OutageSince.Local().Format("15:04"))
		}
		s.service.SetText(since)
		s.service.Importance = widget.DangerImportance
		s.bannerText.SetText(banner)
		s.banner.Show()
	}
	s.service.Refresh()
}

// showTrust says how old the trust list is, with a banner when none holds.
func (s *scanScreen) showTrust(st app.Status, now time.Time) {
	t := s.t
	// Without a trust list that holds, every pass is refused whatever the
	// service does: say so, and what staff can do, before anything else.
	if st.TrustListAt.IsZero() {
		s.bannerText.SetText(t("banner.no_trust"))
		s.banner.Show()
	} else if st.TrustListStale {
		s.bannerText.SetText(t("banner.trust_stale", st.TrustListAt.Local().Format("01-02 15:04")))
		s.banner.Show()
	}

	switch {
	case st.TrustListAt.IsZero():
		s.trust.SetText(t("status.trust_none"))
		s.trust.Importance = widget.DangerImportance
	case st.TrustListStale:
		s.trust.SetText(t("status.trust_stale", age(s.t, now.Sub(st.TrustListAt))))
		s.trust.Importance = widget.DangerImportance
	case st.RevocationsStale:
		s.trust.SetText(t("status.revocations_stale", age(s.t, now.Sub(st.TrustListAt))))
		s.trust.Importance = widget.WarningImportance
	default:
		s.trust.SetText(t("status.trust_age", age(s.t, now.Sub(st.TrustListAt))))
		s.trust.Importance = widget.MediumImportance
	}
	s.trust.Refresh()
}

// showClock warns when the kiosk's clock cannot be trusted.
func (s *scanScreen) showClock(st app.Status, now time.Time) {
	t := s.t
	if st.ClockBehind {
		s.clock.SetText(t("status.clock_behind", now.Local().Format(time.DateTime), st.TrustedTime.Local().Format(time.DateTime)))
		s.clock.Importance = widget.DangerImportance
		s.clock.Show()
	} else if st.ClockWarning {
		off := st.ClockOffset.Round(time.Second)
		if off < 0 {
			off = -off
		}
		s.clock.SetText(t("status.clock_off", off.String()))
		s.clock.Importance = widget.DangerImportance
		s.clock.Show()
	} else {
		s.clock.Hide()
	}
	s.clock.Refresh()
}

// showCamera says what the camera is doing, over the preview when it fails.
func (s *scanScreen) showCamera(st app.Status) {
	t := s.t
	cam := st.Camera
	if s.sc != nil {
		cam = s.sc.State()
	}
	s.camera.SetText(t("camera." + string(cameraOr(cam))))
	s.camera.Importance = widget.MediumImportance
	if cam != app.CameraOK {
		s.camera.Importance = widget.WarningImportance
	}
	s.camera.Refresh()
	if cam == app.CameraOK {
		s.noCamera.Hide()
		s.guide.Show()
		s.hintBox.Show()
	} else {
		s.noCamera.SetText(t("scan.no_camera." + string(cameraOr(cam))))
		s.noCamera.Show()
		s.guide.Hide()
		s.hintBox.Hide()
	}
}

// showUnrecorded puts up, while nothing can be written, what staff can
// still do: sign in (it only reads), take paper notes of what to write
// down, and know how many scans were not recorded.
func (s *scanScreen) showUnrecorded(u app.Unrecorded) {
	if u.Since.IsZero() {
		s.full.Hide()
		return
	}
	s.fullText.SetText(s.t("banner.full", u.Since.Local().Format("15:04"), u.Entries))
	s.full.Show()
}

func cameraOr(c app.CameraState) app.CameraState {
	if c == "" {
		return app.CameraNone
	}
	return c
}

// age says how old something is in the largest whole unit.
func age(t translate, d time.Duration) string {
	switch {
	case d < 0:
		return t("age.minutes", 0)
	case d < time.Hour:
		return t("age.minutes", int(d/time.Minute))
	case d < 48*time.Hour:
		return t("age.hours", int(d/time.Hour))
	}
	return t("age.days", int(d/(24*time.Hour)))
}

// framingGuide draws corner brackets around the square where the visitor
// should hold the QR code.
type framingGuide struct {
	widget.BaseWidget
}

func newFramingGuide() *framingGuide {
	g := &framingGuide{}
	g.ExtendBaseWidget(g)
	return g
}

func (g *framingGuide) CreateRenderer() fyne.WidgetRenderer {
	r := &guideRenderer{}
	for i := range r.bars {
		r.bars[i] = canvas.NewRectangle(colorGuide)
	}
	return r
}

type guideRenderer struct {
	bars [8]*canvas.Rectangle
}

func (r *guideRenderer) Layout(size fyne.Size) {
	side := fyne.Min(size.Width, size.Height) * 0.6
	x0, y0 := (size.Width-side)/2, (size.Height-side)/2
	arm, thick := side*0.18, fyne.Max(4, side*0.02)
	corners := [4][2]float32{{x0, y0}, {x0 + side, y0}, {x0, y0 + side}, {x0 + side, y0 + side}}
	for i, c := range corners {
		dx, dy := float32(1), float32(1)
		if i%2 == 1 {
			dx = -1
		}
		if i >= 2 {
			dy = -1
		}
		h, v := r.bars[2*i], r.bars[2*i+1]
		hx := c[0]
		if dx < 0 {
			hx -= arm
		}
		hy := c[1]
		if dy < 0 {
			hy -= thick
		}
		h.Move(fyne.NewPos(hx, hy))
		h.Resize(fyne.NewSize(arm, thick))
		vx := c[0]
		if dx < 0 {
			vx -= thick
		}
		vy := c[1]
		if dy < 0 {
			vy -= arm
		}
		v.Move(fyne.NewPos(vx, vy))
		v.Resize(fyne.NewSize(thick, arm))
	}
}

func (r *guideRenderer) MinSize() fyne.Size { return fyne.NewSize(0, 0) }

func (r *guideRenderer) Refresh() {}

func (r *guideRenderer) Objects() []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, len(r.bars))
	for i, b := range r.bars {
		objs[i] = b
	}
	return objs
}

func (r *guideRenderer) Destroy() {}
