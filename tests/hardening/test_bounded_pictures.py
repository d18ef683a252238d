"""A huge picture holds no worker: a JPEG is decoded at a reduced scale, every picture is
stored at most NEWSROOM_MAX_IMAGE_SIDE on its long side (so renditions, and a page that
makes a missing one, decode a small file), and image limits have one definition."""

import io
import struct

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms

from newsroom import images, uploads
from newsroom.uploads import clean_image


def picture_bytes(size, image_format="PNG", colour=(250, 250, 250), **options):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=image_format, **options)
    return buffer.getvalue()


def stored(upload):
    return Image.open(io.BytesIO(upload.read()))


@pytest.fixture
def decoded_sizes(monkeypatch):
    """The size of every picture Pillow decodes (loads pixels for)."""
    sizes = []
    load = Image.Image.load

    def recording_load(self):
        if getattr(self, "tile", None):  # pixels still to decode from the file
            sizes.append(self.size)
        return load(self)

    monkeypatch.setattr(Image.Image, "load", recording_load)
    return sizes


def test_a_huge_png_is_stored_at_the_longest_side_allowed(settings):
    assert settings.NEWSROOM_MAX_IMAGE_SIDE == 2560
    # Like the report's picture (7000×7000 in 143 KB, under the pixel limit), smaller.
    data = picture_bytes((4000, 3000))
    assert len(data) < 100_000
    with stored(clean_image(SimpleUploadedFile("big.png", data, "image/png"))) as picture:
        assert (picture.format, picture.size) == ("PNG", (2560, 1920))


def test_proportions_are_kept_and_small_pictures_are_left_alone(settings):
    settings.NEWSROOM_MAX_IMAGE_SIDE = 1000
    wide = picture_bytes((3000, 1200), "JPEG")
    with stored(clean_image(SimpleUploadedFile("w.jpg", wide, "image/jpeg"))) as picture:
        assert picture.size == (1000, 400)
    small = picture_bytes((900, 300), "JPEG")
    with stored(clean_image(SimpleUploadedFile("s.jpg", small, "image/jpeg"))) as picture:
        assert picture.size == (900, 300)


def test_a_large_jpeg_is_never_decoded_at_full_size(settings, decoded_sizes):
    settings.NEWSROOM_MAX_IMAGE_SIDE = 1000
    data = picture_bytes((6000, 4000), "JPEG", quality=80)
    with stored(clean_image(SimpleUploadedFile("camera.jpg", data, "image/jpeg"))) as picture:
        assert picture.size == (1000, 667)
    assert decoded_sizes and max(max(size) for size in decoded_sizes) <= 2000


def test_renditions_of_a_huge_upload_decode_the_bounded_picture(settings, tmp_path):
    from django.core.files.storage import FileSystemStorage

    settings.NEWSROOM_MAX_IMAGE_SIDE = 500
    storage = FileSystemStorage(location=tmp_path)
    cleaned = clean_image(SimpleUploadedFile("big.png", picture_bytes((2000, 1000)), "image/png"))
    name = storage.save("big.png", cleaned)
    with storage.open(name) as source:
        assert images.decode(source).size == (500, 250)


def test_one_definition_of_the_limits(settings):
    assert uploads.max_pixels() == settings.NEWSROOM_MAX_IMAGE_PIXELS
    assert uploads.max_bytes() == settings.NEWSROOM_MAX_IMAGE_BYTES
    # Pillow's own decompression-bomb guard follows the same limit.
    assert Image.MAX_IMAGE_PIXELS == settings.NEWSROOM_MAX_IMAGE_PIXELS
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 10_000
    with pytest.raises(ValidationError) as refused:
        clean_image(SimpleUploadedFile("p.png", picture_bytes((200, 60)), "image/png"))
    assert refused.value.code == "too_many_pixels"


def _s15(value):
    return struct.pack(">i", round(value * 65536))


