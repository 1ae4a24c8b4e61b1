"""QR codes as small 1-bit PNGs that a phone camera reads from a GitHub page.

The symbol comes from the qrcode library (pure Python: version, segments,
error correction), the PNG from Pillow. The URL is first written as plain
ASCII (:func:`iri_to_uri`), so the code holds no ECI segment and every
reader, old phone apps included, gets the same text. The mask is fixed
rather than chosen per code: choosing it is most of qrcode's time, and the
tests read every code with two independent decoders (zxing-cpp and ZBar).
"""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import qrcode
from PIL import Image
from qrcode.exceptions import DataOverflowError

#: Pixels per module: 4 gives about 180 px for a typical page URL.
BOX_SIZE = 4
#: The quiet zone the standard asks for, in modules.
BORDER = 4
#: Error correction level M: survives 15 % damage (a smudged screen) at a small size.
EC_LEVEL = qrcode.constants.ERROR_CORRECT_M
#: The mask pattern of every code (0-7); see docs/design-notes.md for how it was chosen.
MASK_PATTERN = 2

#: What stays as it is: RFC 3986's unreserved and reserved characters, and
#: ``%`` when it already starts an escape. Everything else is escaped.
_ESCAPED = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]|%(?![0-9A-Fa-f]{2})")


def iri_to_uri(iri: str) -> str:
    """``iri`` with every non-ASCII or unsafe character percent-encoded as UTF-8.

    Existing ``%XX`` escapes and the URL's structure are kept, so a URL that
    is already ASCII comes back unchanged. A non-ASCII host is escaped too, as
    RFC 3986 allows; browsers turn it back into the domain name.
    """
    return _ESCAPED.sub(lambda match: quote(match.group(), safe=""), iri)


def qr_png(data: str, box_size: int = BOX_SIZE) -> bytes:
    """A QR code of the URL ``data``, in its ASCII form, as PNG bytes (mode "1", deterministic).

    Raises ``ValueError`` for empty ``data`` or more than a QR code holds.
    """
    if not data:
        raise ValueError("a QR code needs some text")
    code = qrcode.QRCode(
        error_correction=EC_LEVEL, box_size=1, border=BORDER, mask_pattern=MASK_PATTERN
    )
    code.add_data(iri_to_uri(data))
    try:
        code.make(fit=True)
    except (DataOverflowError, ValueError):  # qrcode 8.2 raises either past version 40
        raise ValueError(f"{len(data)} characters are more than a QR code holds") from None
    matrix = code.get_matrix()  # rows of booleans (dark), quiet zone included
    size = len(matrix)
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = Image.frombytes("L", (size, size), pixels)
    if box_size != 1:
        image = image.resize((size * box_size,) * 2, Image.Resampling.NEAREST)
    out = io.BytesIO()
    # zlib's best level: a few dozen bytes fewer than the default, for 0.1 ms more.
    image.convert("1", dither=Image.Dither.NONE).save(out, format="PNG", compress_level=9)
    return out.getvalue()
