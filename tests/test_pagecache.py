"""The page cache: anonymous readers only, exact invalidation, conditional requests, live
fragments, and no cached page outliving the next scheduled publication."""

import itertools
import pickle
import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from articles.services import publish_articles, unpublish_articles
from newsroom import pagecache
from newsroom.middleware import ContentSecurityPolicyMiddleware
from newsroom.pagecache import PageCacheMiddleware, live_fragment, register_fragment


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    settings.NEWSROOM_CDN_SECONDS = 5
    settings.NEWSROOM_CDN_STALE_SECONDS = 30


def get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    response.queries = len(queries)
    return response


@pytest.mark.django_db
def test_a_reader_gets_the_page_from_the_cache_with_no_query(client, make_article):
    article = make_article()
    first = get(client, article.get_absolute_url())
    second = get(client, article.get_absolute_url())
    assert first["X-Page-Cache"] == "miss" and first.queries > 0
    assert second["X-Page-Cache"] == "hit" and second.queries == 0
    assert second.content == first.content
    assert second["Content-Type"] == "text/html; charset=utf-8"
    assert second["X-Frame-Options"] == "DENY"  # headers of the inner middleware are kept
    for header in ("Content-Security-Policy", "Referrer-Policy", "Permissions-Policy"):
        assert second[header] == first[header]
    assert second["Content-Language"] == "ar"
    assert not second.cookies


@pytest.mark.django_db
def test_an_edit_is_served_at_once(client, make_article):
    article = make_article(title_ar="العنوان الأول")
    get(client, "/")
    get(client, article.get_absolute_url())
    article.title_ar = "العنوان المصحح"
    article.save()
    for url in ("/", article.get_absolute_url()):
        response = get(client, url)
        assert response["X-Page-Cache"] == "miss"
        assert "العنوان المصحح" in response.content.decode()
        assert "العنوان الأول" not in response.content.decode()


@pytest.mark.django_db
def test_publish_and_unpublish_services_invalidate(client, make_article):
    draft = make_article(status=Article.Status.DRAFT, title_ar="خبر كان مسودة")
    assert "خبر كان مسودة" not in get(client, "/").content.decode()
    publish_articles(Article.objects.filter(pk=draft.pk))
    assert "خبر كان مسودة" in get(client, "/").content.decode()
    url = Article.objects.get(pk=draft.pk).get_absolute_url()
    assert get(client, url).status_code == 200
    unpublish_articles(Article.objects.filter(pk=draft.pk))
    assert "خبر كان مسودة" not in get(client, "/").content.decode()
    assert get(client, url).status_code == 404


@pytest.mark.django_db
def test_languages_are_cached_apart(client, make_article):
    make_article(title_ar="خبر عربي", title_en="English story", body_en="<p>Text.</p>")
    arabic, english = get(client, "/"), get(client, "/en/")
    assert get(client, "/en/")["X-Page-Cache"] == "hit"
    assert "English story" in get(client, "/en/").content.decode()
    assert "خبر عربي" in get(client, "/").content.decode()
    assert arabic["Content-Language"] == "ar" and english["Content-Language"] == "en"


@pytest.mark.django_db
def test_staff_and_previews_are_never_cached(client, make_article):
    article = make_article()
    draft = make_article(status=Article.Status.DRAFT)
    get(client, article.get_absolute_url())  # cached for readers
    staff = User.objects.create_superuser("editor", "editor@example.com", "a long password 1")
    client.force_login(staff)
    for url in (article.get_absolute_url(), draft.get_absolute_url()):
        response = get(client, url)
        assert response.status_code == 200
        assert "X-Page-Cache" not in response
        assert "private" in response["Cache-Control"]
    assert "preview-banner" in get(client, draft.get_absolute_url()).content.decode()
    client.logout()
    assert get(client, draft.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_cache_headers_and_conditional_requests(client, make_article):
    article = make_article()
    response = get(client, article.get_absolute_url())
    control = set(response["Cache-Control"].split(", "))
    assert {"public", "max-age=0", "s-maxage=5", "stale-while-revalidate=30"} <= control
    etag, last_modified = response["ETag"], response["Last-Modified"]
    # Weak: the page's ad slots are filled on every view (tests/ads/test_page_cache.py).
    assert re.fullmatch(r'W/"[0-9a-f]{32}"', etag)
    not_modified = get(client, article.get_absolute_url(), if_none_match=etag)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.queries == 0
    since = get(client, article.get_absolute_url(), if_modified_since=last_modified)
    assert since.status_code == 304
    article.title_ar = "عنوان آخر"
    article.save()
    changed = get(client, article.get_absolute_url(), if_none_match=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


@pytest.mark.django_db
def test_unknown_query_parameters_are_left_out_of_the_key_and_the_page(client, make_article):
    for _ in range(25):
        make_article()
    get(client, "/news/")
    assert get(client, "/news/?utm_source=x&anything=1")["X-Page-Cache"] == "hit"
    second_page = get(client, "/news/?page=2")
    assert second_page["X-Page-Cache"] == "miss"
    assert second_page.content != get(client, "/news/").content
    assert get(client, "/news/?page=2&fbclid=abc")["X-Page-Cache"] == "hit"
    # A search page's links carry the search, not what a shared link added to it.
    page = get(client, "/search/?q=خبر&utm_source=facebook").content.decode()
    assert "page=2" in page and "utm_source" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/?page=7",  # the home page reads no page number
        "/news/?page=02",  # another spelling of page 2
        "/news/?page=last",
        "/news/?page=1&page=2",
        "/search/?q=%20خبر",  # the search is "خبر"
        "/search/?q=خبر&page=99",  # out of range: the last page is shown
        "/search/?q=خبر&date_from=nonsense",
        "/sitemap-articles-ar.xml?p=01",
    ],
)
def test_other_spellings_of_a_page_are_served_but_never_stored(client, make_article, url):
    for _ in range(25):
        make_article()
    first, second = get(client, url), get(client, url)
    assert first.status_code == second.status_code == 200
    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second


