"""QR codes as small 1-bit PNGs that a phone camera reads from a GitHub page.

Drawn with qrcode (the symbol) and Pillow (the PNG). qrcode's automatic mask
selection scores all eight masks and is most of its cost (about 7 ms a code
here, against 1.5 ms with a fixed mask); any mask gives a valid code, and
the tests decode every code the crawl draws with an independent decoder
(zxing-cpp). Drawing the module matrix straight into a Pillow image skips
qrcode's own image layer.
"""

from __future__ import annotations

import io

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

#: Pixels per module: 4 gives about 180 px for a typical page URL.
BOX_SIZE = 4
#: The quiet zone the standard asks for, in modules.
BORDER = 4
MASK_PATTERN = 0


def qr_png(data: str, box_size: int = BOX_SIZE) -> bytes:
    """A QR code of ``data`` as PNG bytes (mode "1", deterministic)."""
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M, box_size=1, border=BORDER, mask_pattern=MASK_PATTERN
    )
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = Image.frombytes("L", (size, size), pixels).convert("1", dither=Image.Dither.NONE)
    if box_size > 1:
        image = image.resize((size * box_size, size * box_size), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
