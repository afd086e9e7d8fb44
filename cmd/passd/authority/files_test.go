package authority_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"passdesk/cmd/passd/authority"
	"passdesk/pass"
)

// Every file passd writes is its owner's only, in a directory that is
// too, whatever the umask and although the directory existed before.
func TestDataDirOwnerOnly(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, err := authority.Init(dir, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	a, err := authority.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.EnsureDemo(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory mode %v, %v; want 0700", fi.Mode().Perm(), err)
	}
	files, _ := os.ReadDir(dir)
	for _, e := range files {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", e.Name(), fi.Mode().Perm())
		}
	}
	if len(files) < 5 {
		t.Errorf("data directory holds %d files, want keys, root.pub, the database and its WAL", len(files))
	}
}

func TestCheckHolderKey(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	if err := authority.CheckHolderKey(pub); err != nil {
		t.Errorf("a generated key: %v", err)
	}
	for name, k := range map[string]string{
		"identity":      "0100000000000000000000000000000000000000000000000000000000000000",
		"order 4":       "0000000000000000000000000000000000000000000000000000000000000000",
		"order 8":       "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
		"non-canonical": "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"off the curve": "0200000000000000000000000000000000000000000000000000000000000000",
	} {
		b, _ := hex.DecodeString(k)
		if err := authority.CheckHolderKey(b); err == nil {
			t.Errorf("%s key %s accepted", name, k)
		}
	}
}

func TestEnrollNeverChangesAHolder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, _, err := authority.Init(dir, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	a, err := authority.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	iss, err := a.Enroll(ctx, authority.Enrollment{Name: "홍길동", BirthYear: 1980, Status: pass.Vaccinated, HolderKey: pub})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Enroll(ctx, authority.Enrollment{Name: "Mallory", Status: pass.MedicalExemption, HolderKey: pub})
	if !errors.Is(err, authority.ErrEnrolled) {
		t.Fatalf("second enrollment: %v, want ErrEnrolled", err)
	}
	h, _ := a.Store().HolderByKey(ctx, pub)
	if h.Name != "홍길동" || h.Status != 1 {
		t.Errorf("holder after a second enrollment = %+v", h)
	}
	re, err := a.Reissue(ctx, iss.CID, pass.NegativeTest, "", 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if re.Sub != iss.Sub || re.CID == iss.CID || re.Claims.Status != pass.NegativeTest || re.Claims.Name != "홍*동" {
		t.Errorf("reissued = %+v, want the same sub, a new cid, status 3", re)
	}
	snap, _ := a.Store().RevocationState(ctx)
	if len(snap.CIDs) != 1 || snap.CIDs[0] != iss.CID {
		t.Errorf("revocations after reissue = %x, want the old cid", snap.CIDs)
	}
}
