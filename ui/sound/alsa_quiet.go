//go:build cgo && linux

package sound

/*
#cgo pkg-config: alsa
#include <alsa/asoundlib.h>

// quietALSA replaces libasound's error handler, which prints "ALSA lib ..."
// lines on stderr when there is no sound card: stderr carries only what
// PassDesk writes, and openOutput's error already says there is no device.
static void passdeskNoALSAErrors(const char *file, int line, const char *function, int err, const char *fmt, ...) {}
static void passdeskQuietALSA(void) { snd_lib_error_set_handler(passdeskNoALSAErrors); }
*/
import "C"

func init() { C.passdeskQuietALSA() }
