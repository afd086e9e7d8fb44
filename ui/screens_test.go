package ui

import (
	"context"
	"errors"
	"testing"

	"fyne.io/fyne/v2/test"

	"passdesk/app"
)

// fakeStaffCore is the slice of the core the staff tab uses.
type fakeStaffCore struct {
	people  []app.Person
	listErr error
	added   []string
}

func (f *fakeStaffCore) ListPeople(context.Context, app.Person) ([]app.Person, error) {
	return f.people, f.listErr
}

func (f *fakeStaffCore) AddPerson(_ context.Context, _ app.Person, name string, role app.Role, _ string) (app.Person, error) {
	f.added = append(f.added, name+"/"+string(role))
	p := app.Person{ID: int64(len(f.people) + 2), Name: name, Role: role, Active: true}
	f.people = append(f.people, p)
	return p, nil
}

func (f *fakeStaffCore) SetPIN(context.Context, app.Person, app.Person, string) error { return nil }

func (f *fakeStaffCore) Deactivate(context.Context, app.Person, app.Person) error { return nil }

// TestStaffTabTakesOnlyWhatItUses builds the staff tab from a fake core,
// a translator and a queue for the UI goroutine: no Kiosk.
func TestStaffTabTakesOnlyWhatItUses(t *testing.T) {
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	tr := func(key string, args ...any) string { return cat.text(English, key, args...) }
	queue := make(chan func(), 8)
	var done []error
	var toasts []string
	newTab := func(core staffCore) *staffTab {
		w := test.NewTempWindow(t, nil)
		s := newStaffTab(context.Background(), core, w, tr, func(f func()) { queue <- f },
			func(msg string) { toasts = append(toasts, msg) }, func(err error) { done = append(done, err) },
			app.Person{ID: 1, Name: "Kim", Role: app.Manager, Active: true})
		w.SetContent(s.build())
		return s
	}
	settle := func(n int) {
		for len(done) < n {
			(<-queue)()
		}
	}

	t.Run("list error", func(t *testing.T) {
		done = nil
		s := newTab(&fakeStaffCore{listErr: app.ErrNotAllowed})
		s.load()
		settle(1)
		if !errors.Is(done[0], app.ErrNotAllowed) {
			t.Errorf("done with %v, want ErrNotAllowed", done[0])
		}
		if got, want := s.errMsg.Text, tr("err.not_allowed"); !s.errMsg.Visible() || got != want {
			t.Errorf("error line %q (shown %v), want %q", got, s.errMsg.Visible(), want)
		}
	})

	t.Run("add", func(t *testing.T) {
		done, toasts = nil, nil
		core := &fakeStaffCore{}
		s := newTab(core)
		test.Type(s.name, "Park")
		test.Type(s.pin, "482913")
		test.Type(s.pin2, "482913")
		test.Tap(s.add)
		settle(1) // the reload after the change
		if len(core.added) != 1 || core.added[0] != "Park/staff" {
			t.Errorf("added %v, want [Park/staff]", core.added)
		}
		if len(toasts) != 1 || toasts[0] != tr("staff.saved") {
			t.Errorf("toasts %q", toasts)
		}
		if got, want := len(s.people), 1; got != want {
			t.Errorf("listed %d people, want %d", got, want)
		}
	})
}
