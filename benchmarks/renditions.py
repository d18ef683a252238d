"""Benchmark: make every rendition of one uploaded 1600×900 JPEG, as an upload does.

    .venv/bin/python benchmarks/renditions.py [--runs 5]

Draws a photo-like picture (gradients and grain, so it compresses like a photograph, not
like a flat colour), stores it in a temporary folder and times `make_renditions` (decode
once, then every registered rendition: the presets' widths in WebP and JPEG, and the
link-preview crop), then each rendition alone. Prints the median of the runs.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-not-a-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import FileSystemStorage  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402

from newsroom import images  # noqa: E402

SIZE = (1600, 900)


def photo() -> bytes:
    sky = Image.linear_gradient("L").resize(SIZE)
    sun = Image.radial_gradient("L").resize(SIZE)
    grain = Image.effect_noise(SIZE, 60).filter(ImageFilter.GaussianBlur(1.2))
    picture = Image.merge("RGB", (sun, sky, grain))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=90, optimize=True)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    specs = images.registered()
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as folder:
        storage = FileSystemStorage(location=folder)
        data = photo()
        timings, each = [], {spec: [] for spec in specs}
        for run in range(args.runs):
            name = storage.save(f"photo-{run}.jpg", ContentFile(data))
            started = time.perf_counter()
            outcome = images.make_renditions(storage, name)
            timings.append(time.perf_counter() - started)
            assert outcome.made == len(specs) and not outcome.error, outcome
            with storage.open(name) as source:
                decoded = images.decode(source)
            for spec in specs:
                started = time.perf_counter()
                images.render(decoded, spec)
                each[spec].append(time.perf_counter() - started)
    print(
        f"renditions: {len(specs)} of one {SIZE[0]}×{SIZE[1]} JPEG ({len(data) / 1024:.0f} KiB) "
        f"in {statistics.median(timings) * 1000:.0f} ms (median of {args.runs}, "
        "decode and storage included)"
    )
    for spec, seconds in each.items():
        geometry = f"{spec.width}×{spec.height}" if spec.height else f"{spec.width} wide"
        print(f"  {geometry:>10} {spec.fmt:<4} {statistics.median(seconds) * 1000:5.0f} ms")


if __name__ == "__main__":
    main()
