"""Reads QR codes from JPEG files with Debian's python3-zxing-cpp, for the
decoder comparison in camera's BenchmarkDecodeVsZXing.

Usage: zxingcpp_read.py FILE...
Prints one line per file: seconds (process CPU time, JPEG file to text),
a tab, and the text ("" when no code was read). The JPEG is decoded in
grey by libjpeg through PIL's draft mode, as PassDesk decodes luminance
only.
"""
import sys
import time

import numpy
import zxingcpp
from PIL import Image


def main():
    for name in sys.argv[1:]:
        t0 = time.process_time()
        img = Image.open(name)
        img.draft("L", img.size)
        arr = numpy.asarray(img.convert("L"))
        res = zxingcpp.read_barcode(arr, formats=zxingcpp.BarcodeFormat.QRCode)
        text = res.text if res is not None and res.valid else ""
        took = time.process_time() - t0
        sys.stdout.write("%.6f\t%s\n" % (took, text.replace("\n", " ")))


if __name__ == "__main__":
    main()