def results(response):
    page = response.content.decode()
    start = page.index('class="search-results"')
    return page[start : page.index("</section>", start)]


@pytest.mark.django_db
def test_search_filters_make_different_pages(client, make_article, opinions):
    make_article(title_ar="خبر في الأخبار")
    make_article(title_ar="خبر في الآراء", section=opinions)
    everywhere = get(client, "/search/?q=خبر")
    assert get(client, "/search/?q=خبر")["X-Page-Cache"] == "hit"
    in_opinions = get(client, "/search/?q=خبر&section=opinions")
    assert in_opinions["X-Page-Cache"] == "miss"
    assert "خبر في الأخبار" in results(everywhere) and "خبر في الآراء" in results(everywhere)
    assert "خبر في الأخبار" not in results(in_opinions)
    assert '<option value="opinions" selected>' in in_opinions.content.decode()
    # The search form as a browser sends it, empty fields included, is stored.
    form = "/search/?q=خبر&section=opinions&date_from=&date_to="
    get(client, form)
    assert get(client, form)["X-Page-Cache"] == "hit"


@pytest.mark.django_db
def test_a_scheduled_article_appears_when_its_time_comes(client, make_article, monkeypatch):
    make_article(title_ar="خبر قديم")
    soon = timezone.now() + timedelta(seconds=90)
    make_article(title_ar="خبر مجدول", published_at=soon)
    response = get(client, "/")
    assert "خبر مجدول" not in response.content.decode()
    s_maxage = int(re.search(r"s-maxage=(\d+)", response["Cache-Control"]).group(1))
    assert s_maxage <= 5
    assert get(client, "/")["X-Page-Cache"] == "hit"
    # No write happens: only the clock moves past the publication time.
    later = time.time() + 91
    monkeypatch.setattr(pagecache.time, "time", lambda: later)
    monkeypatch.setattr(timezone, "now", lambda: soon + timedelta(seconds=1))
    response = get(client, "/", if_modified_since=response["Last-Modified"])
    assert response.status_code == 200 and response["X-Page-Cache"] == "miss"
    assert "خبر مجدول" in response.content.decode()


@pytest.mark.django_db
def test_a_list_made_just_before_a_publication_is_not_kept_past_it(
    client, make_article, monkeypatch
):
    """Lists are kept until the exact publication time, not the whole second after it: a
    page made a moment after it must show the article."""
    make_article(title_ar="خبر قديم")
    start = timezone.now()
    make_article(title_ar="خبر مجدول", published_at=start + timedelta(seconds=30.4))
    make_article(title_ar="خبر بعده", published_at=start + timedelta(seconds=600))
    assert "خبر مجدول" not in get(client, "/").content.decode()
    after = start + timedelta(seconds=30.5)
    monkeypatch.setattr(pagecache.time, "time", lambda: after.timestamp())
    monkeypatch.setattr(timezone, "now", lambda: after)
    page = get(client, "/").content.decode()
    assert "خبر مجدول" in page and "خبر بعده" not in page


@pytest.mark.django_db
def test_entry_lifetime_stops_at_the_next_publication(client, make_article):
    make_article()
    make_article(published_at=timezone.now() + timedelta(seconds=40))
    get(client, "/")
    # The test cache is local memory: look at the stored entry itself.
    entries = [pickle.loads(value) for value in cache._cache.values()]
    pages = [entry for entry in entries if isinstance(entry, dict) and "parts" in entry]
    assert len(pages) == 1
    assert 30 < pages[0]["expires"] - time.time() <= 41


# The middleware on its own, around views made up for the test.


def middleware(view):
    return PageCacheMiddleware(view)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spoil",
    [
        lambda r: r.set_cookie("tracking", "1"),
        lambda r: r.__setitem__("Cache-Control", "private"),
        lambda r: r.__setitem__("Cache-Control", "no-cache"),
        lambda r: setattr(r, "status_code", 404),
        lambda r: r.__setitem__("Content-Type", "application/json"),
    ],
)
def test_what_must_not_be_cached_is_not(rf, spoil):
    calls = itertools.count()

    def view(request):
        response = HttpResponse(f"page {next(calls)}")
        spoil(response)
        return response

    handler = middleware(view)
    first = handler(rf.get("/x/"))
    second = handler(rf.get("/x/"))
    assert first.content != second.content
    assert "X-Page-Cache" not in second


