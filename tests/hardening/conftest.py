import io

import pytest
from django.contrib.auth.models import Group
from PIL import Image


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff(django_user_model):
    def make(group_name, username=None):
        user = django_user_model.objects.create_user(
            username or group_name.lower().replace(" ", "-"), is_staff=True
        )
        user.groups.add(Group.objects.get(name=group_name))
        return user

    return make


def gps_jpeg(size=(80, 40), orientation=None):
    """A JPEG carrying what a phone writes: camera, maker note, time and GPS position."""
    image = Image.new("RGB", size, (10, 120, 200))
    image.paste((250, 250, 0), (0, 0, size[0] // 2, size[1]))  # left half yellow
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone X"  # Model
    exif[0x0131] = "Camera 1.0"  # Software
    exif[0x013B] = "Source Name"  # Artist
    if orientation:
        exif[0x0112] = orientation
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0x9003] = "2026:11:28 09:15:00"  # DateTimeOriginal
    exif_ifd[0x927C] = b"MAKERNOTE-serial-12345"  # MakerNote
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (30.0, 30.0, 0.0)  # Basra
    gps[3] = "E"
    gps[4] = (47.0, 47.0, 0.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, comment=b"taken at the source's home")
    return buffer.getvalue()
