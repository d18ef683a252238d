"""Feeds and sitemaps are cached (by the page cache, as pages are), cost no queries on a
repeat, and change exactly when the articles do: publish, edit, unpublish, delete, and a
scheduled time arriving."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import services
from articles.cache import ARTICLES, bulk_changes, listing_timeout, next_publication
from articles.models import Article
from newsroom.cache import (
    _VERSION_KEY,
    bump_version,
    cached_value,
    forget_versions,
    get_version,
)
from tests.caches import clear_cache

pytestmark = pytest.mark.usefixtures("page_cache")

CACHED_URLS = [
    "/feed/",
    "/feed/atom/",
    "/news/feed/",
    "/en/feed/",
    "/sitemap.xml",
    "/sitemap-articles-ar.xml",
    "/sitemap-sections.xml",
    "/sitemap-tags.xml",
    "/sitemap-news.xml",
]


@pytest.fixture
def local_clock_cache(settings):
    """The clock tests move the local-memory cache's clock; Redis keeps its own time."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "clock-tests",
        }
    }
    clear_cache()
    yield
    clear_cache()


def queries(client, url, **extra):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("url", CACHED_URLS)
def test_a_repeat_request_costs_no_query(client, make_article, tag, url):
    make_article(tags=[tag], title_en="English", body_en="<p>Body.</p>")
    first, response = queries(client, url)
    assert first > 0
    repeat, again = queries(client, url)
    assert repeat == 0
    assert again.content == response.content
    # A conditional repeat is answered from the cache as well.
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert len(captured) == 0


def test_made_up_query_strings_share_one_entry(client, make_article):
    make_article()
    queries(client, "/feed/")
    assert queries(client, "/feed/?utm_source=x&n=1")[0] == 0


def test_a_sitemap_page_number_is_part_of_the_key(client, make_article, monkeypatch):
    from articles.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 1)
    make_article(title_ar="الأول")
    make_article(title_ar="الثاني")
    one = client.get("/sitemap-articles-ar.xml").content
    two = client.get("/sitemap-articles-ar.xml?p=2").content
    assert one != two


def test_publish_edit_and_unpublish_show_at_once(client, make_article):
    article = make_article(title_ar="مسودة أولى", status=Article.Status.DRAFT)
    assert "مسودة أولى" not in client.get("/feed/").content.decode()

    services.publish_articles(Article.objects.filter(pk=article.pk))
    assert "مسودة أولى" in client.get("/feed/").content.decode()
    assert article.get_absolute_url().encode() in client.get("/sitemap-articles-ar.xml").content

    article.refresh_from_db()
    article.title_ar = "عنوان بعد التحرير"
    article.save()
    feed = client.get("/feed/").content.decode()
    assert "عنوان بعد التحرير" in feed and "مسودة أولى" not in feed
    assert "عنوان بعد التحرير" in client.get("/sitemap-news.xml").content.decode()

    services.unpublish_articles(Article.objects.filter(pk=article.pk))
    assert "عنوان بعد التحرير" not in client.get("/feed/").content.decode()
    assert b"<url>" not in client.get("/sitemap-articles-ar.xml").content


def test_deleting_an_article_or_renaming_a_tag_shows_at_once(client, make_article, tag):
    article = make_article(tags=[tag])
    assert "البصرة" in client.get("/feed/").content.decode()
    tag.name_ar = "محافظة البصرة"
    tag.save()
    assert "محافظة البصرة" in client.get("/feed/").content.decode()
    article.tags.clear()
    assert b"<category>" in client.get("/feed/").content  # the section is still one
    assert "محافظة البصرة" not in client.get("/feed/").content.decode()
    article.delete()
    assert b"<item>" not in client.get("/feed/").content


