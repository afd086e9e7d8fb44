package server_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"passdesk/api"
)

func TestDemoPasses(t *testing.T) {
	f := newFixture(t, 3)
	resp, b := f.do("GET", api.PathDemoPasses, "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("demo passes = %d %s", resp.StatusCode, b)
	}
	var ps []api.DemoPass
	if err := json.Unmarshal(b, &ps); err != nil {
		t.Fatal(err)
	}
	var labels []string
	want := map[string]string{"holder-1": "admit", "holder-2": "admit", "holder-3": "admit", "revoked": "deny", "stale": "deny"}
	for _, p := range ps {
		labels = append(labels, p.Label)
		if len(p.Holder) != 32 || !strings.HasPrefix(p.QR, "PD1:") || p.Name == "" {
			t.Errorf("demo pass %+v", p)
		}
		if _, v := f.verify(p.QR); v.Verdict != want[p.Label] {
			t.Errorf("%s verifies %s (%s), want %s", p.Label, v.Verdict, v.Reason, want[p.Label])
		}
	}
	if got := strings.Join(labels, ","); got != "holder-1,holder-2,holder-3,revoked,stale" {
		t.Errorf("labels = %s", got)
	}
}

func TestDemoPage(t *testing.T) {
	f := newFixture(t, 1)
	resp, b := f.do("GET", "/demo", "", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!bytes.Contains(b, []byte(`/demo/qr/holder-1.png`)) || !bytes.Contains(b, []byte(`/demo/qr/stale.png`)) {
		t.Fatalf("demo page = %d %q %.300s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	resp, b = f.do("GET", "/demo/qr/holder-1.png", "", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("QR image = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The image is a clean rendering: read it as one, module by module.
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		t.Fatalf("the demo QR image does not decode: %v", err)
	}
	if _, v := f.verify(res.GetText()); v.Verdict != "admit" {
		t.Errorf("the demo QR image's text verifies %+v", v)
	}
	for _, path := range []string{"/demo/qr/nobody.png", "/demo/qr/holder-1.gif"} {
		if resp, _ := f.do("GET", path, "", nil); resp.StatusCode != 404 {
			t.Errorf("%s = %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestNoDemoHoldersIs404(t *testing.T) {
	f := newFixture(t, 0)
	for _, path := range []string{api.PathDemoPasses, "/demo", "/demo/qr/holder-1.png"} {
		resp, b := f.do("GET", path, "", nil)
		var e api.Error
		if resp.StatusCode != 404 || json.Unmarshal(b, &e) != nil || e.Reason != api.ReasonNotFound {
			t.Errorf("%s without demo holders = %d %s, want a JSON 404", path, resp.StatusCode, b)
		}
	}
}
