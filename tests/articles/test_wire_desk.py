"""The wire desk: feeds managed in the admin, polled by `manage.py poll_feeds` from a local
HTTP server whose feeds change between polls (new items, 304s, errors, slow and hostile
answers). Never the internet."""

import io
import json
import threading
import time
import urllib.error
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles import wire
from articles.importers import base
from articles.models import Article, Feed, Section

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def rss(*items, link="https://wire.example/"):
    entries = "".join(
        f"<item><title>{title}</title><guid>{guid}</guid><link>{link}news/{guid}</link>"
        f"<description>&lt;p&gt;{body}&lt;/p&gt;</description>"
        "<pubDate>Mon, 27 Oct 2025 09:15:00 +0300</pubDate></item>"
        for guid, title, body in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>وكالة الأنباء</title>'
        f"<link>{link}</link>{entries}</channel></rss>"
    ).encode()


class FeedServer(BaseHTTPRequestHandler):
    """Each path answers from `routes`: (status, type, body, etag, delay seconds)."""

    routes: dict = {}
    requests: list = []

    def do_GET(self):
        status, content_type, body, etag, delay = self.routes.get(
            self.path, (404, "text/plain", b"", "", 0)
        )
        self.requests.append((self.path, self.headers.get("If-None-Match")))
        if delay:
            time.sleep(delay)
        if etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setattr(base, "ALLOW_PRIVATE_HOSTS", True)  # the server is on loopback
    real_open = base._opener.open

    def loopback_only(request, *args, **kwargs):
        if urlsplit(request.full_url).hostname != "127.0.0.1":
            raise urllib.error.URLError("no network in tests")
        return real_open(request, *args, **kwargs)

    monkeypatch.setattr(base._opener, "open", loopback_only)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FeedServer)
    FeedServer.routes, FeedServer.requests = {}, []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def serve(path, body, *, status=200, content_type="application/rss+xml", etag="", delay=0):
    FeedServer.routes[path] = (status, content_type, body, etag, delay)


