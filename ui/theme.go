package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"passdesk/assets"
)

// Verdict colours: strong enough to read from across a lobby, each paired
// with an icon and words so colour is never the only signal.
var (
	colorAdmit       = color.NRGBA{0x1b, 0x7f, 0x3b, 0xff}
	colorDeny        = color.NRGBA{0xb3, 0x26, 0x1e, 0xff}
	colorDuplicate   = color.NRGBA{0x15, 0x65, 0xc0, 0xff}
	colorNotRecorded = color.NRGBA{0xa8, 0x5c, 0x00, 0xff}
	colorOutage      = color.NRGBA{0xfd, 0xe6, 0xa8, 0xff}
	colorManualRow   = color.NRGBA{0xff, 0xf1, 0xc2, 0xff}
	colorBar         = color.NRGBA{0x0d, 0x4f, 0x5c, 0xff}
	colorGuide       = color.NRGBA{0xff, 0xc4, 0x00, 0xff} // amber: seen on a dark room and on a white phone screen
	colorHintBack    = color.NRGBA{0x00, 0x00, 0x00, 0xa0}
	colorPreviewBack = color.NRGBA{0x20, 0x24, 0x28, 0xff}
)

// Theme is fyne's default theme with the embedded NanumSquare font, which
// covers Hangul (fyne's own font does not), a light variant and the larger
// text a kiosk read at arm's length needs.
type Theme struct {
	fyne.Theme
	font fyne.Resource
}

// NewTheme returns the PassDesk theme.
func NewTheme() *Theme {
	return &Theme{
		Theme: theme.DefaultTheme(),
		font:  fyne.NewStaticResource("NanumSquareR.ttf", assets.NanumSquareR),
	}
}

// Font returns NanumSquare for every style: one face that has every Hangul
// syllable beats a bold or monospace face that shows boxes.
func (t *Theme) Font(fyne.TextStyle) fyne.Resource { return t.font }

// Color always uses the light variant: a kiosk looks the same whatever the
// desktop it runs on prefers.
func (t *Theme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNamePrimary:
		return colorBar
	case theme.ColorNameSuccess:
		return colorAdmit // the default bright green is hard to read on white
	case theme.ColorNameWarning:
		return colorNotRecorded
	case theme.ColorNameError:
		return colorDeny
	}
	return t.Theme.Color(n, theme.VariantLight)
}

// Size enlarges text and the padding around it.
func (t *Theme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 17
	case theme.SizeNameHeadingText:
		return 28
	case theme.SizeNameSubHeadingText:
		return 21
	case theme.SizeNameCaptionText:
		return 14
	case theme.SizeNameInputBorder:
		return 2
	}
	return t.Theme.Size(n)
}

// heading is a section title: a larger size, since the one font has no
// bold face.
func heading(text string, align fyne.TextAlign) *widget.Label {
	l := widget.NewLabelWithStyle(text, align, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// maxWidthLayout keeps its objects no wider than max, centred, so forms
// stay readable on a wide screen.
type maxWidthLayout struct{ max float32 }

func (l maxWidthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := fyne.Min(size.Width, l.max)
	for _, o := range objs {
		o.Move(fyne.NewPos((size.Width-w)/2, 0))
		o.Resize(fyne.NewSize(w, size.Height))
	}
}

func (l maxWidthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}

// narrow wraps o in a maxWidthLayout.
func narrow(max float32, o fyne.CanvasObject) fyne.CanvasObject {
	return container.New(maxWidthLayout{max}, o)
}

// onDark is the theme for words drawn straight on the dark preview: light
// text, readable from across the counter.
type onDark struct{ *Theme }

func (t onDark) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNameForeground {
		return color.NRGBA{0xf2, 0xf2, 0xf2, 0xff}
	}
	return t.Theme.Color(n, v)
}
