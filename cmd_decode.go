package main

import (
	"encoding/json"
	"errors"
	"fmt"
	_ "image/jpeg" // decode reads PNG and JPEG
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	"passdesk/camera"
)

// decodeFile reads the code in one image file; readable is false when the
// file could not be read or is not a PNG or JPEG image. A JPEG takes the
// webcam's path (its luminance only, see camera.DecodeJPEG). d is reused
// from file to file, as the kiosk reuses its own from frame to frame.
func decodeFile(d *camera.Decoder, name string) (text string, readable bool, err error) {
	if ext := strings.ToLower(filepath.Ext(name)); ext == ".jpg" || ext == ".jpeg" {
		buf, err := os.ReadFile(name)
		if err != nil {
			return "", false, err
		}
		text, err := d.DecodeJPEG(buf)
		if err == nil || errors.Is(err, camera.ErrNoCode) {
			return text, true, err
		}
		// Not a JPEG after all: let the image decoders say what it is.
	}
	img, err := camera.ReadImage(name)
	if err != nil {
		return "", false, err
	}
	text, err = d.DecodeImage(img)
	return text, true, err
}

// decodeLine is one line of `passdesk decode` output.
type decodeLine struct {
	File  string `json:"file"`
	Text  string `json:"text,omitempty"`
	Error string `json:"error,omitempty"`
}

// runDecode prints one JSON line per image: its QR text, or why there is
// none. An image without a code is a job done (exit 0); a file that cannot
// be read or is not a PNG or JPEG image makes the exit status 2, after
// every file has had its line.
func runDecode(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, "usage: passdesk decode IMAGE...")
		fmt.Fprintln(stderr, `prints {"file","text"} or {"file","error"} for each PNG or JPEG image;`)
		fmt.Fprintln(stderr, "exit status 0 when every file was read (with or without a code), 2 when a file could not be read")
		return exitUsage
	}
	status := exitOK
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	d := camera.NewDecoder()
	for _, name := range args {
		line := decodeLine{File: name}
		text, readable, err := decodeFile(d, name)
		switch {
		case !readable:
			line.Error = err.Error()
			status = exitFail
		case err != nil:
			line.Error = err.Error()
		default:
			line.Text = text
		}
		if err := enc.Encode(line); err != nil {
			fmt.Fprintf(stderr, "passdesk decode: %v\n", err)
			return exitFail
		}
	}
	return status
}