def poll(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("poll_feeds", *map(str, args), stdout=out, stderr=err)
        code = 0
    except CommandError as error:
        code = error.returncode
    return code, out.getvalue(), err.getvalue()


def make_feed(url, **fields):
    return Feed.objects.create(name=fields.pop("name", "وكالة"), url=url, **fields)


def due_again(feed):
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db
def test_a_changing_feed_new_items_then_304_then_more(server):
    news = Section.objects.create(slug="news", name_ar="أخبار")
    serve("/wire.xml", rss(("w-1", "خبر أول", "نص أول"), ("w-2", "خبر ثان", "نص ثان")), etag='"v1"')
    feed = make_feed(f"{server}/wire.xml", section=news, trust=Feed.Trust.REVIEW)
    code, out, _err = poll()
    assert code == 0 and "created 2, updated 0" in out
    feed.refresh_from_db()
    assert (feed.etag, feed.last_item_count, feed.last_new_count, feed.total_new_count) == (
        '"v1"',
        2,
        2,
        2,
    )
    assert feed.last_success_at and not feed.last_error and feed.consecutive_errors == 0
    assert feed.next_poll_at > timezone.now() + timedelta(minutes=14)
    assert {(a.section, a.status) for a in Article.objects.all()} == {(news, "review")}

    # Not due yet: nothing is fetched.
    assert poll()[1] == "" and len(FeedServer.requests) == 1

    # Due, unchanged: the server answers 304 to the stored ETag.
    due_again(feed)
    code, out, _err = poll()
    assert "not modified" in out and FeedServer.requests[-1] == ("/wire.xml", '"v1"')
    feed.refresh_from_db()
    assert feed.last_new_count == 0 and feed.total_new_count == 2

    # A new item: only it is taken in.
    serve(
        "/wire.xml", rss(("w-3", "خبر ثالث", "نص ثالث"), ("w-1", "خبر أول", "نص أول")), etag='"v2"'
    )
    due_again(feed)
    assert "created 1, updated 0, unchanged 1" in poll()[1]
    feed.refresh_from_db()
    assert (feed.etag, feed.last_new_count, feed.total_new_count) == ('"v2"', 1, 3)
    assert Article.objects.count() == 3


@pytest.mark.django_db
def test_errors_are_recorded_and_the_feed_backs_off(server):
    serve("/broken.xml", b"oops", status=500, content_type="text/plain")
    feed = make_feed(f"{server}/broken.xml", poll_minutes=10)
    code, _out, err = poll()
    assert code == 1 and "HTTP 500" in err
    feed.refresh_from_db()
    assert feed.consecutive_errors == 1 and "HTTP 500" in feed.last_error
    assert feed.last_error_at and feed.last_success_at is None
    first_wait = feed.next_poll_at - feed.last_error_at
    assert timedelta(minutes=19) < first_wait <= timedelta(minutes=20)
    due_again(feed)
    poll()
    feed.refresh_from_db()
    assert feed.consecutive_errors == 2
    assert feed.next_poll_at - feed.last_error_at > timedelta(minutes=39)
    # Fixed: back to its interval, the error count cleared.
    serve("/broken.xml", rss(("b-1", "خبر", "نص")))
    due_again(feed)
    assert poll()[0] == 0
    feed.refresh_from_db()
    assert feed.consecutive_errors == 0 and feed.last_success_at and feed.total_new_count == 1


@pytest.mark.django_db
def test_a_slow_feed_times_out_without_holding_the_others(server, monkeypatch):
    monkeypatch.setattr(base, "HTTP_TIMEOUT", 0.3)
    serve("/slow.xml", rss(("s-1", "بطيء", "نص")), delay=1)
    serve("/fast.xml", rss(("f-1", "سريع", "نص")))
    slow = make_feed(f"{server}/slow.xml", name="بطيئة")
    make_feed(f"{server}/fast.xml", name="سريعة")
    code, out, err = poll()
    assert code == 1 and "timed out" in err and "created 1" in out
    slow.refresh_from_db()
    assert slow.consecutive_errors == 1 and slow.claimed_until is None
    assert list(Article.objects.values_list("title_ar", flat=True)) == ["سريع"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["xxe.xml", "bomb.xml"])
def test_hostile_feeds_are_refused(server, name):
    serve(f"/{name}", (FIXTURES / name).read_bytes())
    feed = make_feed(f"{server}/{name}")
    code, _out, err = poll()
    assert code == 1 and "refused" in err
    feed.refresh_from_db()
    assert "DTD or entities" in feed.last_error and not Article.objects.exists()


@pytest.mark.django_db
def test_a_feed_larger_than_allowed_is_refused(server, monkeypatch):
    monkeypatch.setattr(wire, "MAX_SOURCE_BYTES", 500)
    serve("/big.xml", rss(*[(f"g-{n}", f"خبر {n}", "نص " * 20) for n in range(20)]))
    make_feed(f"{server}/big.xml")
    assert "is more than the 500 allowed" in poll()[2]
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_feeds_may_not_point_into_the_servers_own_network(server, monkeypatch):
    monkeypatch.setattr(base, "ALLOW_PRIVATE_HOSTS", False)
    serve("/wire.xml", rss(("p-1", "خبر", "نص")))
    feed = make_feed(f"{server}/wire.xml")
    assert "private or local address refused" in poll()[2]
    feed.refresh_from_db()
    assert feed.consecutive_errors == 1 and not FeedServer.requests


@pytest.mark.django_db
def test_the_same_story_from_two_wires_is_linked_not_repeated(server):
    serve("/a.xml", rss(("a-1", "انفجار في المرفأ", "نص"), link="https://agency-a.example/"))
    serve(
        "/b.xml",
        json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "وكالة ب",
                "home_page_url": "https://agency-b.example/",
                "items": [
                    {
                        "id": "b-9",
                        "url": "https://agency-a.example/news/a-1",
                        "title": "انفجار في المرفأ",
                        "content_html": "<p>نص آخر</p>",
                    },
                    {
                        "id": "b-10",
                        "title": "خبر خاص",
                        "content_text": "سطر أول\n\nسطر ثان",
                        "date_published": "2025-10-27T10:00:00+03:00",
                        "authors": [{"name": "مراسل"}],
                        "tags": ["محلي"],
                    },
                ],
            }  # fmt: skip
        ).encode(),
        content_type="application/feed+json",
    )
    make_feed(f"{server}/a.xml", name="أ")
    make_feed(f"{server}/b.xml", name="ب")
    assert poll()[0] == 0
    original = Article.objects.get(import_id="a-1")
    copy = Article.objects.get(import_id="b-9")
    assert copy.duplicate_of == original and copy.status == "draft" and copy.needs_attention
    own = Article.objects.get(import_id="b-10")
    assert own.body_ar == "<p>سطر أول</p>\n<p>سطر ثان</p>" and own.byline_ar == "مراسل"


