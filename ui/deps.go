package ui

import (
	"context"

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