def test_a_changed_feed_answers_200_to_the_old_etag(client, make_article):
    article = make_article(title_ar="قبل")
    etag = client.get("/feed/")["ETag"]
    article.title_ar = "بعد"
    article.save()
    response = client.get("/feed/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


@pytest.mark.usefixtures("local_clock_cache")
def test_a_scheduled_article_appears_when_its_time_comes(client, make_article, monkeypatch):
    """No write happens at publication time: the cached feed must expire by then."""
    make_article(title_ar="منشور سابقاً")
    scheduled = make_article(
        title_ar="خبر مجدول", published_at=timezone.now() + timedelta(minutes=10)
    )
    url = scheduled.get_absolute_url().encode()
    assert "خبر مجدول" not in client.get("/feed/").content.decode()
    assert url not in client.get("/sitemap-articles-ar.xml").content
    assert 0 < listing_timeout() <= 600

    # Eleven minutes later, for the database queries and for the cache's clock alike.
    later = timezone.now() + timedelta(minutes=11)
    real_time = time.time
    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr(time, "time", lambda: real_time() + 11 * 60)
    assert "خبر مجدول" in client.get("/feed/").content.decode()
    assert url in client.get("/sitemap-articles-ar.xml").content


@pytest.mark.usefixtures("local_clock_cache")
def test_an_old_story_leaves_the_news_sitemap_after_48_hours(client, make_article, monkeypatch):
    """It leaves in 30 minutes, well before the cache's default hour is up."""
    make_article(title_ar="خبر قديم", published_at=timezone.now() - timedelta(hours=47.5))
    assert "خبر قديم" in client.get("/sitemap-news.xml").content.decode()
    later = timezone.now() + timedelta(minutes=40)
    real_time = time.time
    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr(time, "time", lambda: real_time() + 40 * 60)
    assert "خبر قديم" not in client.get("/sitemap-news.xml").content.decode()


def test_listing_timeout_is_the_default_without_scheduled_articles(make_article):
    make_article()
    assert listing_timeout(default=3600) == 3600


def test_bump_changes_the_version_and_survives_a_lost_cache(db):
    first = get_version(ARTICLES)
    assert get_version(ARTICLES) == first
    bumped = bump_version(ARTICLES)
    assert bumped != first and get_version(ARTICLES) == bumped
    clear_cache()
    forget_versions()  # as every process does within NEWSROOM_VERSION_CHECK_SECONDS
    assert get_version(ARTICLES) not in {first, bumped}


def test_another_process_bump_is_seen_within_the_check_interval(db, settings):
    settings.NEWSROOM_VERSION_CHECK_SECONDS = 0.2
    mine = get_version(ARTICLES)
    # Another app server bumps the version in the shared cache.
    theirs = mine + 1
    cache.set(_VERSION_KEY.format(ARTICLES), theirs, timeout=None)
    assert get_version(ARTICLES) == mine  # read moments ago: no round trip
    time.sleep(0.25)
    assert get_version(ARTICLES) == theirs
    # This process's own bumps need no waiting.
    bumped = bump_version(ARTICLES)
    assert get_version(ARTICLES) == bumped


def test_cached_value_is_rebuilt_after_a_bump(db):
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    assert cached_value("t", ["x"], build, versions=[ARTICLES]) == 1
    assert cached_value("t", ["x"], build, versions=[ARTICLES]) == 1
    bump_version(ARTICLES)
    assert cached_value("t", ["x"], build, versions=[ARTICLES]) == 2


@pytest.mark.django_db(transaction=True)
def test_the_version_is_bumped_again_after_commit(news):
    """A request between the write and its commit may cache what it read before the
    commit; the second bump at commit time makes that entry unreachable."""
    with transaction.atomic():
        Article.objects.create(section=news, title_ar="خبر", body_ar="<p>نص</p>")
        during = get_version(ARTICLES)
    assert get_version(ARTICLES) != during


@pytest.mark.parametrize(
    "url", ["/feed/", "/feed/atom/", "/tag/basra/feed/", "/sitemap.xml", "/sitemap-tags.xml"]
)
def test_an_uncached_render_costs_a_constant_number_of_queries(
    client, make_article, tag, jpeg_upload, url
):
    make_article(tags=[tag], image=jpeg_upload)
    small, _ = queries(client, url)
    for _ in range(12):
        make_article(tags=[tag], image=jpeg_upload)
    clear_cache()
    large, _ = queries(client, url)
    assert small == large <= 16


def test_bulk_changes_find_the_next_publication_time_once(
    make_article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, bulk_changes():
        for _ in range(3):
            make_article()
    assert callbacks.count(next_publication) == 1
    with django_capture_on_commit_callbacks() as callbacks:
        make_article()
    assert callbacks.count(next_publication) == 1
