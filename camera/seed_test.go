package camera

import (
	"os"
	"strconv"
	"testing"
)

// TestMain lets SEED=n pick another set of generated frames for the rate
// test (SEED=7 go test -run DecodeRates -v ./camera/), to see that the
// rates hold beyond the default seed.
func TestMain(m *testing.M) {
	if v, err := strconv.ParseInt(os.Getenv("SEED"), 10, 64); err == nil {
		rateSeed = v
	}
	os.Exit(m.Run())
}
