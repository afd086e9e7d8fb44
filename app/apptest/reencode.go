package apptest

import (
	"fmt"
	"strings"

	"github.com/fxamacker/cbor/v2"

	"passdesk/pass"
	"passdesk/pass/base45"
)

// FlipByte changes the last byte of a PD1 text's presentation: its holder
// signature, so the text no longer verifies.
func FlipByte(text string) (string, error) {
	raw, err := base45.Decode(strings.TrimPrefix(text, pass.Prefix))
	if err != nil {
		return "", err
	}
	raw[len(raw)-1] ^= 0x01
	return pass.Prefix + base45.Encode(raw), nil
}

// Reencode writes a PD1 text's presentation again, changing only what its
// signature does not cover: untagged drops the COSE tag 18; a non-nil
// unprotected replaces the unprotected header.
func Reencode(text string, untagged bool, unprotected map[any]any) (string, error) {
	raw, err := base45.Decode(strings.TrimPrefix(text, pass.Prefix))
	if err != nil {
		return "", err
	}
	var tag cbor.Tag
	if err := cbor.Unmarshal(raw, &tag); err != nil {
		return "", fmt.Errorf("not a tagged COSE_Sign1: %w", err)
	}
	msg, ok := tag.Content.([]any)
	if !ok || len(msg) != 4 {
		return "", fmt.Errorf("COSE_Sign1 of %T", tag.Content)
	}
	if unprotected != nil {
		msg[1] = unprotected
	}
	var v any = cbor.Tag{Number: 18, Content: msg}
	if untagged {
		v = msg
	}
	b, err := cbor.Marshal(v)
	if err != nil {
		return "", err
	}
	return pass.Prefix + base45.Encode(b), nil
}
