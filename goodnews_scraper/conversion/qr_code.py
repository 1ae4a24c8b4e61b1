"""QR codes as small 1-bit PNGs that a phone camera reads from a GitHub page.

The symbol comes from zxing-cpp's encoder (C++: version, segments, error
correction, the standard's mask selection, and an ECI segment that says the
text is UTF-8), the PNG from Pillow. The pure-Python qrcode library took
1.6 ms a code, about a quarter of a mirror run's CPU; this takes about
0.6 ms, half of it zlib's. The tests decode codes with zxing-cpp and with
ZBar, so the encoder is not checked only by its own project's reader.
"""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

#: Pixels per module: 4 gives about 180 px for a typical page URL.
BOX_SIZE = 4
#: The quiet zone the standard asks for, in modules (zxing-cpp adds it).
BORDER = 4
#: Error correction level M: survives 15 % damage (a smudged screen) at a small size.
EC_LEVEL = "M"


def qr_png(data: str, box_size: int = BOX_SIZE) -> bytes:
    """A QR code of ``data`` as PNG bytes (mode "1", deterministic).

    Raises ``ValueError`` for empty ``data`` or more than a QR code holds.
    """
    code = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode, ec_level=EC_LEVEL)
    pixels = code.to_image(scale=box_size, add_quiet_zones=True)  # 8-bit, 0 or 255
    height, width = pixels.shape
    gray = Image.frombuffer("L", (width, height), pixels, "raw", "L", 0, 1)
    out = io.BytesIO()
    # zlib's best level: 432 bytes against 449 at the default, for 0.1 ms more.
    gray.convert("1", dither=Image.Dither.NONE).save(out, format="PNG", compress_level=9)
    return out.getvalue()
