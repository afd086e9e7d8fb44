package camera

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// pngHeaderOnly is a PNG whose header claims w x h 8-bit grey pixels,
// followed by a few bytes of image data: the header is all an attacker
// needs to write.
func pngHeaderOnly(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		c := crc32.NewIEEE()
		c.Write([]byte(typ))
		c.Write(data)
		binary.Write(&b, binary.BigEndian, c.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0 // 8 bits, grey
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

// TestReadImageRefusesAPictureTooLarge reads a 120-byte PNG whose header
// claims 40000x40000 pixels. image.Decode allocates the whole picture
// from the header before it reads any data: 1.6 GB here, and with 16-bit
// colour eight times that, enough to have `passdesk decode` or a kiosk
// replaying a folder killed for memory. ReadImage must refuse it from the
// header, allocating next to nothing.
func TestReadImageRefusesAPictureTooLarge(t *testing.T) {
	name := filepath.Join(t.TempDir(), "bomb.png")
	if err := os.WriteFile(name, pngHeaderOnly(40000, 40000), 0o644); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadImage(name)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "40000x40000") {
		t.Errorf("ReadImage: %v, want a refusal naming the picture's size", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
		t.Errorf("ReadImage allocated %d MiB for a picture it cannot use", got>>20)
	}
}
