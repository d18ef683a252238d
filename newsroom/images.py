"""Image renditions for any app: resized (or cropped) copies of an uploaded picture, made
once with Pillow, kept in the media storage beside the originals, and found again through
the shared cache without touching the storage.

    rendition(field_file, 640)                       # 640 wide, height to scale, JPEG
    rendition(field_file, 640, fmt="webp")
    rendition(field_file, 1200, 630, directory="og")  # cropped around the centre
    picture(field_file, (320, 640, 960))              # WebP and JPEG srcsets for <picture>

A rendition's name comes from the source's name and size and the requested geometry, so
a replaced picture gets new renditions; a picture is never enlarged (a width above the
source's gives the source's width). Any app may use this module: it knows no model.
"""

import hashlib
import io
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

DIRECTORY = "renditions"
QUALITY = {"jpeg": 82, "webp": 78}
CONTENT_TYPES = {"jpeg": "image/jpeg", "webp": "image/webp"}
CACHE_SECONDS = 7 * 24 * 60 * 60
# Pillow refuses pictures larger than this many pixels (decompression bombs).
Image.MAX_IMAGE_PIXELS = 60_000_000


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int
    height: int
    fmt: str


def _flatten(image):
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")


def render(source, width, height=None, fmt="jpeg") -> tuple[bytes, int, int]:
    """`source` (a file object) as `fmt`: `width` wide at its own proportions, or cropped
    to `width`×`height` around the centre. Returns the bytes and the final size."""
    with Image.open(source) as original:
        image = _flatten(original)
        if height:
            image = ImageOps.fit(image, (width, height), method=Image.Resampling.LANCZOS)
        elif image.width > width:
            size = (width, max(1, round(image.height * width / image.width)))
            image = image.resize(size, Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        if fmt == "webp":
            image.save(buffer, format="WEBP", quality=QUALITY["webp"], method=4)
        else:
            image.save(
                buffer, format="JPEG", quality=QUALITY["jpeg"], optimize=True, progressive=True
            )
        return buffer.getvalue(), image.width, image.height


def _name(source_name, source_size, width, height, fmt, directory):
    geometry = f"{width}x{height}" if height else f"w{width}"
    digest = hashlib.sha256(f"{source_name}\0{source_size}\0{geometry}".encode()).hexdigest()
    extension = "jpg" if fmt == "jpeg" else fmt
    return f"{directory}/{digest[:24]}-{geometry}.{extension}"


def rendition(field_file, width, height=None, *, fmt="jpeg", directory=DIRECTORY):
    """The stored rendition of `field_file` (a FieldFile), made on first use; None when the
    file is missing or not a picture."""
    if not field_file or not getattr(field_file, "name", None):
        return None
    geometry = f"{width}x{height or ''}.{fmt}.{directory}"
    cache_key = "rendition:" + hashlib.sha256(f"{field_file.name}\0{geometry}".encode()).hexdigest()
    found = cache.get(cache_key)
    if found is not None:
        return found
    storage = field_file.storage
    try:
        name = _name(field_file.name, storage.size(field_file.name), width, height, fmt, directory)
        if storage.exists(name):  # made by another process, or before the cache forgot
            with storage.open(name, "rb") as made, Image.open(made) as image:
                size = image.size
        else:
            with storage.open(field_file.name, "rb") as source:
                data, *size = render(source, width, height, fmt)
            name = storage.save(name, ContentFile(data))
    except (OSError, ValueError, Image.DecompressionBombError):
        logger.warning("No %s rendition of %s", geometry, field_file.name, exc_info=True)
        return None
    found = Rendition(storage.url(name), size[0], size[1], fmt)
    cache.set(cache_key, found, CACHE_SECONDS)
    return found


def picture(field_file, widths):
    """What a <picture> needs: {"webp": srcset, "jpeg": srcset, "src", "width", "height"}
    with one candidate per width (the source's own width caps them), or None. One cache
    lookup once made."""
    if not field_file or not getattr(field_file, "name", None):
        return None
    cache_key = "picture:" + hashlib.sha256(f"{field_file.name}\0{widths}".encode()).hexdigest()
    found = cache.get(cache_key)
    if found is not None:
        return found or None
    sets = {}
    for fmt in ("webp", "jpeg"):
        made = [rendition(field_file, width, fmt=fmt) for width in widths]
        unique = {item.width: item for item in made if item is not None}
        sets[fmt] = sorted(unique.values(), key=lambda item: item.width)
    if not sets["jpeg"] or not sets["webp"]:
        cache.set(cache_key, {}, 60 * 60)  # not a picture: do not try again for a while
        return None
    largest = sets["jpeg"][-1]
    found = {
        "webp": ", ".join(f"{item.url} {item.width}w" for item in sets["webp"]),
        "jpeg": ", ".join(f"{item.url} {item.width}w" for item in sets["jpeg"]),
        "src": largest.url,
        "width": largest.width,
        "height": largest.height,
    }
    cache.set(cache_key, found, CACHE_SECONDS)
    return found


# Widths made for each use, and the `sizes` telling browsers how wide the picture shows
# (newsroom/static/newsroom/site.css: teasers fill a grid cell or a 15rem column on wide
# screens, the lead and article pictures the main column).
PRESETS = {
    "teaser": ((320, 480, 640), "(min-width: 48rem) 15rem, 100vw"),
    "lead": ((480, 800, 1200), "(min-width: 64rem) 54rem, 100vw"),
    "article": ((480, 800, 1200), "(min-width: 64rem) 54rem, 100vw"),
}
