package dcc_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"passdesk/pass"
	"passdesk/pass/dcc"
)

// signedText returns a pass's QR text and its COSE signature.
func signedText(t testing.TB, p hc1Pass) (string, []byte) {
	t.Helper()
	msg := p.cose(t)
	return qrText(t, msg), signatureOf(t, msg)
}

// signatureOf returns the signature of a COSE_Sign1 message (tag 18).
func signatureOf(t testing.TB, msg []byte) []byte {
	t.Helper()
	var tag cbor.Tag
	if err := cbor.Unmarshal(msg, &tag); err != nil {
		t.Fatal(err)
	}
	var parts []cbor.RawMessage
	b, _ := cbor.Marshal(tag.Content)
	if err := cbor.Unmarshal(b, &parts); err != nil {
		t.Fatal(err)
	}
	var sig []byte
	if err := cbor.Unmarshal(parts[3], &sig); err != nil {
		t.Fatal(err)
	}
	return sig
}

func hash16(s []byte) string {
	sum := sha256.Sum256(s)
	return base64.StdEncoding.EncodeToString(sum[:16])
}

type batch struct {
	Kid      string              `json:"kid"`
	HashType string              `json:"hashType"`
	Entries  []map[string]string `json:"entries"`
}

func revocationsOf(t testing.TB, batches ...batch) *dcc.Revocations {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"batches": batches})
	r, err := dcc.ParseRevocations(b)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRevocation(t *testing.T) {
	es := newES256(t, certOpts{})
	ps := newPS256(t, certOpts{})
	other := newES256(t, certOpts{})
	ts := trustList(t, es, ps, other)
	kid := func(s *docSigner) string { return base64.StdEncoding.EncodeToString(s.kid) }
	const ci = "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B"
	esText, esSig := signedText(t, hc1Pass{signer: es})
	psText, psSig := signedText(t, hc1Pass{signer: ps})
	entry := func(h string) []map[string]string { return []map[string]string{{"hash": h}} }

	for _, tc := range []struct {
		name  string
		batch batch
		text  string
		want  pass.Reason
	}{
		{"UCI", batch{kid(es), "UCI", entry(hash16([]byte(ci)))}, esText, pass.Revoked},
		{"country code and UCI", batch{kid(es), "COUNTRYCODEUCI", entry(hash16([]byte("AT" + ci)))}, esText, pass.Revoked},
		{"ECDSA signature: its r", batch{kid(es), "SIGNATURE", entry(hash16(esSig[:len(esSig)/2]))}, esText, pass.Revoked},
		{"RSA signature: all of it", batch{kid(ps), "SIGNATURE", entry(hash16(psSig))}, psText, pass.Revoked},
		{"ECDSA whole signature is not the scheme", batch{kid(es), "SIGNATURE", entry(hash16(esSig))}, esText, pass.OK},
		{"UCI under another signer's kid", batch{kid(other), "UCI", entry(hash16([]byte(ci)))}, esText, pass.OK},
		{"UCI filed as a signature hash", batch{kid(es), "SIGNATURE", entry(hash16([]byte(ci)))}, esText, pass.OK},
		{"full 32-byte hash", batch{kid(es), "uci", []map[string]string{{"hash": func() string { s := sha256.Sum256([]byte(ci)); return base64.StdEncoding.EncodeToString(s[:]) }()}}}, esText, pass.Revoked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := dcc.New(ts, dcc.Options{Revocations: revocationsOf(t, tc.batch)})
			if err != nil {
				t.Fatal(err)
			}
			if v := s.Verify(tc.text, pass.Policy{}, testNow); v.Reason != tc.want {
				t.Errorf("reason %s, want %s", v.Reason, tc.want)
			}
		})
	}
}

func TestParseRevocations(t *testing.T) {
	good := `{"kid": "AAECAwQFBgc=", "hashType": "UCI", "entries": [{"hash": "AAECAwQFBgcICQoLDA0ODw=="}, {"hash": "AAECAwQFBgcICQoLDA0ODw=="}]}`
	r, err := dcc.ParseRevocations([]byte("[" + good + "]"))
	if err != nil || r.Len() != 1 {
		t.Fatalf("ParseRevocations: %v, %d entries (duplicates count once)", err, r.Len())
	}
	for name, data := range map[string]string{
		"not JSON":          `[`,
		"not batches":       `{"cids": []}`,
		"bad kid":           `[{"kid": "!!", "hashType": "UCI", "entries": []}]`,
		"unknown hash type": `[{"kid": "AAECAwQFBgc=", "hashType": "NAME", "entries": [{"hash": "AAECAwQFBgcICQoLDA0ODw=="}]}]`,
		"short hash":        `[{"kid": "AAECAwQFBgc=", "hashType": "UCI", "entries": [{"hash": "AAEC"}]}]`,
		"hash not base64":   `[{"kid": "AAECAwQFBgc=", "hashType": "UCI", "entries": [{"hash": "%%%"}]}]`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := dcc.ParseRevocations([]byte(data)); err == nil {
				t.Error("accepted")
			}
		})
	}
	t.Run("file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "revocations.json")
		writeFile(t, path, []byte(`{"batches": [`+good+`]}`))
		if r, err := dcc.LoadRevocations(path); err != nil || r.Len() != 1 {
			t.Fatalf("LoadRevocations: %v", err)
		}
		if _, err := dcc.LoadRevocations(path + ".missing"); err == nil || !strings.Contains(err.Error(), "revocations") {
			t.Errorf("missing file: %v", err)
		}
	})
}

// FuzzParseRevocations: any file is refused or read, never a crash.
func FuzzParseRevocations(f *testing.F) {
	f.Add([]byte(`{"batches": [{"kid": "AAECAwQFBgc=", "hashType": "SIGNATURE", "entries": [{"hash": "AAECAwQFBgcICQoLDA0ODw=="}]}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := dcc.ParseRevocations(data)
		if err == nil && r.Revoked([]byte{1}, "x", "AT", -7, []byte{1, 2}) && r.Len() == 0 {
			t.Fatal("an empty list revokes")
		}
	})
}

// FuzzParseRule: any rule file is refused or read, never a crash.
func FuzzParseRule(f *testing.F) {
	f.Add(ruleJSON(f, "VR-EU-0001", "Vaccination", `{"if": [{"var": "payload.v.0"}, {">=": [{"var": "payload.v.0.dn"}, {"var": "payload.v.0.sd"}]}, true]}`, nil))
	f.Add([]byte(`{"Identifier": "GR-EU-0000"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = dcc.ParseRule(data)
	})
}
