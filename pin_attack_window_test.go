package main

import (
	"context"
	"database/sql"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

// The PIN delay of app/pinguard.go as the built kiosk applies it: three
// free wrong PINs, then a 30 s wait before the next try.
const (
	attackFreeTries = 3
	attackFirstWait = 30 * time.Second
)

// TestPINAttackWindow is issue 12's attack 5 against the built kiosk under
// Xvfb: a staff member alternates wrong guesses at the manager's keypad
// with their own correct PIN at the manual-entry keypad, which once reset
// the failure count every time. Now the manager keypad must refuse tries
// after the free ones (the Sign in button greyed, the correct manager PIN
// typed anyway not opening the manager's area), the staff successes in
// between must not have cleared its failures, staff must still record a
// manual entry while it waits, and once the wait is over the manager gets
// in with the same keystrokes. The ledger's audit trail then shows the
// same from the kiosk's side.
func TestPINAttackWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it under Xvfb")
	}
	needTools(t, "Xvfb", "import", "xdotool")
	start := time.Now()
	dir := t.TempDir()
	bin := buildPassdesk(t)

	t.Logf("built in %v", time.Since(start).Round(100*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const width, height = 1024, 768
	display := startXvfb(t, ctx, fmt.Sprintf("%dx%dx24", width, height))
	env := append(withoutLocale(os.Environ()), "DISPLAY="+display, "LANG=C.UTF-8")
	data := filepath.Join(dir, "data")
	klog, stop := startKiosk(t, ctx, bin, dir, env, "--camera", "none", "--lang", "en")

	d := &desk{t: t, ctx: ctx, env: env, display: display, shot: filepath.Join(dir, "shot.png"), klog: klog}
	d.look("the full-screen scan screen", 60*time.Second, func(s deskScreen) bool { return s.dark > 0.5 })
	t.Logf("kiosk up at %v", time.Since(start).Round(100*time.Millisecond))

	// Buttons of the bottom bar of the full screen.
	openManager := func() { d.click(image.Pt(width-60, height-23)) }
	openManual := func() { d.click(image.Pt(width-187, height-23)) }
	keypadUp := func(s deskScreen) bool { return s.popup.Dx() > 300 && s.popup.Dx() < 400 }
	formUp := func(s deskScreen) bool { return s.popup.Dx() > 560 }
	scanUp := func(s deskScreen) bool { return s.popup.Empty() && s.dark > 0.5 }
	managerArea := func(s deskScreen) bool { return s.dark < 0.05 && s.light > 0.5 }

	// staffSignsIn opens the manual-entry keypad, types the staff PIN and
	// sees the manual entry form.
	staffSignsIn := func(when string) {
		t.Helper()
		openManual()
		d.look("the manual-entry keypad "+when, 10*time.Second, keypadUp)
		d.typePIN(demoStaffPIN)
		d.look("the manual entry form after the staff PIN "+when, 15*time.Second, formUp)
	}

	var lockedAt time.Time
	for i := range attackFreeTries {
		guess := fmt.Sprintf("%d%d%d%d", i+1, i+1, i+1, i+1) // neither demo PIN
		openManager()
		d.look("the manager keypad", 10*time.Second, keypadUp)
		d.typePIN(guess)
		// The keypad stays up with a message under the keys: the popup grows.
		h := d.s.popup.Dy()
		d.look(fmt.Sprintf("the wrong-PIN message for guess %d", i+1), 15*time.Second, func(s deskScreen) bool {
			return keypadUp(s) && s.popup.Dy() > h && s.danger > 0
		})
		lockedAt = time.Now()
		d.cancel()
		d.look("the scan screen after the manager keypad", 10*time.Second, scanUp)
		if i == attackFreeTries-1 {
			break
		}
		// The staff member's own PIN in between, as the attack went.
		staffSignsIn(fmt.Sprintf("after guess %d", i+1))
		d.cancel()
		d.look("the scan screen after the manual entry form", 10*time.Second, scanUp)
	}

	t.Logf("manager keypad waiting at %v", time.Since(start).Round(100*time.Millisecond))
	// (b) and (c): the staff PIN still opens manual entry, and a visitor
	// is recorded, while the manager keypad waits.
	staffSignsIn("while the manager keypad waits")
	d.x("type", "--delay", "8", "Kim Minji")
	d.save()
	d.look("the scan screen after recording the manual entry", 15*time.Second, scanUp)

	// (a): the manager keypad refuses: Sign in greyed, and the manager's
	// own PIN does not open the area.
	openManager()
	d.look("the manager keypad with its countdown", 10*time.Second, func(s deskScreen) bool {
		return keypadUp(s) && s.danger > 0 && s.primary == 0
	})
	// The wait began a moment before lockedAt; typed well inside it, any
	// opening below is the attack getting in, not the wait running out.
	if waited := time.Since(lockedAt); waited > attackFirstWait-10*time.Second {
		t.Fatalf("the test took %v to reach the locked keypad, too slow to check a %v wait", waited.Round(time.Second), attackFirstWait)
	}
	d.typePIN(demoManagerPIN)
	for until := time.Now().Add(3 * time.Second); time.Now().Before(until); time.Sleep(250 * time.Millisecond) {
		if d.snap() && managerArea(d.s) {
			d.fail(fmt.Sprintf("the manager's area opened %v after the third wrong PIN, inside the %v wait", time.Since(lockedAt).Round(time.Second), attackFirstWait))
		}
	}
	if !keypadUp(d.s) {
		d.fail("the manager keypad went away during the wait")
	}

	// Once the wait is over the same keystrokes let the manager in: the
	// refusal above was the wait, not a broken keypad.
	time.Sleep(time.Until(lockedAt.Add(attackFirstWait + time.Second)))
	d.look("the Sign in button back after the wait", 5*time.Second, func(s deskScreen) bool { return keypadUp(s) && s.primary > 0 })
	d.typePIN(demoManagerPIN)
	d.look("the manager's area after the wait", 15*time.Second, managerArea)
	stop()

	checkAttackAudit(t, filepath.Join(data, "ledger.db"))
}

// checkAttackAudit reads the kiosk's audit trail: three failures at the
// manager prompt, the staff sign-ins at the manual-entry prompt, one
// manager sign-in and only after the wait, and the manual entry.
func checkAttackAudit(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT at, action, detail FROM audit WHERE action IN ('sign_in', 'sign_in_failed') ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var failed, staff, manager int
	var lastFail, managerIn int64
	var trail []string
	for rows.Next() {
		var at int64
		var action, detail string
		if err := rows.Scan(&at, &action, &detail); err != nil {
			t.Fatal(err)
		}
		trail = append(trail, action+" "+detail)
		switch {
		case action == "sign_in_failed" && detail == "manager":
			failed++
			lastFail = at
		case action == "sign_in" && detail == "manual staff":
			staff++
		case action == "sign_in" && detail == "manager manager":
			manager++
			managerIn = at
		default:
			t.Errorf("unexpected audit row %q %q", action, detail)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	wantStaff := attackFreeTries - 1 + 1 // between the guesses, and during the wait
	if failed != attackFreeTries || staff != wantStaff || manager != 1 {
		t.Errorf("audit: %d failures at the manager prompt, %d staff sign-ins, %d manager sign-ins; want %d, %d, 1\n%q",
			failed, staff, manager, attackFreeTries, wantStaff, trail)
	}
	if wait := time.Duration(managerIn - lastFail); manager == 1 && wait < attackFirstWait {
		t.Errorf("the manager signed in %v after the last failure, inside the %v wait", wait, attackFirstWait)
	}
	var manual int
	if err := db.QueryRow(`SELECT count(*) FROM entries WHERE method = 'manual'`).Scan(&manual); err != nil {
		t.Fatal(err)
	}
	if manual != 1 {
		t.Errorf("%d manual entries in the ledger, want the one recorded during the wait", manual)
	}
}

// desk drives the kiosk on an X display as staff at the counter do, and
// reads its screen.
type desk struct {
	t       *testing.T
	ctx     context.Context
	env     []string
	display string
	shot    string
	klog    *syncBuffer
	s       deskScreen // the latest screen seen
}

func (d *desk) x(args ...string) {
	d.t.Helper()
	cmd := exec.CommandContext(d.ctx, "xdotool", args...)
	cmd.Env = d.env
	if out, err := cmd.CombinedOutput(); err != nil {
		d.t.Fatalf("xdotool %v: %v\n%s", args, err, out)
	}
}

func (d *desk) click(p image.Point) {
	d.t.Helper()
	d.x("mousemove", fmt.Sprint(p.X), fmt.Sprint(p.Y), "click", "1")
}

func (d *desk) typePIN(pin string) {
	d.t.Helper()
	d.x("type", "--delay", "20", pin)
	d.x("key", "Return")
}

// cancel and save tap the left and right buttons of the pop-up's bottom
// row (Cancel, then Sign in or Save).
func (d *desk) cancel() {
	d.t.Helper()
	d.click(image.Pt(d.s.popup.Min.X+d.s.popup.Dx()/4, d.s.popup.Max.Y-20))
}

func (d *desk) save() {
	d.t.Helper()
	d.click(image.Pt(d.s.popup.Max.X-d.s.popup.Dx()/4, d.s.popup.Max.Y-20))
}

// snap takes a screenshot into d.s; false when none could be read.
func (d *desk) snap() bool {
	cmd := exec.CommandContext(d.ctx, "import", "-display", d.display, "-window", "root", d.shot)
	if cmd.Run() != nil {
		return false
	}
	s, ok := deskScreenOf(d.shot)
	if ok {
		d.s = s
	}
	return ok
}

// look waits until the screen shows what ok sees, and fails with what.
func (d *desk) look(what string, within time.Duration, ok func(s deskScreen) bool) {
	d.t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if d.snap() && ok(d.s) {
			return
		}
	}
	d.fail(fmt.Sprintf("%s: not seen within %v", what, within))
}

func (d *desk) fail(msg string) {
	d.t.Helper()
	if dir := os.Getenv("PASSDESK_SHOTS"); dir != "" {
		b, _ := os.ReadFile(d.shot)
		_ = os.WriteFile(filepath.Join(dir, "pin-attack-failed.png"), b, 0o644)
	}
	d.t.Fatalf("%s (screen %+v)\nkiosk log:\n%s", msg, d.s, d.klog.String())
}

// deskScreen is what a screenshot shows: the shares of its pixels in the
// scan screen's dark preview (dimmed under a pop-up too) and in light, the
// bounds of the pure white pop-up over the dimmed screen (empty when there
// is none), and within it the pixels of the danger red of a message and of
// the primary colour of an enabled Sign in or Save button in its bottom
// row. Every other pixel of every other row is read: enough, and fast.
type deskScreen struct {
	dark, light     float64
	popup           image.Rectangle
	danger, primary int
}

func deskScreenOf(path string) (deskScreen, bool) {
	f, err := os.Open(path)
	if err != nil {
		return deskScreen{}, false
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		return deskScreen{}, false // caught mid-write; the next one will do
	}
	var s deskScreen
	b := img.Bounds()
	// The pop-up lies between the banner and the bottom bar, which stay
	// on the full screen's edges.
	area := image.Rect(b.Min.X, b.Min.Y+80, b.Max.X, b.Max.Y-60)
	var box image.Rectangle
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			n++
			switch {
			case near(r, 0x20) && near(g, 0x24) && near(bl, 0x28):
				s.dark++
			case r > 0xe0 && g > 0xe0 && bl > 0xe0:
				s.light++
				if r == 0xff && g == 0xff && bl == 0xff && image.Pt(x, y).In(area) {
					box = box.Union(image.Rect(x, y, x+2, y+2))
				}
			}
		}
	}
	s.dark, s.light = s.dark/float64(n), s.light/float64(n)
	// A pop-up is a large white box; the manager's area is white all over.
	if box.Dx() < 200 || box.Dy() < 150 || box.Dx() > b.Dx()*9/10 {
		return s, true
	}
	s.popup = box
	for y := box.Min.Y; y < box.Max.Y; y += 2 {
		for x := box.Min.X; x < box.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			switch {
			case near(r, 0x0d) && near(g, 0x4f) && near(bl, 0x5c) && y >= box.Max.Y-44:
				s.primary++ // the bottom row: not a focused entry's border
			case r > 0x90 && g < 0x50 && bl < 0x50:
				s.danger++
			}
		}
	}
	return s, true
}
