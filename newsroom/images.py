"""Image renditions for any app: resized (or cropped) copies of an uploaded picture, made
with Pillow when the picture is stored, kept in the media storage beside the originals, and
found again through the shared cache without touching the storage.

    rendition(field_file, 640)                       # 640 wide, height to scale, JPEG
    rendition(field_file, 640, fmt="webp")
    rendition(field_file, 1200, 630, directory="og")  # cropped around the focal point
    picture(field_file, (320, 640, 960))              # WebP and JPEG srcsets for <picture>
    picture(field_file, (320, 640), ratio=(16, 9))    # the same, cropped to 16:9

Crops keep the picture's focal point: a FieldFile may tell it as `focus`, (x, y) from 0 to
1 across and down (the articles' media library does); without one, the centre.

Every picture stored through a SafeImageField (newsroom/uploads.py) gets the registered
renditions once its transaction commits: those of the PRESETS below, and those that apps
`register()` in their AppConfig.ready() (social: the link-preview crop). Pages then only
look them up; a page that finds one missing (a picture stored before, a width added since)
makes it on first use, and `manage.py make_renditions` makes every missing one.

A rendition's name comes from the source's name and size and the requested geometry, so
a replaced picture gets new renditions and every process finds the same file; a picture is
never enlarged (a width above the source's gives the source's width). Any app may use this
module: it knows no model.
"""

import hashlib
import io
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

from django.core.cache import cache
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

DIRECTORY = "renditions"
FORMATS = ("webp", "jpeg")
QUALITY = {"jpeg": 82, "webp": 78}
CONTENT_TYPES = {"jpeg": "image/jpeg", "webp": "image/webp"}
CACHE_SECONDS = 7 * 24 * 60 * 60


CENTRE = (0.5, 0.5)


@dataclass(frozen=True)
class Spec:
    """A rendition: `width` wide at the source's proportions, or cropped to `width`×`height`
    around `focus` (the centre by default); in `fmt`, stored under `directory`. A crop that
    may not `enlarge` keeps the proportions but stops at the source's own size."""

    width: int
    height: int | None = None
    fmt: str = "jpeg"
    directory: str = DIRECTORY
    focus: tuple[float, float] | None = None
    enlarge: bool = True

    def focused(self, focus):
        """This crop around `focus` (x, y from 0 to 1); a width alone is never cropped."""
        if not self.height or focus is None or tuple(focus) == CENTRE:
            return self
        x, y = (min(1.0, max(0.0, float(value))) for value in focus)
        return replace(self, focus=(round(x, 3), round(y, 3)))

    @property
    def geometry(self):
        if not self.height:
            return f"w{self.width}"
        geometry = f"{self.width}x{self.height}" + ("" if self.enlarge else "c")
        if self.focus is not None:
            geometry += "-at{}-{}".format(*(round(value * 1000) for value in self.focus))
        return geometry

    def stored_name(self, source_name, source_size):
        geometry = self.geometry
        digest = hashlib.sha256(f"{source_name}\0{source_size}\0{geometry}".encode())
        extension = "jpg" if self.fmt == "jpeg" else self.fmt
        return f"{self.directory}/{digest.hexdigest()[:24]}-{geometry}.{extension}"

    def cache_key(self, source_name):
        geometry = f"{self.geometry}.{self.fmt}.{self.directory}"
        return "rendition:" + hashlib.sha256(f"{source_name}\0{geometry}".encode()).hexdigest()


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int
    height: int
    fmt: str


@dataclass
class Outcome:
    """What make_renditions() did for one picture."""

    made: int = 0
    present: int = 0
    error: str = ""  # why none could be made


_registered: dict[Spec, None] = {}  # an ordered set
_left_for_later = ContextVar("renditions_left_for_later", default=False)


def register(*specs):
    """Have every picture stored from now on get these renditions too (see the module's
    docstring); registering one twice changes nothing."""
    _registered.update(dict.fromkeys(specs))


def registered():
    return tuple(_registered)


@contextmanager
def left_for_later():
    """Pictures stored within this block get no renditions when they are stored: for bulk
    imports, where `manage.py make_renditions` or the first page view makes them."""
    token = _left_for_later.set(True)
    try:
        yield
    finally:
        _left_for_later.reset(token)


def made_at_upload():
    """Whether a picture stored now gets its renditions once its transaction commits."""
    return not _left_for_later.get()


def picture_specs(widths, ratio=None):
    """The renditions picture() asks for: each width in WebP and in JPEG, cropped to
    `ratio` (width, height) when given."""
    return tuple(
        Spec(width, _height(width, ratio), fmt=fmt, enlarge=ratio is None)
        for fmt in FORMATS
        for width in widths
    )


def _height(width, ratio):
    return max(1, round(width * ratio[1] / ratio[0])) if ratio else None


def crop(image, spec):
    """`image` cropped to the proportions of `spec` around its focus, then resized."""
    focus_x, focus_y = spec.focus or CENTRE
    ratio = spec.width / spec.height
    crop_width = min(image.width, image.height * ratio)
    crop_height = crop_width / ratio
    # The widest window of those proportions, centred on the focus as far as the edges allow.
    left = min(max(focus_x * image.width - crop_width / 2, 0), image.width - crop_width)
    top = min(max(focus_y * image.height - crop_height / 2, 0), image.height - crop_height)
    size = (spec.width, spec.height)
    if not spec.enlarge and crop_width < spec.width:
        size = (max(1, round(crop_width)), max(1, round(crop_height)))
    box = (left, top, left + crop_width, top + crop_height)
    return image.resize(size, Image.Resampling.LANCZOS, box=box)


