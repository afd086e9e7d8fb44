package dcc

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"passdesk/pass/base45"
)

// stage names the step of the decoding chain that refused a text; the
// conformance cases expect each step to fail on its own.
type stage int

const (
	stagePrefix stage = iota + 1
	stageBase45
	stageZlib
	stageCBOR // COSE structure, CWT claims, hcert content
)

func (s stage) String() string {
	switch s {
	case stagePrefix:
		return "prefix"
	case stageBase45:
		return "base45"
	case stageZlib:
		return "zlib"
	case stageCBOR:
		return "cbor"
	}
	return "unknown"
}

// decodeError says which step refused a text and why.
type decodeError struct {
	stage stage
	err   error
}

func (e *decodeError) Error() string { return e.stage.String() + ": " + e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }

func failAt(s stage, format string, args ...any) error {
	return &decodeError{stage: s, err: fmt.Errorf(format, args...)}
}

// hc1 is a decoded, not yet verified, HC1 text.
type hc1 struct {
	alg       int64
	hasAlg    bool
	kid       []byte // nil when neither header has one
	protected []byte // the protected header bytes, as signed
	payload   []byte
	signature []byte
	rawDGC    []byte // the DCC payload (hcert claim key 1), CBOR

	issuer    string // CWT iss, "" when absent
	issuedAt  int64
	expires   int64
	nameNat   string
	nameLatin string
	dob       string
	certType  string
	positive  bool // a test certificate whose result is not "not detected"
}

// decode runs the HC1 decoding chain; its error is a *decodeError naming the
// step that refused the text.
func decode(text string) (*hc1, error) {
	msg, err := unwrap(text)
	if err != nil {
		return nil, err
	}
	h, err := parseCOSE(msg)
	if err != nil {
		return nil, &decodeError{stage: stageCBOR, err: err}
	}
	return h, nil
}

// unwrap takes a text through the prefix, Base45 and zlib steps, to the
// COSE message; its error is a *decodeError.
func unwrap(text string) ([]byte, error) {
	if !strings.HasPrefix(text, Prefix) {
		return nil, failAt(stagePrefix, "text does not start with %q", Prefix)
	}
	if len(text) > MaxTextLen {
		return nil, failAt(stageBase45, "text is %d characters, more than %d", len(text), MaxTextLen)
	}
	raw, err := base45.Decode(text[len(Prefix):])
	if err != nil {
		return nil, &decodeError{stage: stageBase45, err: err}
	}
	msg, err := inflate(raw)
	if err != nil {
		return nil, &decodeError{stage: stageZlib, err: err}
	}
	return msg, nil
}

var zlibReaders sync.Pool

// inflate decompresses a zlib stream of at most MaxInflated bytes. The EU
// specification makes compression mandatory, and the conformance cases
// expect an uncompressed COSE message to be refused.
func inflate(raw []byte) ([]byte, error) {
	if len(raw) < 2 || raw[0]&0x0f != 8 || (uint16(raw[0])<<8|uint16(raw[1]))%31 != 0 {
		return nil, errors.New("not a zlib stream")
	}
	src := bytes.NewReader(raw)
	// A zlib reader carries a 32 KiB window: reuse them rather than make
	// one per scan.
	zr, _ := zlibReaders.Get().(io.ReadCloser)
	var err error
	if zr == nil {
		zr, err = zlib.NewReader(src)
	} else {
		err = zr.(zlib.Resetter).Reset(src, nil)
	}
	if err != nil {
		return nil, err
	}
	defer zlibReaders.Put(zr)
	buf := bytes.NewBuffer(make([]byte, 0, min(4*len(raw), MaxInflated)))
	if _, err := buf.ReadFrom(io.LimitReader(zr, MaxInflated+1)); err != nil {
		return nil, err
	}
	out := buf.Bytes()
	if len(out) > MaxInflated {
		return nil, fmt.Errorf("inflates to more than %d bytes", MaxInflated)
	}
	// The reader has stopped at the end of the stream (it reads a
	// bytes.Reader byte by byte), so whatever is left was appended.
	if src.Len() != 0 {
		return nil, fmt.Errorf("%d bytes after the zlib stream", src.Len())
	}
	return out, nil
}