@pytest.mark.django_db
def test_a_page_that_used_the_csp_nonce_is_not_cached(rf):
    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">go()</script>')

    handler = PageCacheMiddleware(ContentSecurityPolicyMiddleware(view))
    first, second = handler(rf.get("/x/")), handler(rf.get("/x/"))
    assert "X-Page-Cache" not in second
    assert first.content != second.content  # a new nonce for every response
    assert re.search(r"'nonce-[^']+'", second["Content-Security-Policy"])


@pytest.mark.django_db
def test_requests_of_staff_or_other_methods_pass_through(client, rf):
    calls = itertools.count()
    handler = middleware(lambda request: HttpResponse(f"page {next(calls)}"))
    handler(rf.get("/x/"))
    assert handler(rf.get("/x/"))["X-Page-Cache"] == "hit"
    staff = User.objects.create_user("desk", password="a long password 1", is_staff=True)
    client.force_login(staff)
    with_session = rf.get("/x/")
    with_session.COOKIES["sessionid"] = client.cookies["sessionid"].value
    response = handler(with_session)
    assert "X-Page-Cache" not in response and "private" in response["Cache-Control"]
    assert "X-Page-Cache" not in handler(rf.post("/x/"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cookie",
    [
        "sessionid=forged",
        "sessionid=abcdefghijklmnopqrstuvwxyz012345",
        "messages=made-up",
        "sessionid=forged; messages=made-up",
    ],
)
def test_a_forged_cookie_is_served_the_readers_cached_page(client, make_article, cookie):
    article = make_article()
    url = article.get_absolute_url()
    get(client, url)
    response = get(client, url, Cookie=cookie)
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "hit"
    assert response.queries <= 1  # the session looked up, nothing rendered
    assert "private" not in response["Cache-Control"]


@pytest.mark.django_db
def test_a_forged_cookie_leaves_the_page_cacheable_on_a_miss(client, make_article):
    url = make_article().get_absolute_url()
    first = get(client, url, Cookie="sessionid=forged")
    assert first["X-Page-Cache"] == "miss" and not first.cookies
    assert get(client, url)["X-Page-Cache"] == "hit"


@pytest.mark.django_db
def test_a_session_that_is_not_a_live_staff_one_is_a_readers(client, make_article):
    url = make_article().get_absolute_url()
    get(client, url)
    reader = User.objects.create_user("reader", password="a long password 1")
    client.force_login(reader)
    assert get(client, url)["X-Page-Cache"] == "hit"
    editor = User.objects.create_user("editor", password="a long password 1", is_staff=True)
    client.force_login(editor)
    assert "X-Page-Cache" not in get(client, url)
    editor.is_active = False
    editor.save()
    assert get(client, url)["X-Page-Cache"] == "hit"


@pytest.mark.django_db
def test_live_fragments_are_filled_on_every_response(rf):
    counter = itertools.count(1)
    register_fragment("test.counter", lambda request, label: f"<b>{label} {next(counter)}</b>")
    renders = itertools.count(1)

    def view(request):
        fragment = live_fragment(request, "test.counter", "ad")
        # A marker typed into content by anyone else is not a hole.
        forged = "<!--live:0000000000000000:0-->"
        return HttpResponse(f"<p>render {next(renders)}</p>{fragment}{forged}")

    handler = middleware(view)
    bodies = [handler(rf.get("/y/")).content.decode() for _ in range(3)]
    assert bodies == [
        f"<p>render 1</p><b>ad {n}</b><!--live:0000000000000000:0-->" for n in (1, 2, 3)
    ]
    response = handler(rf.get("/y/"))
    assert response["X-Page-Cache"] == "hit"
    assert response["ETag"].startswith('W/"')


def test_live_fragments_render_directly_outside_the_page_cache(rf):
    register_fragment("test.plain", lambda request, label: f"<i>{label}</i>")
    assert live_fragment(rf.get("/"), "test.plain", "x") == "<i>x</i>"
    assert live_fragment(None, "test.plain", "y") == "<i>y</i>"
    assert live_fragment(rf.get("/"), "test.missing") == ""


@pytest.mark.django_db
def test_what_a_request_keeps_is_in_one_object(client, make_article):
    """The page cache, the ads and the social links keep their per-request values in the
    request's one state object, not in attributes of their own."""
    url = make_article().get_absolute_url()
    request = client.get(url, headers={"User-Agent": "Mozilla/5.0"}).wsgi_request
    assert isinstance(request.newsroom_state, pagecache.RequestState)
    assert request.newsroom_state.query is None  # an article page reads no parameter
    ours = ("_page_cache", "_live_fragments", "_newsroom", "_social")
    assert not [name for name in vars(request) if name.startswith(ours)]