def decode(source, *, at_least=None):
    """The picture in `source` (a file object), upright and in RGB on white. With
    `at_least=(width, height)`, a JPEG is decoded at 1/2, 1/4 or 1/8 of its size where
    that still covers it: a large picture stored long ago costs a page that makes its
    missing rendition a fraction of the memory and time."""
    with Image.open(source) as original:
        if at_least is not None:
            original.draft("RGB", at_least)  # only JPEG can; others ignore it
        image = ImageOps.exif_transpose(original)
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            background = Image.new("RGB", image.size, (255, 255, 255))
            background.paste(image, mask=image.getchannel("A"))
            return background
        return image if image.mode == "RGB" else image.convert("RGB")


def render(image, spec) -> tuple[bytes, int, int]:
    """`image` (decoded) as `spec` asks. Returns the encoded bytes and the final size."""
    if spec.height:
        image = crop(image, spec)
    elif image.width > spec.width:
        size = (spec.width, max(1, round(image.height * spec.width / image.width)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if spec.fmt == "webp":
        image.save(buffer, format="WEBP", quality=QUALITY["webp"], method=4)
    else:
        image.save(buffer, format="JPEG", quality=QUALITY["jpeg"], optimize=True, progressive=True)
    return buffer.getvalue(), image.width, image.height


def _store(storage, name, spec, image):
    data, width, height = render(image, spec)
    content = ContentFile(data)
    content.content_type = CONTENT_TYPES[spec.fmt]  # what an object store serves it as
    saved = storage.save(name, content)
    if saved != name:  # another process stored the same rendition meanwhile: keep one
        storage.delete(saved)
    return Rendition(storage.url(name), width, height, spec.fmt)


def _covering(specs):
    """The smallest size a decoded source needs for all of `specs` (exif_transpose may
    turn it: both ways)."""
    side = max(max(spec.width, spec.height or 0) for spec in specs)
    return (side, side)


def make_renditions(storage, name, *, focus=None) -> Outcome:
    """Make the registered renditions of the picture `name` in `storage` that are not
    stored yet (crops around `focus`), decoding the picture once, and remember them in the
    cache. Never raises: why a picture could not be read is logged and told."""
    outcome = Outcome()
    try:
        size = storage.size(name)
        missing = []
        for spec in (spec.focused(focus) for spec in registered()):
            target = spec.stored_name(name, size)
            if storage.exists(target):
                outcome.present += 1
            else:
                missing.append((spec, target))
        if missing:
            with storage.open(name, "rb") as source:
                image = decode(source, at_least=_covering(spec for spec, _target in missing))
            for spec, target in missing:
                cache.set(spec.cache_key(name), _store(storage, target, spec, image), CACHE_SECONDS)
                outcome.made += 1
    # Any storage's errors (those of S3's client are no OSError): a rendition is never
    # worth failing a save or a page for.
    except Exception as error:
        logger.warning("Renditions of %s not made", name, exc_info=True)
        outcome.error = f"{type(error).__name__}: {error}"
    return outcome


def find(field_file, spec):
    """The stored rendition of `field_file` (a FieldFile) that `spec` describes, from the
    cache; found in or made into the storage on a miss. None when the file is missing or
    not a picture."""
    if not field_file or not getattr(field_file, "name", None):
        return None
    spec = spec.focused(getattr(field_file, "focus", None))
    cache_key = spec.cache_key(field_file.name)
    found = cache.get(cache_key)
    if found is not None:
        return found
    storage = field_file.storage
    try:
        name = spec.stored_name(field_file.name, storage.size(field_file.name))
        if storage.exists(name):  # made at upload, by another process, or before the cache forgot
            with storage.open(name, "rb") as made, Image.open(made) as image:
                found = Rendition(storage.url(name), *image.size, spec.fmt)
        else:
            with storage.open(field_file.name, "rb") as source:
                found = _store(storage, name, spec, decode(source, at_least=_covering([spec])))
    except Exception:  # as in make_renditions(): the page shows the original instead
        logger.warning("No %s rendition of %s", spec, field_file.name, exc_info=True)
        return None
    cache.set(cache_key, found, CACHE_SECONDS)
    return found


def rendition(field_file, width, height=None, *, fmt="jpeg", directory=DIRECTORY):
    """find() with the rendition's geometry spelt out."""
    return find(field_file, Spec(width, height, fmt, directory))


def picture(field_file, widths, *, ratio=None):
    """What a <picture> needs: {"webp": srcset, "jpeg": srcset, "src", "width", "height"}
    with one candidate per width (the source's own width caps them), cropped to `ratio`
    around the focal point when given, or None. One cache lookup once made."""
    if not field_file or not getattr(field_file, "name", None):
        return None
    focus = getattr(field_file, "focus", None) if ratio else None
    key = f"{field_file.name}\0{widths}\0{ratio}\0{focus}"
    cache_key = "picture:" + hashlib.sha256(key.encode()).hexdigest()
    found = cache.get(cache_key)
    if found is not None:
        return found or None
    sets = {}
    for fmt in FORMATS:
        made = [
            find(field_file, Spec(width, _height(width, ratio), fmt, enlarge=ratio is None))
            for width in widths
        ]
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
    "square": ((160, 320), "10rem"),
}
# The presets cropped to fixed proportions (around the focal point), as (width, height).
RATIOS = {"teaser": (16, 9), "lead": (16, 9), "square": (1, 1)}
register(
    *(
        spec
        for preset, (widths, _sizes) in PRESETS.items()
        for spec in picture_specs(widths, RATIOS.get(preset))
    )
)
