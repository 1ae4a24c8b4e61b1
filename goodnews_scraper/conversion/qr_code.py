"""QR codes as small 1-bit PNGs that a phone camera reads from a GitHub page.

Drawn with qrcode (the symbol) and Pillow (the PNG). qrcode's automatic mask
selection scores all eight masks and is most of its cost (about 7 ms a code
here, against 1.5 ms with a fixed mask); any mask gives a valid code, and
the tests decode every code the crawl draws with an independent decoder
(zxing-cpp). The module matrix goes into Pillow as one byte string rather
than through qrcode's image layer or a pixel at a time.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

#: Pixels per module: 4 gives about 180 px for a typical page URL.
BOX_SIZE = 4
#: The quiet zone the standard asks for, in modules.
BORDER = 4
MASK_PATTERN = 0

#: Module value (qrcode: True is dark) to a "1;8" pixel byte (non-zero is white).
_PIXELS = bytes.maketrans(b"\x00\x01", b"\x01\x00")


def qr_png(data: str, box_size: int = BOX_SIZE) -> bytes:
    """A QR code of ``data`` as PNG bytes (mode "1", deterministic)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=MASK_PATTERN)
    code.add_data(data)
    code.make(fit=True)
    image = _image(code.modules)
    if box_size > 1:
        image = image.resize((image.width * box_size,) * 2, Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _image(modules: Sequence[Sequence[bool | None]]) -> Image.Image:
    """The symbol with its quiet zone as a mode "1" image, one pixel per module."""
    width = len(modules) + 2 * BORDER
    side = b"\x00" * BORDER
    band = b"\x00" * (width * BORDER)
    rows = b"".join([side + bytes(row) + side for row in modules])  # type: ignore[arg-type]
    pixels = (band + rows + band).translate(_PIXELS)
    return Image.frombytes("1", (width, width), pixels, "raw", "1;8")
