"""QR codes as small 1-bit PNGs that a phone camera reads from a GitHub page.

The symbol comes from zxing-cpp's encoder (C++: about 0.25 ms a code, with
the standard's mask selection, against 1 ms for the pure-Python ``qrcode``
with a fixed mask and 7 ms with its own mask search), the same library the
tests decode every code with. The PNG is written here, straight from the
module matrix: a 1-bit greyscale image whose repeated pixel rows use PNG's
"Up" filter, so they compress to almost nothing (about 430 bytes for a page
URL, against 440 for Pillow's optimised output, and five times faster).
"""

from __future__ import annotations

import struct
import zlib
from typing import Any, cast

import zxingcpp

#: Pixels per module: 4 gives about 180 px for a typical page URL.
BOX_SIZE = 4
#: The quiet zone the standard asks for, in modules.
BORDER = 4
#: Error correction level M: 15 % of the code can be lost.
EC_LEVEL = "M"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: zxing-cpp's image bytes (0 dark, 255 light) as the bits of a 1-bit PNG row.
_TO_BITS = bytes.maketrans(b"\x00\xff", b"01")


def qr_png(data: str, box_size: int = BOX_SIZE) -> bytes:
    """A QR code of ``data`` as PNG bytes (greyscale, 1 bit, deterministic)."""
    symbol = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode, ec_level=EC_LEVEL)
    modules = symbol.to_image(scale=1, add_quiet_zones=False)
    matrix = bytes(cast(Any, modules))  # a buffer, though the stub does not say so
    return _png_1bit(matrix, int(modules.shape[0]), box_size)


def _png_1bit(modules: bytes, size: int, box_size: int) -> bytes:
    """The PNG of a square module matrix (``size`` x ``size`` bytes, 0 dark), with its border."""
    width = (size + 2 * BORDER) * box_size
    pad_bits = "0" * (-width % 8)
    scale = {ord("0"): "0" * box_size, ord("1"): "1" * box_size}
    margin = "1" * BORDER * box_size

    def packed(bits: str) -> bytes:
        bits += pad_bits
        return int(bits, 2).to_bytes(len(bits) // 8, "big")

    light = packed("1" * width)
    rows = [light] * (BORDER * box_size)
    for start in range(0, size * size, size):
        bits = modules[start : start + size].translate(_TO_BITS).decode("ascii").translate(scale)
        rows += [packed(margin + bits + margin)] * box_size
    rows += [light] * (BORDER * box_size)
    same = b"\x02" + bytes(len(light))  # filter "Up": a row equal to the one above is all zeros
    raw = b"".join(
        same if n and row == rows[n - 1] else b"\x00" + row for n, row in enumerate(rows)
    )
    header = struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return (
        _PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
