"""Uploaded pictures: decoded for real, limited, stripped of metadata, randomly named."""

import errno
import io
import re
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from PIL import Image

from articles.models import Article
from articles.models import Image as LibraryImage
from articles.roles import EDITORS
from newsroom.storage import CleanFileSystemStorage
from newsroom.uploads import clean_image
from tests.conftest import jpeg_bytes
from tests.hardening.conftest import gps_jpeg

EXIF_MARKERS = (b"Exif\x00\x00", b"PhoneMaker", b"MAKERNOTE", b"Source Name", b"source's home")


def png_bomb(width=20_000, height=20_000):
    """A valid PNG header for a 400-million-pixel picture in a few hundred bytes."""

    def chunk(kind, data):
        return (
            len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
        )

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    rows = zlib.compress(b"\x00" * 1000)  # far too little data, never read anyway
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


def test_the_crafted_photo_really_carries_gps():
    with Image.open(io.BytesIO(gps_jpeg())) as image:
        assert image.getexif().get_ifd(0x8825)[2] == (30.0, 30.0, 0.0)


def test_stored_photo_has_no_exif_gps_or_maker_note(make_article, settings):
    article = make_article(image=SimpleUploadedFile("basra.jpg", gps_jpeg(), "image/jpeg"))
    stored = Path(settings.MEDIA_ROOT, article.main_image.file.name).read_bytes()
    for marker in EXIF_MARKERS:
        assert marker not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "exif" not in image.info and "comment" not in image.info
        assert image.size == (80, 40)


def test_orientation_is_applied_to_the_pixels(make_article, settings):
    # Orientation 6: the camera was turned; viewers rotate the picture 90° clockwise.
    upload = SimpleUploadedFile("turned.jpg", gps_jpeg(orientation=6), "image/jpeg")
    article = make_article(image=upload)
    with Image.open(Path(settings.MEDIA_ROOT, article.main_image.file.name)) as image:
        assert image.size == (40, 80)
        assert 0x0112 not in image.getexif()
        # After the turn the yellow half is at the top.
        assert image.getpixel((20, 5))[2] < 100 and image.getpixel((20, 75))[2] > 150
    assert (article.main_image.width, article.main_image.height) == (40, 80)


def test_stored_names_are_random_and_drop_the_uploaders_name(make_article):
    first = make_article(image=SimpleUploadedFile("source-ahmed-home.jpg", jpeg_bytes()))
    second = make_article(image=SimpleUploadedFile("source-ahmed-home.jpg", jpeg_bytes()))
    for article in (first, second):
        assert re.fullmatch(r"images/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", article.main_image.file.name)
        assert "ahmed" not in article.main_image.file.name
    assert first.main_image.file.name != second.main_image.file.name


def test_png_named_jpg_is_stored_as_png(make_article):
    buffer = io.BytesIO()
    Image.new("RGBA", (10, 10), (1, 2, 3, 128)).save(buffer, format="PNG")
    article = make_article(image=SimpleUploadedFile("fake.jpg", buffer.getvalue(), "image/jpeg"))
    assert article.main_image.file.name.endswith(".png")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("drawing.svg", SVG, "svg"),
        ("drawing.jpg", SVG, "svg"),  # an SVG renamed .jpg
        ("notes.png", b"Meeting notes: the source lives in Basra.\n" * 20, "not_image"),
        ("bomb.png", png_bomb(), "too_many_pixels"),
        ("truncated.jpg", jpeg_bytes()[:200], "not_image"),
        ("empty.jpg", b"", "not_image"),
    ],
)
def test_what_is_not_a_safe_picture_is_refused(name, content, code):
    with pytest.raises(ValidationError) as refused:
        clean_image(SimpleUploadedFile(name, content, "image/jpeg"))
    assert refused.value.code == code


def test_size_limit(settings):
    settings.NEWSROOM_MAX_IMAGE_BYTES = 1000
    with pytest.raises(ValidationError) as refused:
        clean_image(SimpleUploadedFile("big.jpg", jpeg_bytes(size=(400, 400)), "image/jpeg"))
    assert refused.value.code == "too_big"


def test_pixel_limit_below_pillows(settings):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 100
    with pytest.raises(ValidationError) as refused:
        clean_image(SimpleUploadedFile("wide.jpg", jpeg_bytes(size=(20, 10)), "image/jpeg"))
    assert refused.value.code == "too_many_pixels"
    assert "20×10" in str(refused.value.messages[0])


def test_model_save_refuses_a_disguised_file_and_stores_nothing(make_article, settings):
    with pytest.raises(ValidationError), transaction.atomic():
        make_article(image=SimpleUploadedFile("photo.jpg", SVG, "image/jpeg"))
    assert not Article.objects.exists()
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.*"))


@pytest.fixture
def editor_client(client, staff):
    client.force_login(staff(EDITORS))
    return client


