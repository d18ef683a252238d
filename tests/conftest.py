import io
import shutil
from datetime import timedelta
from secrets import token_hex

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from ads import services as ad_services
from articles.models import Article, Author, Section, Source, Tag
from articles.services import image_create
from newsroom.settings import redis_cache
from tests.caches import clear_cache


@pytest.fixture(autouse=True)
def _arabic_by_default():
    """Each test starts in the default language: requests to /en/ leave English active."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Nothing cached by one test (content versions, pages, fragments) leaks into another."""
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def page_cache(settings):
    """The page cache on, as in production (tests/settings.py turns it off): pages, feeds
    and sitemaps are served from it."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600


@pytest.fixture(params=["rendered", "page-cache", "page-cache-redis"])
def both_page_cache_states(request, settings):
    """Page-level tests run with every page rendered (as with the page cache off), and with
    the page cache on as in production (a page asked for twice is the second time served
    from it), in this process's memory and in Redis as production configures it (when
    Redis answers: REDIS_URL, else 127.0.0.1:6379/0, under a key prefix of the test's
    own), so that what readers get is what is tested."""
    if request.param == "rendered":
        yield request.param
        return
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    if request.param == "page-cache-redis":
        from tests.test_two_servers import REDIS_URL, redis_or_skip

        redis_or_skip()
        settings.CACHES = {"default": redis_cache(REDIS_URL, f"newsroom-test-{token_hex(6)}")}
        clear_cache()
    yield request.param
    if request.param == "page-cache-redis":
        clear_cache()


@pytest.fixture(autouse=True)
def _own_impression_counts(monkeypatch):
    """Ad impressions counted by one test, and not yet written, stay out of the others:
    what is pending is written before the cache is emptied, not by a timer in a later test."""
    pending = ad_services.PendingImpressions()
    monkeypatch.setattr(ad_services, "pending_impressions", pending)
    yield
    pending.write()


@pytest.fixture(scope="session", autouse=True)
def _remove_test_media():
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


def jpeg_bytes(size=(64, 36), colour=(200, 40, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def jpeg_upload():
    return SimpleUploadedFile("photo.jpg", jpeg_bytes(), content_type="image/jpeg")


@pytest.fixture
def news(db):
    return Section.objects.create(slug="news", name_ar="أخبار", name_en="News", order=1)


@pytest.fixture
def opinions(db):
    return Section.objects.create(slug="opinions", name_ar="آراء", name_en="Opinions", order=2)


@pytest.fixture
def make_article(db, news):
    """Create an article; public and Arabic-only unless told otherwise."""
    counter = iter(range(1, 10_000))

    def make(**fields):
        number = next(counter)
        tags = fields.pop("tags", [])
        picture = fields.pop("image", None)
        texts = {}  # image_alt_ar="…" → the main picture's alt text in Arabic
        for name in [name for name in fields if name.startswith("image_")]:
            _prefix, text, *language = name.split("_")
            value = fields.pop(name)
            for code in language or ("ar", "en"):
                texts.setdefault(code, {})[text] = value
        if picture is not None:
            fields["main_image"] = image_create(file=picture, texts=texts)
        fields.setdefault("section", news)
        fields.setdefault("title_ar", f"خبر رقم {number} عن المياه في البصرة")
        fields.setdefault("body_ar", f"<p>نص الخبر رقم {number}.</p>")
        fields.setdefault("status", Article.Status.PUBLISHED)
        if fields["status"] == Article.Status.PUBLISHED:
            fields.setdefault("published_at", timezone.now() - timedelta(hours=number))
        article = Article.objects.create(**fields)
        article.tags.set(tags)
        return article

    return make


@pytest.fixture
def tag(db):
    return Tag.objects.create(slug="basra", name_ar="البصرة", name_en="Basra")


@pytest.fixture
def author(db):
    return Author.objects.create(slug="layla", name_ar="ليلى حسن", name_en="Layla Hassan")


@pytest.fixture
def source(db):
    return Source.objects.create(
        name_ar="الموقع الرسمي لديوان محافظة البصرة",
        name_en="Basra Governorate Office",
        url="https://basra.example.org/",
    )


@pytest.fixture(scope="session")
def s3_server():
    """An S3-compatible server on loopback (tests/s3.py), started once, for the tests that
    ask for it."""
    from tests.s3 import ENVIRONMENT, S3Server

    with pytest.MonkeyPatch.context() as patch:
        for name, value in ENVIRONMENT.items():
            patch.setenv(name, value)
        server = S3Server()
        yield server
        server.stop()


@pytest.fixture
def s3_media(s3_server, settings):
    """Uploaded pictures go to a new bucket of the S3 server, configured as the settings
    configure it from the environment; returns the bucket's name."""
    from newsroom.settings import s3_media_storage

    bucket = s3_server.new_bucket()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_media_storage(s3_server.environment(bucket)),
    }
    return bucket
