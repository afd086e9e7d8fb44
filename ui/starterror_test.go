package ui_test

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"passdesk/app"
	"passdesk/ui"
)

func TestStartErrorInWords(t *testing.T) {
	raw := errors.New("ledger: storage: checking the ledger file: attempt to write a readonly database")
	for _, c := range []struct {
		name, lang string
		problem    app.StartProblem
		kiosk      bool
		want       string
	}{
		{"read-only in Korean", ui.Korean, app.StartNotWritable, true, "읽기 전용"},
		{"read-only in English", ui.English, app.StartNotWritable, false, "read-only"},
		{"junk config", ui.English, app.StartConfig, true, "configuration file cannot be read"},
		{"junk config in Korean", ui.Korean, app.StartConfig, false, "설정 파일을 읽을 수 없습니다"},
		{"disk full", ui.Korean, app.StartDiskFull, true, "디스크가 가득"},
		{"already running", ui.English, app.StartRunning, true, "already running"},
		{"already running in Korean", ui.Korean, app.StartRunning, false, "이미 실행 중"},
		{"unknown problem", ui.English, "new_problem", false, "Something stopped"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := test.NewTempApp(t)
			w := a.NewWindow("")
			retried, quit := 0, 0
			s, err := ui.ShowStartError(w, &app.StartError{Problem: c.problem, Err: raw}, ui.StartErrorOptions{
				KioskMode: c.kiosk, Language: c.lang, Retry: func() { retried++ }, Quit: func() { quit++ },
			})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(s.What.Text, c.want) {
				t.Errorf("what %q, want %q", s.What.Text, c.want)
			}
			if strings.Contains(s.What.Text+s.Todo.Text, "readonly database") {
				t.Error("the raw error is the message")
			}
			if !strings.Contains(s.Detail.Text, "readonly database") {
				t.Errorf("detail for IT %q lacks the error", s.Detail.Text)
			}
			if s.Quit.Visible() == c.kiosk || s.KioskNote.Visible() != c.kiosk {
				t.Errorf("kiosk mode %v: Quit shown %v, note shown %v", c.kiosk, s.Quit.Visible(), s.KioskNote.Visible())
			}
			test.Tap(s.Retry)
			if retried != 1 {
				t.Error("Retry did nothing")
			}
		})
	}
}
