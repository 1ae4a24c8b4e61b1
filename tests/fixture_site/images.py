"""Real image files for the fixture site, drawn with Pillow: the same bytes every time.

Article pages link their images on ``https://i.ntdtv.com`` like the real site;
``build.py`` rewrites that host in article pages to ``<origin>/i.ntdtv.com`` and
serves the files below there, so a crawl never leaves 127.0.0.1. (List-page
thumbnails keep the real host: the crawler never fetches them.)

What a URL serves follows from its file name, so content can add images freely:

* ``<name>-<W>x<H>.jpg`` / ``.png`` / ``.gif``: an image of that size and format
  (photo-like JPEGs, a bar chart on a transparent background as PNG, a GIF pixel);
* a name with ``-corrupt``: a JPEG cut off after its header, which no decoder reads;
* a name with ``-missing``: not served at all (404).
"""

from __future__ import annotations

import functools
import hashlib
import random
import re
from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageDraw

IMAGE_HOST = "https://i.ntdtv.com"
#: Where the fixture serves ``IMAGE_HOST``'s files, on its own origin.
SERVED_PREFIX = "/i.ntdtv.com"
IMAGE_URL_RE = re.compile(re.escape(IMAGE_HOST) + r"/[A-Za-z0-9/._-]+")
_NAME_RE = re.compile(r"-(\d{1,5})x(\d{1,5})\.(jpg|png|gif)$")
_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif"}

IMAGE = "image"
CORRUPT = "corrupt"
MISSING = "missing"


@dataclass(frozen=True)
class ImageSpec:
    """What the fixture serves for one image URL."""

    url: str
    width: int
    height: int
    format: str  # "jpg" | "png" | "gif"
    kind: str = IMAGE  # IMAGE | CORRUPT | MISSING

    @property
    def path(self) -> str:
        """Path on the fixture origin."""
        return SERVED_PREFIX + self.url[len(IMAGE_HOST) :]

    @property
    def content_type(self) -> str:
        return _TYPES[self.format]


def image_spec(url: str) -> ImageSpec | None:
    """The spec of an image URL on the image host (None for other URLs)."""
    match = _NAME_RE.search(url)
    if not url.startswith(IMAGE_HOST + "/") or match is None:
        return None
    width, height, fmt = int(match.group(1)), int(match.group(2)), match.group(3)
    kind = CORRUPT if "-corrupt" in url else MISSING if "-missing" in url else IMAGE
    return ImageSpec(url, width, height, fmt, kind)


def served_url(url: str, origin: str) -> str:
    """Where the fixture on ``origin`` serves an image-host URL."""
    if url.startswith(IMAGE_HOST + "/"):
        return origin + SERVED_PREFIX + url[len(IMAGE_HOST) :]
    return url


def page_src(url: str, origin: str, min_side: int = 50) -> str:
    """How a page links an image-host image after a crawl with default settings.

    The mirrored file, by the sha1 of the URL the crawler fetched, or the URL
    itself when the image is not mirrored (corrupt, missing, under ``min_side``).
    """
    fetched = served_url(url, origin)
    spec = image_spec(url)
    if spec is None or spec.kind != IMAGE or min(spec.width, spec.height) < min_side:
        return fetched
    return f"../../images/{hashlib.sha1(fetched.encode()).hexdigest()}.webp"


def rewrite_image_host(text: str, origin: str) -> str:
    """Point every image-host URL in ``text`` at the fixture's origin."""
    return text.replace(IMAGE_HOST + "/", origin + SERVED_PREFIX + "/")


def image_urls(html: str) -> list[str]:
    """Image-host URLs in a page, each once, in order."""
    return list(dict.fromkeys(IMAGE_URL_RE.findall(html)))


@functools.lru_cache(maxsize=256)
def image_bytes(spec: ImageSpec) -> bytes | None:
    """The file for ``spec``; None when it is not served."""
    if spec.kind == MISSING:
        return None
    rng = random.Random(spec.url)  # seeded by the URL: same picture every build
    if spec.format == "png":
        return _save(_chart(spec.width, spec.height, rng), "PNG")
    if spec.format == "gif":
        return _save(Image.new("P", (spec.width, spec.height), 0), "GIF")
    data = _save(_photo(spec.width, spec.height, rng), "JPEG", quality=85)
    return data[:400] if spec.kind == CORRUPT else data


def _save(image: Image.Image, fmt: str, **options: object) -> bytes:
    buf = BytesIO()
    image.save(buf, fmt, **options)
    return buf.getvalue()


def _photo(width: int, height: int, rng: random.Random) -> Image.Image:
    """Soft colour fields with fine grain: compresses about like a news photo."""
    small = (max(2, width // 40), max(2, height // 40))
    fields = Image.frombytes("RGB", small, rng.randbytes(small[0] * small[1] * 3))
    fields = fields.resize((width, height), Image.Resampling.BICUBIC)
    grain = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    return Image.blend(fields, Image.merge("RGB", (grain, grain, grain)), 0.12)


def _chart(width: int, height: int, rng: random.Random) -> Image.Image:
    """A bar chart on a transparent background, the usual PNG in an article."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    bars = 8
    step = width // (bars + 1)
    for n in range(bars):
        top = rng.randrange(height // 8, height - height // 8)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256), 255)
        left = step // 2 + n * step
        draw.rectangle((left, top, left + step * 2 // 3, height - 1), fill=colour)
    draw.line((0, height - 1, width - 1, height - 1), fill=(0, 0, 0, 255), width=3)
    return image
