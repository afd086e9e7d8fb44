package postgres_test

import (
	"context"
	"errors"
	"testing"

	"passdesk/cmd/passd/store"
	"passdesk/cmd/passd/store/postgres"
	"passdesk/cmd/passd/store/storetest"
	"passdesk/internal/pgtest"
)

func TestConformance(t *testing.T) {
	c := pgtest.Start(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(context.Background(), c.NewDatabase())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestTwoNodesMigrateOnce(t *testing.T) {
	c := pgtest.Start(t)
	url := c.NewDatabase()
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			s, err := postgres.Open(context.Background(), url)
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("open at the same time: %v", err)
		}
	}
}

// A stopped database is store.ErrUnavailable, and the pool comes back by
// itself once it is started again.
func TestUnavailableAndBack(t *testing.T) {
	c := pgtest.Start(t)
	s, err := postgres.Open(context.Background(), c.NewDatabase())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	e := []store.Entry{{ID: "a", Time: 1, Outcome: "admit", Method: "online", Reason: "ok"}}
	c.Stop()
	if _, _, err := s.StoreEntries(ctx, "v", "k", 1, e); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("write to a stopped database: %v, want ErrUnavailable", err)
	}
	c.Start()
	if n, _, err := s.StoreEntries(ctx, "v", "k", 1, e); err != nil || n != 1 {
		t.Errorf("write after restart = %d, %v", n, err)
	}
}
