package server

import (
	"bytes"
	_ "embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"image/png"
	"net/http"
	"strings"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"passdesk/api"
	"passdesk/cmd/passd/authority"
)

//go:embed demo.html
var demoHTML string

var demoPage = template.Must(template.New("demo").Parse(demoHTML))

// DemoPasses makes a fresh QR text for every demo holder, as their phones
// would now (the stale holder's is authority.StaleAge old).
func (s *Server) DemoPasses(r *http.Request) ([]api.DemoPass, error) {
	ds, err := s.auth.DemoHolders(r.Context())
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]api.DemoPass, 0, len(ds))
	for _, d := range ds {
		qr, err := authority.DemoQR(d, now)
		if err != nil {
			return nil, err
		}
		out = append(out, api.DemoPass{Holder: hex.EncodeToString(d.Sub[:]), Label: d.Label,
			Name: authority.MaskName(d.Name), QR: qr})
	}
	return out, nil
}

func (s *Server) handleDemoPasses(w http.ResponseWriter, r *http.Request) {
	ps, err := s.DemoPasses(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(ps) == 0 {
		s.writeError(w, r, errorf(http.StatusNotFound, api.ReasonNotFound,
			"this service has no demo holders (passd demo --holders N makes them)"))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, ps)
}

// demoCard is one holder on the demo page.
type demoCard struct{ Label, Kind, Name string }

func (s *Server) handleDemoPage(w http.ResponseWriter, r *http.Request) {
	ds, err := s.auth.DemoHolders(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(ds) == 0 {
		s.writeError(w, r, errorf(http.StatusNotFound, api.ReasonNotFound,
			"this service has no demo holders (passd demo --holders N makes them)"))
		return
	}
	cards := make([]demoCard, len(ds))
	for i, d := range ds {
		cards[i] = demoCard{Label: d.Label, Kind: d.Kind, Name: authority.MaskName(d.Name)}
	}
	var b bytes.Buffer
	if err := demoPage.Execute(&b, cards); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}

// handleDemoQR answers /demo/qr/LABEL.png: the holder's QR made now.
func (s *Server) handleDemoQR(w http.ResponseWriter, r *http.Request) {
	label, ok := strings.CutSuffix(r.PathValue("file"), ".png")
	if !ok {
		s.writeError(w, r, errorf(http.StatusNotFound, api.ReasonNotFound, "no such image"))
		return
	}
	ds, err := s.auth.DemoHolders(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, d := range ds {
		if d.Label != label {
			continue
		}
		qr, err := authority.DemoQR(d, s.now())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		b, err := QRPNG(qr, demoQRSize)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(b)
		return
	}
	s.writeError(w, r, errorf(http.StatusNotFound, api.ReasonNotFound, "no demo holder %q", label))
}

// demoQRSize is the demo page's QR image width: at least 5 pixels a
// module for the longest PD1 texts, so a phone screen shows it sharp.
const demoQRSize = 480

// QRPNG draws text as a QR code PNG about size pixels wide, with error
// correction level M and a four-module quiet zone.
func QRPNG(text string, size int) ([]byte, error) {
	hints := map[gozxing.EncodeHintType]any{
		gozxing.EncodeHintType_ERROR_CORRECTION: decoder.ErrorCorrectionLevel_M,
		gozxing.EncodeHintType_MARGIN:           4,
	}
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, size, size, hints)
	if err != nil {
		return nil, fmt.Errorf("draw QR code: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
