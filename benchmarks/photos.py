"""Repository growth on real photographs: JPEG and WebP by bytes and SSIM, and bytes per article.

    python -m benchmarks.photos [--photos astronaut,coffee,...] [--per-day 40] [--out FILE.json]

Needs scikit-image (``pip install scikit-image``): its wheel carries the sample
photographs used here and the SSIM metric. Each photo is scaled as the site
scales its pictures (center-cropped to the aspect, then resized with Pillow's
LANCZOS to 800x450 for a featured image and 600x400 for one in the body),
encoded as JPEG (Pillow, ``optimize=True``, as ``MirrorImagesPipeline``
stores them) and as WebP (``method=6``) at a few qualities, decoded again and
compared with the scaled original by SSIM (``structural_similarity``, colour
channels).

The recommended default is the smallest encoding whose mean and worst SSIM are
at least those of today's JPEG quality (``IMAGES_JPEG_QUALITY``): the same
picture quality for fewer bytes. Then the bytes an article adds all in, and
how many years of the default sections fit in 1 GB at a stated rate.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import zlib
from dataclasses import dataclass
from statistics import mean
from typing import Any

import numpy as np
from PIL import Image

from benchmarks.records import convert, record_json
from benchmarks.report import table
from goodnews_scraper import settings as project_settings
from goodnews_scraper.sites.ntdtv import DEFAULT_SECTIONS

#: scikit-image's bundled colour photographs (``skimage.data``), none downloaded.
PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "motorcycle", "hubble_deep_field")
#: The site's picture sizes (docs: /work/shared/ntdtv-site.md): featured, body.
SIZES = {"featured": (800, 450), "body": (600, 400)}
ENCODINGS = (
    ("jpeg", 60),
    ("jpeg", 70),
    ("jpeg", 75),
    ("jpeg", 85),
    ("webp", 60),
    ("webp", 70),
    ("webp", 75),
    ("webp", 80),
)
TODAY = ("jpeg", int(project_settings.IMAGES_JPEG_QUALITY))
#: Pictures an article carries, an estimate: the site's articles mostly have a
#: featured image and one or two in the body (the synthetic site has fewer).
FEATURED_PER_ARTICLE = 1.0
BODY_PER_ARTICLE = 1.5
#: HTML page and feed entries, when on, against the Markdown page (an estimate).
HTML_AND_FEED_FACTOR = 1.3
#: New articles a day across the default sections: an estimate (about five a
#: section a day; the synthetic site's 36-minute spacing gives the same).
PER_DAY = 40
GIGABYTE = 10**9
#: Synthetic articles the page, record and QR code sizes are measured on.
SAMPLE_ARTICLES = 200


def photo(name: str) -> np.ndarray[Any, Any]:
    """One of scikit-image's sample photographs, as an RGB array."""
    from skimage import data

    if name == "motorcycle":
        left, _, _ = data.stereo_motorcycle()
        return np.asarray(left)
    return np.asarray(getattr(data, name)())


