package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"passdesk/app"
	"passdesk/pass"
)

// texts collects every label and text on the topmost overlay.
func texts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			out = append(out, w.Text)
		case *canvas.Text:
			out = append(out, w.Text)
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case fyne.Widget:
			r := test.WidgetRenderer(w)
			for _, c := range r.Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

func TestServiceDisagreesAlert(t *testing.T) {
	for lang, want := range map[string][]string{
		English: {"The service answered admit for a pass this kiosk refused", "This QR code was not made by the phone"},
		Korean:  {"이 키오스크가 거부한 출입증을 서비스가 입장 가능이라고 답했습니다", "출입증 주인의 휴대폰에서 만든 QR 코드가 아닙니다"},
	} {
		t.Run(lang, func(t *testing.T) {
			r := newRig(t, lang, nil)
			r.k.showAlert(app.Result{Alert: true, Recorded: true,
				Verdict: pass.Verdict{Reason: pass.ServiceDisagrees},
				Entry:   app.Entry{Name: "홍*동", Time: epoch, Outcome: app.Deny, Reason: string(pass.BadHolderSignature)}})
			top := r.win.Canvas().Overlays().Top()
			if top == nil {
				t.Fatal("no alert on screen")
			}
			all := strings.Join(texts(top), "\n")
			for _, w := range want {
				if !strings.Contains(all, w) {
					t.Errorf("alert lacks %q:\n%s", w, all)
				}
			}
		})
	}
}
