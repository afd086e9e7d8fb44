package storage_test

import (
	"context"
	"testing"
	"time"
	_ "time/tzdata" // the test needs a zone with daylight saving on any machine

	"passdesk/app"
)

// TestSummaryAcrossDaylightSaving checks that days and hours follow the
// kiosk's zone on a 23-hour day.
func TestSummaryAcrossDaylightSaving(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	c := newClock(time.Date(2026, 3, 9, 0, 0, 0, 0, ny))
	opts := testOptions(c)
	opts.Location = ny
	l := mustOpen(t, t.TempDir(), opts)
	// Clocks go from 02:00 EST to 03:00 EDT on 2026-03-08.
	for i, at := range []time.Time{
		time.Date(2026, 3, 8, 0, 10, 0, 0, ny),
		time.Date(2026, 3, 8, 1, 50, 0, 0, ny),
		time.Date(2026, 3, 8, 3, 10, 0, 0, ny),
		time.Date(2026, 3, 8, 23, 59, 0, 0, ny),
		time.Date(2026, 3, 9, 0, 0, 0, 0, ny), // the next day
	} {
		mustRecord(t, l, scan(i, at, app.Admit, app.Online))
	}
	s, err := l.Summary(context.Background(), time.Date(2026, 3, 8, 12, 0, 0, 0, ny))
	if err != nil {
		t.Fatal(err)
	}
	if s.Total != 4 || s.Hourly[0] != 1 || s.Hourly[1] != 1 || s.Hourly[2] != 0 || s.Hourly[3] != 1 || s.Hourly[23] != 1 {
		t.Errorf("spring: total %d, hourly %v", s.Total, s.Hourly)
	}

	// Clocks go back from 02:00 EDT to 01:00 EST on 2026-11-01: 25 hours.
	first := time.Date(2026, 11, 1, 1, 30, 0, 0, ny) // EDT
	for i, at := range []time.Time{first, first.Add(time.Hour), time.Date(2026, 11, 1, 2, 30, 0, 0, ny)} {
		mustRecord(t, l, scan(100+i, at, app.Admit, app.Online))
	}
	s, err = l.Summary(context.Background(), time.Date(2026, 11, 1, 12, 0, 0, 0, ny))
	if err != nil {
		t.Fatal(err)
	}
	if s.Total != 3 || s.Hourly[1] != 2 || s.Hourly[2] != 1 {
		t.Errorf("autumn: total %d, hourly %v", s.Total, s.Hourly)
	}
}