def library_form(upload):
    return {"file": upload, "alt_ar": "جسر", "focal_x": "0.5", "focal_y": "0.5"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (SVG, "لا تُقبل رسوم SVG"),
        (png_bomb(), "مليون بكسل المسموح بها"),
        (b"plain text, not a picture", "ليس صورة يمكننا قراءتها"),
    ],
)
def test_admin_form_shows_a_clear_error(editor_client, news, content, message):
    data = library_form(SimpleUploadedFile("photo.jpg", content, "image/jpeg"))
    response = editor_client.post(
        reverse("admin:articles_image_add"), data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["file"]
    assert any(message in error for error in errors)
    assert not LibraryImage.objects.exists()


def test_admin_upload_is_stored_clean(editor_client, news, settings):
    data = library_form(SimpleUploadedFile("basra.jpg", gps_jpeg(), "image/jpeg"))
    response = editor_client.post(reverse("admin:articles_image_add"), data)
    assert response.status_code == 302
    picture = LibraryImage.objects.get()
    stored = Path(settings.MEDIA_ROOT, picture.file.name).read_bytes()
    assert not any(marker in stored for marker in EXIF_MARKERS)
    assert (picture.width, picture.height) == (80, 40)
    assert picture.uploaded_by.username and picture.alt_ar == "جسر"


def half_written(content, name):
    """The file's chunks: the first half, then the disk is full."""
    data = content.read()

    class HalfWritten(File):
        def chunks(self, chunk_size=None):
            yield data[: len(data) // 2]
            raise OSError(errno.ENOSPC, "No space left on device")

    return HalfWritten(io.BytesIO(data), name=name)


class DiskFullStorage(CleanFileSystemStorage):
    def _save(self, name, content):
        return super()._save(name, half_written(content, name))


@pytest.fixture
def full_disk(monkeypatch, settings):
    storage = DiskFullStorage(location=settings.MEDIA_ROOT)
    monkeypatch.setattr(LibraryImage._meta.get_field("file"), "storage", storage)
    return storage


def test_full_disk_on_upload_is_a_clear_error_with_nothing_half_saved(
    editor_client, news, full_disk, settings
):
    data = library_form(SimpleUploadedFile("basra.jpg", gps_jpeg(), "image/jpeg"))
    data["caption_ar"] = "خبر من المحرر"
    response = editor_client.post(
        reverse("admin:articles_image_add"), data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "قد يكون قرص الخادم ممتلئًا" in response.content.decode()
    # What the editor typed is still in the form.
    assert "خبر من المحرر" in response.content.decode()
    assert not LibraryImage.objects.exists()
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []


def test_without_the_cleanup_a_full_disk_leaves_a_truncated_file(settings, tmp_path):
    """The failure the storage guards against is real: Django's own storage leaves the
    half-written file behind."""
    from django.core.files.storage import FileSystemStorage

    class RawDiskFull(FileSystemStorage):
        def _save(self, name, content):
            return super()._save(name, half_written(content, name))

    storage = RawDiskFull(location=tmp_path / "raw")
    with pytest.raises(OSError):
        storage.save("x.jpg", File(io.BytesIO(jpeg_bytes()), name="x.jpg"))
    assert [p for p in (tmp_path / "raw").rglob("*") if p.is_file()]


def test_saving_through_the_field_file_is_cleaned_too(news, settings):
    """The demo loader and importers call `picture.file.save(name, content)` directly."""
    from django.core.files.base import ContentFile

    picture = LibraryImage()
    picture.file.save("from-the-wire.jpg", ContentFile(gps_jpeg()), save=False)
    picture.save()
    stored = Path(settings.MEDIA_ROOT, picture.file.name).read_bytes()
    assert not any(marker in stored for marker in EXIF_MARKERS)
    assert "wire" not in picture.file.name
    # The dimensions are in the row (read without loading the model, which would compute them).
    assert LibraryImage.objects.values_list("width", "height").get() == (80, 40)
    with pytest.raises(ValidationError):
        picture.file.save("x.jpg", ContentFile(SVG), save=False)


def test_ad_pictures_are_cleaned_too(db, settings):
    from ads.models import Ad

    ad = Ad.objects.create(
        name="Fair",
        advertiser="Fair",
        target_url="https://fair.example/",
        image=SimpleUploadedFile("campaign-photo.jpg", gps_jpeg(), "image/jpeg"),
    )
    assert re.fullmatch(r"ads/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", ad.image.name)
    stored = Path(settings.MEDIA_ROOT, ad.image.name).read_bytes()
    assert not any(marker in stored for marker in EXIF_MARKERS)
    with pytest.raises(ValidationError), transaction.atomic():
        Ad.objects.create(name="x", advertiser="x", image=SimpleUploadedFile("x.png", SVG))
