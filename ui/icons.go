package ui

import "fyne.io/fyne/v2"

// The verdict icons: white on the verdict colour, drawn as SVG so they stay
// sharp at any screen size.
var (
	iconAdmit = fyne.NewStaticResource("admit.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
<circle cx="50" cy="50" r="44" fill="none" stroke="#ffffff" stroke-width="8"/>
<path d="M28 52 L44 67 L73 35" fill="none" stroke="#ffffff" stroke-width="10" stroke-linecap="round" stroke-linejoin="round"/>
</svg>`))
	iconDeny = fyne.NewStaticResource("deny.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
<circle cx="50" cy="50" r="44" fill="none" stroke="#ffffff" stroke-width="8"/>
<path d="M33 33 L67 67 M67 33 L33 67" fill="none" stroke="#ffffff" stroke-width="10" stroke-linecap="round"/>
</svg>`))
	iconDuplicate = fyne.NewStaticResource("duplicate.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
<circle cx="50" cy="50" r="44" fill="none" stroke="#ffffff" stroke-width="8"/>
<path d="M22 52 L34 64 L58 38 M46 60 L50 64 L76 38" fill="none" stroke="#ffffff" stroke-width="8" stroke-linecap="round" stroke-linejoin="round"/>
</svg>`))
	iconWarning = fyne.NewStaticResource("warning.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
<path d="M50 8 L94 88 L6 88 Z" fill="none" stroke="#ffffff" stroke-width="8" stroke-linejoin="round"/>
<path d="M50 36 L50 62" stroke="#ffffff" stroke-width="10" stroke-linecap="round"/>
<circle cx="50" cy="76" r="6" fill="#ffffff"/>
</svg>`))
)

func verdictIcon(k verdictKind) fyne.Resource {
	switch k {
	case kindAdmit:
		return iconAdmit
	case kindDuplicate:
		return iconDuplicate
	case kindNotRecorded:
		return iconWarning
	}
	return iconDeny
}
