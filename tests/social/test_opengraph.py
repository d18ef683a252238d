import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from PIL import Image

from social.images import og_image_url
from tests.caches import clear_cache
from tests.social.conftest import jpeg

# Run with the page cache off and on (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("both_page_cache_states")


def meta(html):
    """{property or name: [content, …]} of the page's meta tags."""
    found = {}
    for key, content in re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', html):
        found.setdefault(key, []).append(content)
    return found


@pytest.mark.django_db
def test_article_with_an_image(client, make_article, settings):
    article = make_article(image=jpeg(size=(1600, 1200)), image_alt_ar="جسر فوق شط العرب")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    tags = meta(response.content.decode())
    url = f"http://testserver{article.get_absolute_url()}"
    assert tags["og:type"] == ["article"]
    assert tags["og:url"] == [url]
    assert tags["og:title"] == ["البصرة تفتتح جسراً جديداً"]
    assert tags["og:description"] == ["ملخص الخبر عن الجسر"]
    assert tags["og:locale"] == ["ar_AR"]
    assert tags["og:locale:alternate"] == ["en_US"]
    assert tags["article:section"] == ["سياسة"]
    published = timezone.localtime(article.published_at).isoformat(timespec="seconds")
    assert tags["article:published_time"] == [published]
    assert tags["og:image:width"] == ["1200"] and tags["og:image:height"] == ["630"]
    assert tags["og:image:alt"] == ["جسر فوق شط العرب"]
    image_url = tags["og:image"][0]
    assert image_url.startswith("http://testserver/media/og/") and image_url.endswith(".jpg")
    assert tags["twitter:card"] == ["summary_large_image"]
    assert tags["twitter:image"] == [image_url]
    assert tags["twitter:title"] == tags["og:title"]
    # The rendition exists, 1200×630, made from the main image.
    name = image_url.removeprefix("http://testserver/media/")
    with Image.open(Path(settings.MEDIA_ROOT) / name) as rendition:
        assert rendition.size == (1200, 630)
        assert rendition.format == "JPEG"
        red, green, blue = rendition.getpixel((600, 315))
        assert red > 150 and green < 100


@pytest.mark.django_db
def test_article_without_an_image_uses_the_default(client, make_article):
    article = make_article()
    tags = meta(client.get(article.get_absolute_url()).content.decode())
    assert tags["og:type"] == ["article"]
    assert tags["og:image"] == ["http://testserver/static/social/og-default.png"]
    assert tags["og:image:width"] == ["1200"]
    assert "og:image:alt" not in tags
    assert tags["twitter:card"] == ["summary_large_image"]


@pytest.mark.django_db
def test_english_article_tags(client, make_article, settings):
    settings.NEWSROOM_SITE_URL = "https://news.example"
    article = make_article()
    with translation.override("en"):
        url = article.get_absolute_url()
    assert url.startswith("/en/")
    tags = meta(client.get(url).content.decode())
    assert tags["og:title"] == ["Basra opens a new bridge"]
    assert tags["og:locale"] == ["en_US"]
    assert tags["og:locale:alternate"] == ["ar_AR"]
    assert tags["article:section"] == ["Politics"]
    assert tags["og:url"] == [f"https://news.example{url}"]
    assert tags["og:image"] == ["https://news.example/static/social/og-default.png"]


@pytest.mark.django_db
def test_arabic_only_article_has_no_alternate_locale(client, make_article):
    article = make_article(title_en="", body_en="", summary_en="")
    tags = meta(client.get(article.get_absolute_url()).content.decode())
    assert tags["og:locale"] == ["ar_AR"]
    assert "og:locale:alternate" not in tags


@pytest.mark.django_db
def test_other_pages_have_site_level_tags(client):
    tags = meta(client.get("/en/").content.decode())
    assert tags["og:type"] == ["website"]
    assert tags["og:url"] == ["http://testserver/en/"]
    assert tags["og:site_name"] == tags["og:title"]
    assert tags["og:description"] == ["News from Iraq and the world, in Arabic and English."]
    assert tags["og:image"] == ["http://testserver/static/social/og-default.png"]
    assert tags["og:locale"] == ["en_US"] and tags["og:locale:alternate"] == ["ar_AR"]
    assert "article:published_time" not in tags


def test_the_shipped_default_image_is_1200_by_630():
    path = Path(django_settings.BASE_DIR) / "social/static/social/og-default.png"
    with Image.open(path) as image:
        assert image.size == (1200, 630)
    assert path.stat().st_size < 20_000


@pytest.mark.django_db
def test_rendition_is_made_once_and_reused(make_article, settings):
    article = make_article(image=jpeg(size=(400, 300)))
    first = og_image_url(article.main_image.file)
    og_folder = Path(settings.MEDIA_ROOT) / "og"
    made = sorted(og_folder.iterdir())
    assert len(made) == 1
    mtime = made[0].stat().st_mtime_ns
    # Reused from the cache, and from storage when the cache is gone.
    assert og_image_url(article.main_image.file) == first

    clear_cache()
    assert og_image_url(article.main_image.file) == first
    assert sorted(og_folder.iterdir()) == made
    assert made[0].stat().st_mtime_ns == mtime
    # A small, portrait or transparent picture still gives 1200×630.
    with Image.open(made[0]) as rendition:
        assert rendition.size == (1200, 630)


def test_rendition_of_a_png_with_transparency_and_of_nothing(settings, tmp_path):
    import io

    from django.core.files.base import ContentFile
    from django.db.models.fields.files import FieldFile

    from articles.models import Image as LibraryImage

    buffer = io.BytesIO()
    Image.new("RGBA", (300, 800), (0, 0, 255, 128)).save(buffer, format="PNG")
    name = default_storage.save("uploads/تصميم.png", ContentFile(buffer.getvalue()))
    field_file = FieldFile(LibraryImage(), LibraryImage._meta.get_field("file"), name)
    url = og_image_url(field_file)
    assert url.startswith("/media/og/")
    with default_storage.open(url.removeprefix("/media/")) as stored, Image.open(stored) as image:
        assert image.size == (1200, 630) and image.mode == "RGB"
    assert og_image_url(FieldFile(LibraryImage(), LibraryImage._meta.get_field("file"), "")) is None
    broken = default_storage.save("uploads/broken.jpg", ContentFile(b"not a picture"))
    assert (
        og_image_url(FieldFile(LibraryImage(), LibraryImage._meta.get_field("file"), broken))
        is None
    )


@pytest.mark.django_db
def test_article_page_social_queries(client, make_article, legacy_links):
    article = make_article(image=jpeg())
    client.get(article.get_absolute_url())  # the first view makes the rendition
    clear_cache()  # but the social links are looked up again
    with CaptureQueriesContext(connection) as queries:
        html = client.get(article.get_absolute_url()).content.decode()
    assert len([q for q in queries.captured_queries if "social_" in q["sql"]]) == 1
    assert 'class="share"' in html
    assert html.count('class="social-link ') == 8  # 4 in the header, 4 in the footer


@pytest.mark.django_db
def test_twitter_site_comes_from_the_x_account(client, legacy_links):
    tags = meta(client.get("/").content.decode())
    assert tags["twitter:site"] == ["@newsroom_example"]


@pytest.mark.django_db
def test_default_image_may_be_an_absolute_url(client, settings):
    settings.NEWSROOM_OG_DEFAULT_IMAGE = "https://cdn.news.example/og.png"
    tags = meta(client.get("/").content.decode())
    assert tags["og:image"] == ["https://cdn.news.example/og.png"]
