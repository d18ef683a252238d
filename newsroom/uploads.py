"""Uploaded pictures: only real images, within limits, stored without their metadata under
random names. Shared by every app that takes pictures (articles, ads). (Renditions of stored
pictures are made by newsroom/images.py.)

`SafeImageField` is a drop-in `models.ImageField`: its form field refuses what is not a
picture Pillow can decode (whatever the file is called or claims to be), SVG, files above
NEWSROOM_MAX_IMAGE_BYTES and pictures above NEWSROOM_MAX_IMAGE_PIXELS (decompression
bombs: read from the header, before any pixel is decoded), each with its own message; and
before a new picture is stored, from the admin or from code, it is decoded and encoded
again without EXIF, GPS, maker notes, XMP, comments or colour profile (the orientation is
applied to the pixels, and the colours converted to sRGB), so a photo never tells where,
when or with what it was taken. It is stored at most NEWSROOM_MAX_IMAGE_SIDE pixels on its
long side (a JPEG is decoded at the reduced scale directly), so that its renditions, and a
page making a missing one, decode a small picture. Once the transaction that stores it
commits, the picture's renditions are made (newsroom/images.py), so that no page view has
to. The limits are settings, defined once (newsroom/settings.py); importers use them too.
"""

import io
import math
import secrets
import warnings
from functools import partial

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, router, transaction
from django.db.models.fields.files import ImageFieldFile
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps

from newsroom import images

# What a stored picture becomes: decoded format -> (format to write, extension, MIME type).
OUTPUT = {
    "JPEG": ("JPEG", "jpg", "image/jpeg"),
    "MPO": ("JPEG", "jpg", "image/jpeg"),  # a phone's JPEG with a second picture inside
    "PNG": ("PNG", "png", "image/png"),
    "WEBP": ("WEBP", "webp", "image/webp"),
    "GIF": ("PNG", "png", "image/png"),
}

MESSAGES = {
    "svg": _("SVG drawings are not accepted: upload a JPEG, PNG or WebP picture."),
    "not_image": _("This file is not a picture we can read. Upload a JPEG, PNG or WebP picture."),
    "format": _("Pictures in %(format)s format are not accepted: upload JPEG, PNG or WebP."),
    "too_big": _("This file is %(size)s MB; pictures may be at most %(limit)s MB."),
    "too_many_pixels": _(
        "This picture is %(width)s×%(height)s pixels, more than the %(limit)s million "
        "pixels allowed. Make it smaller and upload it again."
    ),
    "bomb": _(
        "This picture has far more than the %(limit)s million pixels allowed. "
        "Make it smaller and upload it again."
    ),
}


# What browsers assume of a picture without a colour profile.
SRGB = ImageCms.createProfile("sRGB")


def max_bytes():
    return settings.NEWSROOM_MAX_IMAGE_BYTES


def max_pixels():
    return settings.NEWSROOM_MAX_IMAGE_PIXELS


def max_side():
    return settings.NEWSROOM_MAX_IMAGE_SIDE


def _looks_like_svg(head):
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in text[:1024]


def _read(file):
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    if hasattr(file, "seek"):
        file.seek(0)
    return data