@pytest.mark.django_db
def test_a_feed_being_polled_is_not_polled_twice_at_once(server):
    serve("/wire.xml", rss(("c-1", "خبر", "نص")))
    feed = make_feed(f"{server}/wire.xml")
    assert wire.claim(feed)  # another run holds it
    assert poll() == (0, "", "") and not FeedServer.requests
    # A run that died holding it frees it after a while.
    Feed.objects.filter(pk=feed.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert "created 1" in poll()[1]


@pytest.mark.django_db
def test_inactive_feeds_are_left_alone_and_one_feed_can_be_polled_now(server):
    serve("/wire.xml", rss(("d-1", "خبر", "نص")))
    feed = make_feed(f"{server}/wire.xml", is_active=False)
    assert poll() == (0, "", "")
    assert "created 1" in poll("--feed", feed.pk)[1]


@pytest.mark.django_db
def test_an_english_wire_fills_the_english_edition(server):
    serve("/en.xml", rss(("e-1", "Port blast", "English text")))
    make_feed(f"{server}/en.xml", language="en")
    poll()
    article = Article.objects.get()
    assert (article.title_en, article.body_en) == ("Port blast", "<p>English text</p>")
    assert article.title_ar == "" and article.slug_en == "port-blast"


@pytest.mark.django_db
def test_the_admin_lists_each_feeds_health_and_can_poll_it_soon(server, admin_client):
    serve("/broken.xml", b"", status=500, content_type="text/plain")
    serve("/wire.xml", rss(("h-1", "خبر", "نص")))
    broken = make_feed(f"{server}/broken.xml", name="معطلة")
    healthy = make_feed(f"{server}/wire.xml", name="سليمة")
    poll()
    page = admin_client.get("/admin/articles/feed/").content.decode()
    assert "خطأ واحد متتالٍ" in page
    assert "HTTP 500" in page  # the error, on hover
    form = admin_client.get(f"/admin/articles/feed/{healthy.pk}/change/").content.decode()
    assert 'name="url"' in form and 'name="poll_minutes"' in form
    assert 'name="last_error"' not in form and 'name="etag"' not in form
    response = admin_client.post(
        "/admin/articles/feed/",
        {"action": "poll_soon", "_selected_action": [broken.pk]},
    )
    assert response.status_code == 302
    assert Feed.objects.due().filter(pk=broken.pk).exists()
    assert not Feed.objects.due().filter(pk=healthy.pk).exists()


@pytest.mark.django_db
def test_a_feed_failing_for_weeks_waits_a_day_and_the_others_are_polled(server):
    serve("/broken.xml", b"oops", status=500, content_type="text/plain")
    serve("/good.xml", rss(("g-1", "خبر سليم", "نص")))
    broken = make_feed(f"{server}/broken.xml", poll_minutes=15)
    Feed.objects.filter(pk=broken.pk).update(consecutive_errors=40)  # 2**41 × 15 min overflows
    good = make_feed(f"{server}/good.xml")
    poll()
    broken.refresh_from_db()
    good.refresh_from_db()
    assert broken.consecutive_errors == 41
    assert broken.next_poll_at - broken.last_error_at == timedelta(days=1)
    assert good.total_new_count == 1