def scaled(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Center-cropped to ``size``'s aspect, then resized to it with LANCZOS."""
    width, height = image.size
    target = size[0] / size[1]
    if width / height > target:
        crop = round(height * target)
        box = ((width - crop) // 2, 0, (width - crop) // 2 + crop, height)
    else:
        crop = round(width / target)
        box = (0, (height - crop) // 2, width, (height - crop) // 2 + crop)
    return image.crop(box).resize(size, Image.Resampling.LANCZOS)


def encoded(image: Image.Image, fmt: str, quality: int) -> bytes:
    buf = io.BytesIO()
    if fmt == "jpeg":
        image.save(buf, "JPEG", quality=quality, optimize=True)  # as MirrorImagesPipeline
    else:
        image.save(buf, "WEBP", quality=quality, method=6)
    return buf.getvalue()


def ssim(reference: Image.Image, data: bytes) -> float:
    from skimage.metrics import structural_similarity

    decoded = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    return float(
        structural_similarity(np.asarray(reference), decoded, channel_axis=2, data_range=255)
    )


@dataclass
class Row:
    fmt: str
    quality: int
    bytes: dict[str, float]
    ssim_mean: float
    ssim_min: float

    @property
    def name(self) -> str:
        return f"{self.fmt} {self.quality}"


def encodings(names: list[str]) -> list[Row]:
    """Every encoding of every photo at both sizes: mean bytes by size, SSIM mean and worst."""
    originals = {
        (name, kind): scaled(Image.fromarray(photo(name)).convert("RGB"), size)
        for name in names
        for kind, size in SIZES.items()
    }
    rows = []
    for fmt, quality in ENCODINGS:
        sizes: dict[str, list[int]] = {kind: [] for kind in SIZES}
        scores = []
        for (_, kind), original in originals.items():
            data = encoded(original, fmt, quality)
            sizes[kind].append(len(data))
            scores.append(ssim(original, data))
        rows.append(
            Row(
                fmt,
                quality,
                {kind: mean(values) for kind, values in sizes.items()},
                round(mean(scores), 4),
                round(min(scores), 4),
            )
        )
    return rows


def recommend(rows: list[Row]) -> tuple[Row, Row]:
    """(today's encoding, the smallest one at least as good by mean and worst SSIM)."""
    today = next(r for r in rows if (r.fmt, r.quality) == TODAY)
    good = [r for r in rows if r.ssim_mean >= today.ssim_mean and r.ssim_min >= today.ssim_min]
    return today, min(good, key=lambda r: r.bytes["featured"] + r.bytes["body"])


def article_bytes(pictures: Row, sample: int = SAMPLE_ARTICLES) -> dict[str, dict[str, float]]:
    """Bytes an article adds, by part: raw, and zlib-compressed as git stores a new blob."""
    converted = convert(range(sample), pages=True)
    page = [x.page_markdown.encode() for x in converted]
    record = [record_json(x.record) for x in converted]
    qr = mean(x.qr_png_bytes for x in converted)
    picture = (
        FEATURED_PER_ARTICLE * pictures.bytes["featured"]
        + BODY_PER_ARTICLE * pictures.bytes["body"]
    )
    page_raw, page_z = mean(map(len, page)), mean(len(zlib.compress(p)) for p in page)
    parts = {
        "page (.md)": (page_raw, page_z),
        "store record (.json)": (
            mean(map(len, record)),
            mean(len(zlib.compress(r)) for r in record),
        ),
        "QR code (.png)": (qr, qr),  # PNG is compressed already
        f"pictures ({FEATURED_PER_ARTICLE:g} featured + {BODY_PER_ARTICLE:g} body, "
        f"{pictures.name})": (picture, picture),
        f"HTML page and feeds, when on (~{HTML_AND_FEED_FACTOR}x page)": (
            HTML_AND_FEED_FACTOR * page_raw,
            HTML_AND_FEED_FACTOR * page_z,
        ),
    }
    return {name: {"raw": round(raw), "git": round(z)} for name, (raw, z) in parts.items()}


def years_in(budget: int, per_article: float, per_day: float) -> float:
    return budget / (per_article * per_day * 365.25)


def measure(
    names: list[str], per_day: float = PER_DAY, sample: int = SAMPLE_ARTICLES
) -> dict[str, Any]:
    rows = encodings(names)
    today, best = recommend(rows)
    parts = article_bytes(best, sample)
    today_parts = article_bytes(today, sample) if best is not today else parts
    total = sum(p["git"] for p in parts.values())
    total_today = sum(p["git"] for p in today_parts.values())
    pictures = next(p["git"] for name, p in parts.items() if name.startswith("pictures"))
    text = total - pictures
    per_picture_set = {
        r.name: FEATURED_PER_ARTICLE * r.bytes["featured"] + BODY_PER_ARTICLE * r.bytes["body"]
        for r in rows
    }
    return {
        "photos": names,
        "sizes": {kind: list(size) for kind, size in SIZES.items()},
        "encodings": [
            {
                "format": r.fmt,
                "quality": r.quality,
                "bytes": {k: round(v) for k, v in r.bytes.items()},
                "ssim_mean": r.ssim_mean,
                "ssim_min": r.ssim_min,
            }
            for r in rows
        ],
        "today": today.name,
        "recommended": best.name,
        "per_article": parts,
        "per_article_git_bytes": total,
        "per_article_git_bytes_today": total_today,
        "per_day_estimate": per_day,
        "sections": len(DEFAULT_SECTIONS),
        "years_in_1_gb": round(years_in(GIGABYTE, total, per_day), 1),
        "years_in_1_gb_today": round(years_in(GIGABYTE, total_today, per_day), 1),
        "years_in_1_gb_by_pictures": {
            "none": round(years_in(GIGABYTE, text, per_day), 1),
            **{
                name: round(years_in(GIGABYTE, text + size, per_day), 1)
                for name, size in per_picture_set.items()
            },
        },
    }


def report(result: dict[str, Any]) -> str:
    encodings_ = result["encodings"]
    today = next(e for e in encodings_ if f"{e['format']} {e['quality']}" == result["today"])
    base = today["bytes"]["featured"] + today["bytes"]["body"]
    rows = [
        [
            f"{e['format']} {e['quality']}"
            + (" (today)" if f"{e['format']} {e['quality']}" == result["today"] else "")
            + (
                " **recommended**"
                if f"{e['format']} {e['quality']}" == result["recommended"]
                else ""
            ),
            f"{e['bytes']['featured']:,}",
            f"{e['bytes']['body']:,}",
            f"{e['ssim_mean']:.4f}",
            f"{e['ssim_min']:.4f}",
            f"{(e['bytes']['featured'] + e['bytes']['body']) / base:.2f}",
        ]
        for e in encodings_
    ]
    best = next(e for e in encodings_ if f"{e['format']} {e['quality']}" == result["recommended"])
    saving = 1 - (best["bytes"]["featured"] + best["bytes"]["body"]) / base
    parts = [
        f"**Pictures**: {len(result['photos'])} photographs of scikit-image "
        f"({', '.join(result['photos'])}), each at 800x450 and 600x400; mean bytes, "
        "SSIM against the scaled original.",
        "",
        table(
            [
                "encoding",
                "800x450 bytes",
                "600x400 bytes",
                "SSIM mean",
                "SSIM worst",
                "bytes vs today",
            ],
            rows,
        ),
        "",
        f"Recommended: **{result['recommended']}**, the smallest encoding whose mean and worst "
        f"SSIM ({best['ssim_mean']:.4f}, {best['ssim_min']:.4f}) are at least today's "
        f"{result['today']} ({today['ssim_mean']:.4f}, {today['ssim_min']:.4f}): "
        f"{100 * saving:.0f} % fewer bytes for the same measured quality.",
        "",
        "**Bytes per article, all in** (git: zlib-compressed, as a new blob is stored; "
        "pictures and PNG are compressed already)",
        "",
    ]
    part_rows = [
        [name, f"{p['raw']:,}", f"{p['git']:,}"] for name, p in result["per_article"].items()
    ]
    total_raw = sum(p["raw"] for p in result["per_article"].values())
    part_rows.append(["**total**", f"{total_raw:,}", f"{result['per_article_git_bytes']:,}"])
    parts.append(table(["part", "bytes", "git bytes"], part_rows))
    parts += [
        "",
        f"At **{result['per_day_estimate']:g} new articles a day** across the "
        f"{result['sections']} default sections (an estimate, not measured on the site), "
        f"1 GB holds **{result['years_in_1_gb']} years** with {result['recommended']} "
        f"pictures ({result['years_in_1_gb_today']} years with {result['today']}). "
        "Index and home page rewrites add history on top (not counted here).",
        "",
        "Years in 1 GB by pictures: "
        + ", ".join(
            f"{name} {years}" for name, years in result["years_in_1_gb_by_pictures"].items()
        )
        + ".",
    ]
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.photos", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--photos", default=",".join(PHOTOS), help="skimage.data photo names")
    parser.add_argument("--per-day", type=float, default=PER_DAY, help="new articles a day")
    parser.add_argument("--sample", type=int, default=SAMPLE_ARTICLES, help="synthetic articles")
    parser.add_argument("--out", type=argparse.FileType("w"), default=None)
    args = parser.parse_args(argv)
    names = [n for n in args.photos.split(",") if n]
    unknown = [n for n in names if n not in PHOTOS]
    if not names or unknown:
        parser.error(f"--photos: choose from {', '.join(PHOTOS)}")
    try:
        import skimage  # noqa: F401
    except ImportError:
        parser.error("needs scikit-image: pip install scikit-image")
    if args.per_day <= 0 or args.sample < 1:
        parser.error("--per-day and --sample must be positive")
    result = measure(names, args.per_day, args.sample)
    print(report(result))
    if args.out:
        args.out.write(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
