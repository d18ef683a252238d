import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from social.models import Network, Placement, SocialLink
from tests.caches import clear_cache


@pytest.fixture(autouse=True)
def media_cache_language(settings, tmp_path):
    """Each test writes its pictures to its own folder and starts with an empty cache."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NEWSROOM_SITE_URL = ""
    clear_cache()
    # Requests of the test client leave their language active; start from the default.
    with translation.override(settings.LANGUAGE_CODE):
        yield
    clear_cache()


def jpeg(size=(1600, 900), colour=(200, 40, 40), name="picture.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def legacy_links(db):
    """The four accounts of the legacy page, deliberately created out of order."""
    return [
        SocialLink.objects.create(
            network=Network.TELEGRAM, url="https://t.me/newsroom_example", order=4
        ),
        SocialLink.objects.create(
            network=Network.FACEBOOK, url="https://www.facebook.com/newsroom.example", order=1
        ),
        SocialLink.objects.create(
            network=Network.YOUTUBE, url="https://www.youtube.com/@newsroom.example", order=3
        ),
        SocialLink.objects.create(
            network=Network.X,
            url="https://x.com/newsroom_example",
            order=2,
            placement=Placement.HEADER,
        ),
        SocialLink.objects.create(network=Network.RSS, url="/feed/", placement=Placement.FOOTER),
    ]


@pytest.fixture
def section(db):
    from articles.models import Section

    return Section.objects.create(name_ar="سياسة", name_en="Politics", slug="politics")


@pytest.fixture
def make_article(section):
    from articles.models import Article
    from articles.services import image_create

    def make(**kwargs):
        fields = {
            "title_ar": "البصرة تفتتح جسراً جديداً",
            "title_en": "Basra opens a new bridge",
            "summary_ar": "ملخص الخبر عن الجسر",
            "summary_en": "A summary of the bridge story",
            "body_ar": "<p>نص الخبر</p>",
            "body_en": "<p>The story</p>",
            "section": section,
            "status": Article.Status.PUBLISHED,
            "published_at": timezone.now() - timedelta(hours=1),
            **kwargs,
        }
        image = fields.pop("image", None)
        alt = fields.pop("image_alt_ar", "")
        article = Article(**fields)
        if image is not None:
            article.main_image = image_create(file=image, texts={"ar": {"alt": alt}})
        article.save()
        return article

    return make
