"""Link-preview pictures: 1200×630 JPEG renditions of any image file, made once and kept.

`og_image_url(field_file)` takes a Django FieldFile (of any model: this app does not know
articles) and returns the URL of its rendition, generating it on first use in the same
storage under `og/`. The rendition's name comes from the source's name and size, so a
replaced picture gets a new rendition; the shared cache remembers the answer so that a page
view costs no storage call once the rendition exists.
"""

import hashlib
import io
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.templatetags.static import static
from PIL import Image, ImageDraw, ImageOps

logger = logging.getLogger(__name__)

OG_SIZE = (1200, 630)
OG_DIRECTORY = "og"
JPEG_QUALITY = 82
CACHE_SECONDS = 24 * 60 * 60


def rendition_name(source_name, source_size):
    digest = hashlib.sha256(f"{source_name}\0{source_size}".encode()).hexdigest()[:24]
    return f"{OG_DIRECTORY}/{digest}-{OG_SIZE[0]}x{OG_SIZE[1]}.jpg"


def render(source) -> bytes:
    """Crop `source` (a file object) to 1200×630 around its centre and encode it as JPEG."""
    with Image.open(source) as image:
        image = ImageOps.exif_transpose(image)
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            background = Image.new("RGB", image.size, (255, 255, 255))
            background.paste(image, mask=image.getchannel("A"))
            image = background
        elif image.mode != "RGB":
            image = image.convert("RGB")
        image = ImageOps.fit(image, OG_SIZE, method=Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        return buffer.getvalue()


def og_image_url(field_file):
    """The URL of `field_file`'s 1200×630 rendition, or None when it has no usable picture."""
    if not field_file or not getattr(field_file, "name", None):
        return None
    storage = field_file.storage
    cache_key = "social:og:" + hashlib.sha256(field_file.name.encode()).hexdigest()
    cached = cache.get(cache_key)
    if cached:
        return cached
    try:
        name = rendition_name(field_file.name, storage.size(field_file.name))
        if not storage.exists(name):
            with storage.open(field_file.name, "rb") as source:
                data = render(source)
            name = storage.save(name, ContentFile(data))
    except (OSError, ValueError, Image.DecompressionBombError):
        logger.warning("No link-preview picture for %s", field_file.name, exc_info=True)
        return None
    url = storage.url(name)
    cache.set(cache_key, url, CACHE_SECONDS)
    return url


def default_og_image_url():
    """The site's default preview picture (NEWSROOM_OG_DEFAULT_IMAGE): URL or static path."""
    setting = settings.NEWSROOM_OG_DEFAULT_IMAGE
    if not setting:
        return None
    if setting.startswith(("https://", "http://", "/")):
        return setting
    return static(setting)


def draw_default_image(path):
    """Draw the shipped default picture (social/static/social/og-default.png) again."""
    width, height = OG_SIZE
    image = Image.new("RGB", OG_SIZE, (14, 59, 67))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height - 90, width, height], fill=(236, 179, 101))
    # A folded newspaper: a page, a headline bar and lines of text.
    left, top = width // 2 - 170, 120
    draw.rounded_rectangle([left, top, left + 340, top + 300], radius=18, fill=(245, 235, 220))
    draw.rectangle([left + 30, top + 35, left + 310, top + 85], fill=(14, 59, 67))
    for row in range(5):
        y = top + 115 + row * 32
        draw.rectangle(
            [left + 30, y, left + (310 if row % 3 else 220), y + 12], fill=(120, 130, 130)
        )
    image.quantize(colors=8).save(path, format="PNG", optimize=True)
