package ui

import (
	"context"
	"io"
	"time"

	"passdesk/app"
)

// Each screen is given what it uses, not the whole Kiosk: a narrow slice
// of the core (satisfied by *app.Engine), a translator, the window, a way
// onto the UI goroutine and named callbacks. The Kiosk wires them.

// translate puts a key into the kiosk's current language.
type translate func(key string, args ...any) string

// staffCore is what the staff tab asks of the core.
type staffCore interface {
	ListPeople(ctx context.Context, by app.Person) ([]app.Person, error)
	AddPerson(ctx context.Context, by app.Person, name string, role app.Role, pin string) (app.Person, error)
	SetPIN(ctx context.Context, by, p app.Person, pin string) error
	Deactivate(ctx context.Context, by, p app.Person) error
}

// manualCore is what the manual entry form asks of the core.
type manualCore interface {
	Status() app.Status
	RecordManual(ctx context.Context, by app.Person, e app.Entry) (app.Entry, error)
}

// settingsCore is what the settings tab asks of the core.
type settingsCore interface {
	Config() app.Config
	SaveConfig(ctx context.Context, by app.Person, c app.Config) error
}

// reviewCore is what the day's review asks of the core.
type reviewCore interface {
	Status() app.Status
	Summary(ctx context.Context, by app.Person, day time.Time) (app.DaySummary, error)
	List(ctx context.Context, by app.Person, f app.Filter) ([]app.Entry, int, error)
	RevealPhone(ctx context.Context, by app.Person, entryID string) (string, error)
	Export(ctx context.Context, by app.Person, day time.Time, format, where string, w io.Writer) error
}

// pinCore is what the PIN prompt asks of the core.
type pinCore interface {
	PINWait(at app.Prompt) time.Duration
	SignIn(ctx context.Context, at app.Prompt, pin string) (app.Person, error)
}

// setupCore is what the first-run setup asks of the core.
type setupCore interface {
	Config() app.Config
	SetUp(ctx context.Context, name, pin string) (app.Person, error)
	SaveConfig(ctx context.Context, by app.Person, c app.Config) error
}

// scanCore is what the scan screen asks of the core.
type scanCore interface {
	Config() app.Config
}
