package authority

import (
	"errors"

	"passdesk/cmd/passd/store"
)

func openPostgres(string) (store.Store, error) {
	return nil, errors.New("PostgreSQL is not built in yet")
}