def swapped_primaries_profile():
    """A valid RGB display profile (ICC v2, matrix and gamma 2.2) whose red channel has
    sRGB's green primary and the other way round, with a description that tells who made
    it: a red pixel in it looks green."""

    def xyz(x, y, z):
        return b"XYZ \0\0\0\0" + _s15(x) + _s15(y) + _s15(z)

    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"
    text = b"Camera space of Studio X, serial 12345\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(text)) + text + b"\0" * 78
    tags = [
        (b"desc", desc),
        (b"wtPt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"gXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    header = (
        struct.pack(">I", offset + len(data))
        + b"lcms"
        + bytes([2, 0x10, 0, 0])
        + b"mntrRGB XYZ "
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 28
        + _s15(0.9642)
        + _s15(1.0)
        + _s15(0.8249)
        + b"\0" * 48
    )
    return header + struct.pack(">I", len(tags)) + table + data


def test_the_uploaders_icc_profile_is_not_kept():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    for image_format, name in (("JPEG", "p.jpg"), ("PNG", "p.png"), ("WEBP", "p.webp")):
        data = picture_bytes((40, 20), image_format, colour=(200, 40, 40), icc_profile=profile)
        with Image.open(io.BytesIO(data)) as original:
            assert original.info.get("icc_profile")  # the test's file does carry one
        with stored(clean_image(SimpleUploadedFile(name, data, "image/" + name[-3:]))) as pic:
            assert not pic.info.get("icc_profile"), image_format
            red, green, blue = pic.convert("RGB").getpixel((20, 10))
            assert red > 150 and green < 90 and blue < 90  # still the same red


def test_colours_are_converted_to_srgb_before_the_profile_goes():
    profile = swapped_primaries_profile()
    for image_format, name in (("JPEG", "p.jpg"), ("PNG", "p.png"), ("WEBP", "p.webp")):
        data = picture_bytes((10, 10), image_format, colour=(200, 40, 40), icc_profile=profile)
        cleaned = clean_image(SimpleUploadedFile(name, data, "image/" + name[-3:])).read()
        assert b"Studio X" not in cleaned and b"lcms" not in cleaned
        with Image.open(io.BytesIO(cleaned)) as pic:
            assert not pic.info.get("icc_profile")
            red, green, blue = pic.convert("RGB").getpixel((5, 5))
            assert green > 150 and red < 90 and blue < 90, (image_format, red, green, blue)


def test_a_broken_icc_profile_is_dropped_and_the_picture_kept():
    data = picture_bytes((10, 10), "JPEG", icc_profile=b"not a profile at all" * 10)
    with stored(clean_image(SimpleUploadedFile("odd.jpg", data, "image/jpeg"))) as pic:
        assert pic.size == (10, 10) and not pic.info.get("icc_profile")


def test_imports_follow_the_same_limits(settings, tmp_path):
    from articles.importers.base import ImportItem
    from articles.services import load_import_image

    path = tmp_path / "wire.png"
    path.write_bytes(picture_bytes((200, 60)))
    item = ImportItem(location="wire", import_id="w-1", title="خبر", image_path=path)
    assert load_import_image(item=item)[0] is not None
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 10_000
    assert load_import_image(item=item) == (None, "image not imported: too many pixels")
    settings.NEWSROOM_MAX_IMAGE_BYTES = 100
    assert "larger than 100 bytes" in load_import_image(item=item)[1]


def test_a_page_making_a_missing_rendition_of_an_old_large_jpeg_decodes_it_reduced(
    tmp_path, decoded_sizes
):
    from django.core.files.storage import FileSystemStorage

    # A picture stored before pictures were bounded: 4000×3000, straight into the storage.
    storage = FileSystemStorage(location=tmp_path, base_url="/media/")
    name = storage.save("old.jpg", io.BytesIO(picture_bytes((4000, 3000), "JPEG")))
    field_file = type("FieldFile", (), {"name": name, "storage": storage})()
    made = images.rendition(field_file, 320)
    assert (made.width, made.height) == (320, 240)
    assert decoded_sizes and max(max(size) for size in decoded_sizes) <= 1000
    assert images.make_renditions(storage, name).made
    assert max(max(size) for size in decoded_sizes) <= 2000  # 1200 wide is the largest


def test_a_large_turned_photo_is_scaled_and_turned_upright(settings):
    from tests.hardening.conftest import gps_jpeg

    settings.NEWSROOM_MAX_IMAGE_SIDE = 100
    data = gps_jpeg(size=(400, 200), orientation=6)  # the camera says: turn 90° clockwise
    with stored(clean_image(SimpleUploadedFile("turned.jpg", data, "image/jpeg"))) as picture:
        assert picture.size == (50, 100)
        assert not picture.getexif()