def clean_image(file, *, name_hint="image"):
    """Check `file` and return a new `SimpleUploadedFile` holding the picture encoded again
    without metadata. Raises ValidationError with a message for the editor."""
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes():
        raise _too_big(size)
    data = _read(file)
    if len(data) > max_bytes():
        raise _too_big(len(data))
    if _looks_like_svg(data[:2048]):
        raise ValidationError(MESSAGES["svg"], code="svg")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                width, height = probe.size
                if width * height > max_pixels():
                    raise ValidationError(
                        MESSAGES["too_many_pixels"],
                        code="too_many_pixels",
                        params={
                            "width": width,
                            "height": height,
                            "limit": max_pixels() // 1_000_000,
                        },
                    )
                if image_format not in OUTPUT:
                    raise ValidationError(
                        MESSAGES["format"], code="format", params={"format": image_format}
                    )
                probe.verify()
            # verify() leaves the image unusable: open again and decode every pixel.
            with Image.open(io.BytesIO(data)) as image:
                _decode_at_reduced_scale(image)
                image.load()
                reduced = _box_reduce(image)
                if reduced is not image:
                    image.close()  # the full-size pixels go first (7000×7000: 196 MB)
                cleaned = _encode_without_metadata(_fit(reduced), OUTPUT[image_format][0])
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            # Pillow's own check (Image.MAX_IMAGE_PIXELS) stopped it while reading.
            raise ValidationError(
                MESSAGES["bomb"],
                code="too_many_pixels",
                params={"limit": max_pixels() // 1_000_000},
            ) from error
        except Exception as error:  # Pillow raises many kinds of errors on broken files
            raise ValidationError(MESSAGES["not_image"], code="not_image") from error
    _format, extension, content_type = OUTPUT[image_format]
    upload = SimpleUploadedFile(f"{name_hint}.{extension}", cleaned, content_type=content_type)
    upload.newsroom_cleaned = True
    return upload


def _too_big(size):
    return ValidationError(
        MESSAGES["too_big"],
        code="too_big",
        params={
            "size": f"{size / 1024 / 1024:.1f}",
            "limit": f"{max_bytes() / 1024 / 1024:g}",
        },
    )


def _decode_at_reduced_scale(image):
    """Have a JPEG decode at 1/2, 1/4 or 1/8 of its size where that still leaves its long
    side at least max_side(): a 45-megapixel camera photo then takes a sixteenth of the
    memory and time. Other formats cannot; the pixel limit bounds them."""
    longest = max(image.size)
    if image.format in ("JPEG", "MPO") and longest > max_side():
        scale = max_side() / longest
        image.draft(image.mode, (math.ceil(image.width * scale), math.ceil(image.height * scale)))


def _box_reduce(image):
    """`image` reduced by the whole factor that keeps its long side at least max_side():
    a fast box filter, in a fraction of the memory. The same image when none is needed."""
    factor = max(image.size) // max_side()
    if factor < 2:
        return image
    if image.mode not in ("L", "LA", "RGB", "RGBA", "CMYK"):
        image = image.convert("RGBA")  # a palette would be reduced pixel by pixel
    return image.reduce(factor)


def _fit(image):
    """`image` at most max_side() pixels on its long side, proportions kept."""
    side = max_side()
    if max(image.size) <= side:
        return image
    if image.mode not in ("L", "LA", "RGB", "RGBA", "CMYK"):
        image = image.convert("RGBA")
    scale = side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _in_srgb(image, icc_profile):
    """The pixels converted from the picture's own colour profile to sRGB. The profile
    itself is not kept: its bytes may name the camera, the studio or the person, and every
    browser assumes sRGB. A profile that cannot be read is dropped with the pixels as
    they are."""
    if not icc_profile:
        return image
    if image.mode not in ("L", "RGB", "RGBA", "CMYK"):
        image = image.convert("RGBA")
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, SRGB, outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


def _encode_without_metadata(image, output_format):
    icc_profile = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)  # turn the pixels as the camera said
    upright = _in_srgb(upright, icc_profile)
    if output_format == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    elif output_format in ("PNG", "WEBP") and upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        upright = upright.convert("RGBA")
    # Nothing of the original's metadata goes along: no EXIF (GPS, maker notes, camera,
    # time), XMP, IPTC, comments or colour profile.
    upright.info = {}
    options = {}
    if output_format == "JPEG":
        options.update(quality=90, optimize=True)
    elif output_format == "WEBP":
        options.update(quality=90)
    else:
        options.update(optimize=True)
    buffer = io.BytesIO()
    upright.save(buffer, format=output_format, **options)
    return buffer.getvalue()


@deconstructible
class RandomUploadPath:
    """`upload_to` giving `<folder>/<year>/<month>/<32 random hex digits>.<ext>`: names that
    cannot be guessed, and nothing of the uploader's own file name."""

    def __init__(self, folder):
        self.folder = folder.strip("/")

    def __call__(self, instance, filename):
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
        if not extension.isalnum() or len(extension) > 5:
            extension = "bin"
        today = timezone.localdate()
        return f"{self.folder}/{today:%Y/%m}/{secrets.token_hex(16)}.{extension}"

    def __eq__(self, other):
        return isinstance(other, RandomUploadPath) and other.folder == self.folder


class SafeImageFormField(forms.ImageField):
    def to_python(self, data):
        if data in self.empty_values:
            return None
        if getattr(data, "newsroom_cleaned", False):
            return data
        cleaned = clean_image(data)
        # Keep what Django's ImageField offers callers (the decoded format on .image).
        with Image.open(io.BytesIO(_read(cleaned))) as image:
            cleaned.image = image
        return cleaned


class SafeImageFieldFile(ImageFieldFile):
    """Every way of storing a new picture goes through here: the admin's forms, code
    that assigns a file and saves the model, and `instance.image.save(name, content)`
    (the demo loader, importers)."""

    def save(self, name, content, save=True):
        if not getattr(content, "newsroom_cleaned", False):
            content = clean_image(content)
        super().save(content.name, content, save=save)
        # After the commit: a rolled-back save makes none, and a page never waits for them.
        if images.made_at_upload():
            transaction.on_commit(
                partial(images.make_renditions, self.storage, self.name),
                using=router.db_for_write(type(self.instance), instance=self.instance),
            )

    save.alters_data = True


class SafeImageField(models.ImageField):
    """An ImageField whose new files are checked and stored without metadata, under
    random names (use it with `upload_to=RandomUploadPath(folder)`)."""

    attr_class = SafeImageFieldFile

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SafeImageFormField, **kwargs})
