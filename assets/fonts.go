// Package assets holds PassDesk's embedded fonts, icons, sounds and translations.
package assets

import _ "embed"

// NanumSquareR is the NanumSquare Regular TrueType font (SIL Open Font
// License 1.1, see fonts/OFL-NanumSquare.txt), used wherever PassDesk must
// render Hangul itself: the kiosk window and the ledger's PDF reports.
//
//go:embed fonts/NanumSquareR.ttf
var NanumSquareR []byte
