package storage

import (
	"encoding/hex"
	"testing"
)

// TestEntryHashStable pins the chain hash of an entry row. Rows written
// before a column was added must keep their hashes (the chain of an old
// ledger still verifies); a column added later changes the hash of the
// rows that set it.
func TestEntryHashStable(t *testing.T) {
	row := entryRow{
		seq: 7, prevHash: genesis, id: "scan-000007", at: 1764028800000000000,
		venueID: "venue-1", kioskID: "kiosk-1", outcome: "deny", method: "offline",
		reason: "rules_failed", scheme: "HC1", issuer: "DE", status: 1, name: "Musterfrau",
		cid: []byte{1, 2, 3}, subMAC: []byte{4, 5, 6}, outageID: 2,
	}
	const v1 = "df0047003e0492890714d68f04888e373033268406e83b22ce7aa59c59cab8f3"
	if got := hex.EncodeToString(row.sum()); got != v1 {
		t.Errorf("hash of a row without rule %s, want the version-1 hash %s", got, v1)
	}
	row.rule = "VR-EU-0001@1.0.1"
	if got := hex.EncodeToString(row.sum()); got == v1 {
		t.Error("the rule is not in the hash of a row that sets it")
	}
}
