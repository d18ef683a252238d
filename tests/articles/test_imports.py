"""The import_articles command and the formats behind it, on small files written for the
purpose (tests/articles/fixtures/imports/) and a local HTTP server: never the internet."""

import io
import json
import re
import shutil
import socket
import threading
import urllib.error
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from reversion.models import Version

from articles.html import sanitize_html
from articles.importers import base
from articles.models import Article, Author, LegacyURL, Section, Source, Tag
from tests.conftest import jpeg_bytes

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
WXR = FIXTURES / "wordpress.xml"
WATER = "/2023/05/مياه-البصرة/"


class Result:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err

    @property
    def summary(self):
        lines = [line for line in self.out.splitlines() if line.startswith("created ")]
        return lines[-1] if lines else ""


def run(*args, stdout=None):
    out, err = stdout or io.StringIO(), io.StringIO()
    try:
        call_command("import_articles", *[str(arg) for arg in args], stdout=out, stderr=err)
        code = 0
    except CommandError as error:
        code = error.returncode
        err.write(str(error))
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch):
    """Fetches may reach only this machine's loopback test server."""
    real_open = base._opener.open

    def guarded(request, *args, **kwargs):
        url = request.full_url if hasattr(request, "full_url") else request
        if urlsplit(url).hostname != "127.0.0.1":
            raise urllib.error.URLError("no network in tests")
        return real_open(request, *args, **kwargs)

    monkeypatch.setattr(base._opener, "open", guarded)
    real_getaddrinfo = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost", "10.1.2.3", "169.254.169.254"):
            raise socket.gaierror("no name resolution in tests")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)


# A local web server --------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):
        status, content_type, body, headers = self.routes.get(
            self.path, (404, "text/html", b"not found", {})
        )
        headers = dict(headers)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if not headers.pop("Omit-Length", None):
            self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setattr(base, "ALLOW_PRIVATE_HOSTS", True)  # the test server is on loopback
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Handler.routes = {
        "/photo.jpg": (200, "image/jpeg", jpeg_bytes((80, 50)), {}),
        "/page.jpg": (200, "text/html; charset=utf-8", b"<html>hello</html>", {}),
        "/fake.jpg": (200, "image/jpeg", b"this is not a picture at all", {}),
        "/huge.jpg": (200, "image/jpeg", jpeg_bytes((400, 400)) + b"\0" * 20000, {}),
        # No Content-Length: the cap applies while reading.
        "/stream.jpg": (200, "image/jpeg", b"\xff" * 20000, {"Omit-Length": "1"}),
        "/feed.xml": (200, "application/rss+xml", (FIXTURES / "wire.rss").read_bytes(), {}),
        "/to-file": (302, "text/html", b"", {"Location": "file:///etc/passwd"}),
    }
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def write_jsonl(path, *records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    return path


# WordPress -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_wxr_first_run_loses_no_post_and_flags_what_needs_an_editor():
    result = run(WXR)
    assert result.code == 0
    assert result.summary == "created 9, updated 0, unchanged 0, duplicates 0, failed 0"
    assert "wordpress.xml item 6: created: imported as a draft that needs attention: " in result.out
    assert "shortcode [gallery] removed" in result.err
    titles = set(Article.objects.values_list("title_ar", flat=True))
    # Pages, attachments, menu items, trashed posts and comments are not articles.
    assert not titles & {"من نحن", "water", "الرئيسية", "خبر محذوف"}
    assert not Article.objects.filter(body_ar__contains="تعليق").exists()
    flagged = {
        article.import_id: (article.status, article.attention_reason)
        for article in Article.objects.filter(needs_attention=True)
    }
    assert flagged == {
        "post-16": ("draft", "لا عنوان في المصدر"),
        "post-17": ("draft", "تاريخ غير مفهوم: 2023-13-45 99:00:00"),
        "post-18": ("draft", "النص فارغ في المصدر"),
    }
    untitled = Article.objects.get(import_id="post-16")
    assert untitled.title_ar == "" and untitled.body_ar.startswith("<p>")
    assert Article.objects.get(import_id="post-18").body_ar == ""


@pytest.mark.django_db
def test_wxr_posts_sharing_a_guid_are_different_posts():
    """WordPress keys a post by its id within the site: post 19 reuses post 11's guid but is
    another post (another title, slug, date and body)."""
    run(WXR)
    water, other = (
        Article.objects.get(import_id="post-11"),
        Article.objects.get(import_id="post-19"),
    )
    assert other.title_ar == "نسخة مكررة من خبر المياه" and water.pk != other.pk
    assert not other.needs_attention and other.duplicate_of is None


@pytest.mark.django_db
def test_wxr_archive_imported_under_guids_is_recognised_on_a_rerun():
    """Articles an earlier version imported under the guid are found again, not doubled."""
    run(WXR)
    Article.objects.filter(import_id="post-12").update(import_id="https://old.example.iq/?p=12")
    result = run(WXR)
    assert result.summary == "created 0, updated 0, unchanged 9, duplicates 0, failed 0"
    assert Article.objects.count() == 9


@pytest.mark.django_db
def test_wxr_maps_posts_sections_authors_tags_dates_and_content():
    Section.objects.create(slug="أخبار", name_ar="أخبار")
    run(WXR)
    water = Article.objects.get(import_id="post-11")
    assert water.title_ar == "مياه البصرة: شركة Microsoft & وزارة الموارد – خطة 2024 💧"
    assert water.status == Article.Status.PUBLISHED
    assert water.published_at == datetime(2023, 5, 1, 10, 0, tzinfo=UTC)
    assert water.section.slug == "أخبار" and water.section.name_ar == "أخبار"
    assert (water.author.slug, water.author.name_ar) == ("layla", "ليلى حسن")
    assert set(water.tags.values_list("name_ar", flat=True)) == {"المياه", "Basra"}
    assert water.summary_ar == "خطة جديدة لتحلية المياه"
    assert water.import_source == "wordpress:https://old.example.iq"
    body = water.body_ar
    assert body.startswith("<p>أعلنت الحكومة المحلية") and "Microsoft.<br>" in body
    assert '<figure><img src="https://old.example.iq/wp-content/uploads/2023/05/water.jpg"' in body
    assert "<figcaption>محطة التحلية في أبو الخصيب</figcaption>" in body
    assert "[caption" not in body and "[gallery" not in body
    assert "<p>وأضاف أن العمل يبدأ &amp; ينتهي خلال عام – بحسب الخطة.</p>" in body

    # A category the site has no section for: the hidden "incoming" section, and a tag.
    draft = Article.objects.get(title_ar="مسودة عن الكهرباء")
    assert (draft.status, draft.published_at, draft.section.slug) == ("draft", None, "incoming")
    assert "اقتصاد" in {tag.name_ar for tag in draft.tags.all()}
    assert not Section.objects.get(slug="incoming").in_navigation
    pending = Article.objects.get(import_id="post-13")
    assert pending.status == Article.Status.REVIEW
    assert pending.author.name_ar == "omar"
    scheduled = Article.objects.get(title_ar="خبر مجدول للنشر")
    assert scheduled.is_scheduled and scheduled not in Article.objects.published()
    assert not any(article.is_edited_since_import for article in Article.objects.all())


@pytest.mark.django_db
def test_wxr_malicious_html_is_sanitised_and_only_allowed_embeds_stay():
    run(WXR)
    body = Article.objects.get(title_ar="خبر بمحتوى خبيث").body_ar
    for bad in ("<script", "<style", "onclick", "onerror", "javascript:", "data:", "evil."):
        assert bad not in body
    assert '<a href="https://example.org/" rel="noopener noreferrer">' in body
    # The kept player becomes an embed block (readers get a click-to-load facade).
    assert '<figure data-embed="https://www.youtube.com/watch?v=dQw4w9WgXcQ"></figure>' in body
    assert "plainhttp" not in body and "<iframe" not in body and body.count("data-embed") == 1
    assert "<p></p>" not in body


def test_sanitiser_iframe_allowlist():
    assert sanitize_html('<iframe src="https://player.vimeo.com/video/1"></iframe>') == (
        '<figure data-embed="https://vimeo.com/1"></figure>'
    )
    for src in (
        "https://www.youtube.com.evil.example/embed/x",
        "https://www.youtube.com/watch?v=x",
        "javascript:alert(1)",
        "https://user@www.youtube.com/embed/x",
    ):
        assert sanitize_html(f'<p>x</p><iframe src="{src}"></iframe>') == "<p>x</p>"
    assert "onload" not in sanitize_html(
        '<iframe src="https://www.youtube.com/embed/x" onload="alert(1)"></iframe>'
    )


@pytest.mark.django_db
def test_second_run_is_idempotent_and_writes_nothing():
    run(WXR)
    before = {a.pk: a.updated_at for a in Article.objects.all()}
    counts = (Section.objects.count(), Tag.objects.count(), Author.objects.count())
    result = run(WXR)
    assert result.summary == "created 0, updated 0, unchanged 9, duplicates 0, failed 0"
    assert {a.pk: a.updated_at for a in Article.objects.all()} == before
    assert (Section.objects.count(), Tag.objects.count(), Author.objects.count()) == counts


def changed_copy(tmp_path, old, new):
    path = tmp_path / "wordpress.xml"
    path.write_text(WXR.read_text().replace(old, new, 1))
    return path


@pytest.mark.django_db
def test_changed_items_are_updated_only_with_update(tmp_path):
    run(WXR)
    changed = changed_copy(tmp_path, "Already has paragraphs.", "Now it says something else.")
    result = run(changed)
    assert result.summary == "created 0, updated 0, unchanged 9, duplicates 0, failed 0"
    assert "changed at the source; --update applies it" in result.out
    result = run(changed, "--update")
    assert result.summary == "created 0, updated 1, unchanged 8, duplicates 0, failed 0"
    pending = Article.objects.get(import_id="post-13")
    assert "Now it says something else." in pending.body_ar
    assert not pending.is_edited_since_import
    assert run(changed, "--update").summary.startswith("created 0, updated 0, unchanged 9")


@pytest.mark.django_db
def test_an_article_edited_after_import_is_kept_unless_forced(tmp_path):
    run(WXR)
    pending = Article.objects.get(import_id="post-13")
    pending.title_ar = "عنوان كتبه المحرر"
    pending.save()
    assert pending.is_edited_since_import
    changed = changed_copy(tmp_path, "Already has paragraphs.", "Changed at the source.")
    result = run(changed, "--update")
    assert "edited by an editor since its import; kept (--force overwrites)" in result.out
    assert result.summary == "created 0, updated 0, unchanged 9, duplicates 0, failed 0"
    pending.refresh_from_db()
    assert pending.title_ar == "عنوان كتبه المحرر"
    result = run(changed, "--update", "--force")
    assert result.summary == "created 0, updated 1, unchanged 8, duplicates 0, failed 0"
    pending.refresh_from_db()
    assert pending.title_ar.startswith("Pending") and not pending.is_edited_since_import


@pytest.mark.django_db
def test_section_map_merges_categories(news):
    run(WXR, "--section-map", "old-news=news,economy=news")
    assert Article.objects.get(import_id="post-13").section == news
    assert Article.objects.get(title_ar="مسودة عن الكهرباء").section == news
    assert not Section.objects.filter(slug__in=["old-news", "economy"]).exists()


@pytest.mark.django_db
def test_dry_run_touches_nothing():
    result = run(WXR, "--dry-run")
    assert result.summary == "created 9, updated 0, unchanged 0, duplicates 0, failed 0"
    assert "Dry run: nothing was written." in result.out
    assert not Article.objects.exists()
    assert not (Section.objects.exists() or Tag.objects.exists() or Author.objects.exists())


@pytest.mark.django_db
def test_limit_stops_after_n_items():
    assert run(WXR, "--limit", 2).summary == (
        "created 2, updated 0, unchanged 0, duplicates 0, failed 0"
    )
    assert Article.objects.count() == 2


@pytest.mark.django_db
def test_old_permalinks_redirect_to_the_new_article(client):
    run(WXR)
    water = Article.objects.get(import_id="post-11")
    assert LegacyURL.objects.filter(article=water, path=WATER).exists()
    for path in (WATER, quote(WATER), WATER.rstrip("/")):
        response = client.get(path)
        assert response.status_code == 301, path
        assert response["Location"] == water.get_absolute_url()
    # A dated permalink looks like /<section>/<id>/<slug>/: the old address still wins.
    malicious = Article.objects.get(title_ar="خبر بمحتوى خبيث")
    response = client.get("/2023/05/malicious/")
    assert response["Location"] == malicious.get_absolute_url()
    # Not public yet: the old address does not reveal it.
    assert client.get("/2023/05/pending-story/").status_code == 404
    assert client.get("/2099/01/scheduled/").status_code == 404


@pytest.mark.django_db
def test_legacy_lookup_costs_normal_pages_nothing(client, make_article):
    article = make_article()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(article.get_absolute_url()).status_code == 200
        assert client.get("/").status_code == 200
    assert not [q for q in queries.captured_queries if "legacyurl" in q["sql"].lower()]
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/no-such-page/at/all/").status_code == 404
    assert len([q for q in queries if "legacyurl" in q["sql"].lower()]) == 1


@pytest.mark.django_db
def test_featured_image_from_media_dir(tmp_path):
    uploads = tmp_path / "uploads" / "2023" / "05"
    uploads.mkdir(parents=True)
    (uploads / "water.jpg").write_bytes(jpeg_bytes((64, 36)))
    result = run(WXR, "--media-dir", tmp_path / "uploads")
    assert "image not imported" not in result.err
    water = Article.objects.get(import_id="post-11")
    assert (water.main_image.width, water.main_image.height) == (64, 36)
    assert water.main_image.file.name.endswith(".jpg")
    assert water.main_image.alt_ar == "محطة تحلية على شط العرب"
    assert water.main_image.caption_ar == "محطة التحلية في أبو الخصيب"


@pytest.mark.django_db
@pytest.mark.parametrize("left_for_later", [False, True])
def test_imported_pictures_get_their_renditions_unless_left_for_later(
    tmp_path, settings, django_capture_on_commit_callbacks, left_for_later
):
    settings.MEDIA_ROOT = tmp_path / "media"
    uploads = tmp_path / "uploads" / "2023" / "05"
    uploads.mkdir(parents=True)
    (uploads / "water.jpg").write_bytes(jpeg_bytes((640, 360)))
    options = ["--no-renditions"] if left_for_later else []
    with django_capture_on_commit_callbacks(execute=True):
        result = run(WXR, "--media-dir", tmp_path / "uploads", *options)
    assert Article.objects.get(import_id="post-11").main_image
    renditions = list((tmp_path / "media").glob("*/*-w480.webp"))
    assert len(renditions) == (0 if left_for_later else 1)
    hint = "Pictures stored without renditions: run make_renditions."
    assert (hint in result.out) == left_for_later
    assert result.out.splitlines()[-1] == result.summary


@pytest.mark.django_db
def test_featured_image_that_cannot_be_fetched_is_reported_not_fatal():
    result = run(WXR)
    assert "item 1: image not imported" in result.err
    assert not Article.objects.get(import_id="post-11").main_image


@pytest.mark.django_db
def test_windows_1256_declared_encoding():
    result = run(FIXTURES / "wordpress-windows-1256.xml")
    assert result.code == 0, result.err
    article = Article.objects.get()
    assert article.title_ar == "افتتاح جسر جديد في الموصل"
    assert "جسراً جديداً" in article.body_ar


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["bomb.xml", "xxe.xml"])
def test_xml_bombs_and_external_entities_are_refused(name):
    result = run(FIXTURES / name)
    assert result.code == 2
    assert "refused: the XML declares a DTD or entities" in result.err
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_unreadable_sources_exit_2(tmp_path):
    assert run(tmp_path / "missing.xml").code == 2
    truncated = tmp_path / "cut.xml"
    truncated.write_bytes(WXR.read_bytes()[:3000])
    result = run(truncated, "--format", "wxr")
    assert result.code == 2 and "not well-formed XML" in result.err
    assert not Article.objects.exists()  # the scan proves the file before any write
    unknown = tmp_path / "notes.txt"
    unknown.write_text("just some text")
    result = run(unknown)
    assert result.code == 2 and "give --format" in result.err


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("wordpress.xml", "wxr"),
        ("wire.rss", "feed"),
        ("agency.atom", "feed"),
        ("articles.jsonl", "jsonl"),
        ("legacy", "html"),
        ("legacy/women-peace-security.html", "html"),
    ],
)
def test_format_detection(name, expected):
    assert base.detect_format(str(FIXTURES / name)) == expected


# Feeds ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rss_items_become_articles_for_review_with_the_feed_as_source(news):
    result = run(FIXTURES / "wire.rss", "--section", "news")
    assert result.summary == "created 4, updated 0, unchanged 0, duplicates 0, failed 0"
    assert "wire.rss item 4: created: imported as a draft that needs attention: " in result.out
    undated = Article.objects.get(import_id="alsumaria-1004")
    assert (undated.status, undated.published_at) == ("draft", None)
    assert undated.attention_reason == "تاريخ غير مفهوم: the day after tomorrow"
    articles = Article.objects.exclude(pk=undated.pk).order_by("published_at")
    assert {a.status for a in articles} == {Article.Status.REVIEW}
    assert {a.section for a in articles} == {news}
    source = Source.objects.get()
    assert (source.name_ar, source.url) == ("السومرية نيوز", "https://alsumaria.example.com/")
    first = Article.objects.get(import_id="alsumaria-1001")
    assert first.source == source and first.byline_ar == "مراسل دهوك"
    assert first.body_ar.startswith("<p>أعلن حزب العمال الكردستاني، الاثنين، عن وقف سحب مسلحيه من")
    # The description only repeats the opening of the story: no standfirst.
    assert first.summary_ar == ""
    assert first.published_at == datetime(2025, 10, 27, 6, 15, tzinfo=UTC)
    assert first.source_url == "https://alsumaria.example.com/news/1001"
    assert list(first.tags.values_list("name_ar", flat=True)) == ["سياسة"]
    summary_only = Article.objects.get(import_id="https://alsumaria.example.com/news/1002")
    assert summary_only.title_ar == "نائب إيزيدي يدعو لمعالجة أزمة النازحين & عودتهم"
    assert summary_only.body_ar == "<p>دعا نائب إيزيدي إلى معالجة أزمة النازحين في سنجار.</p>"
    no_guid = Article.objects.get(title_ar="خبر بلا معرف")
    assert no_guid.import_id == "https://alsumaria.example.com/news/1003"
    assert no_guid.body_ar == "<p>نص الخبر الثالث.</p>"
    again = run(FIXTURES / "wire.rss", "--section", "news")
    assert again.summary == "created 0, updated 0, unchanged 4, duplicates 0, failed 0"


@pytest.mark.django_db
def test_atom_entries_with_xhtml_and_summary_content():
    result = run(FIXTURES / "agency.atom", "--status", "draft")
    assert result.summary == "created 2, updated 0, unchanged 0, duplicates 0, failed 0"
    letter = Article.objects.get(import_id="tag:agency.example.org,2025:entry-1")
    assert letter.status == Article.Status.DRAFT
    assert letter.title_ar == "رسالة مراسلون بلا حدود لرئيس الوزراء"
    assert letter.body_ar == (
        "<p>أرسلت منظمة <bdi>Reporters Without Borders</bdi> رسالة إلى رئيس الوزراء.</p>"
        "<p>وفيما يلي نص الرسالة.</p>"
    )
    assert letter.published_at == datetime(2025, 10, 28, 4, 30, tzinfo=UTC)
    assert letter.source.name_ar == "وكالة الأنباء المثال"
    assert letter.source.url == "https://agency.example.org/"
    assert letter.source_url == "https://agency.example.org/2025/10/rsf-letter"
    assert "image not imported" in result.err  # its enclosure is on the internet
    other = Article.objects.get(import_id="tag:agency.example.org,2025:entry-2")
    assert other.body_ar == "<p>Only a <b>summary</b> here.</p>"


@pytest.mark.django_db
def test_feed_from_a_url(server):
    result = run(f"{server}/feed.xml", "--status", "review")
    assert result.summary == "created 4, updated 0, unchanged 0, duplicates 0, failed 0"
    assert Article.objects.filter(import_source="feed:https://alsumaria.example.com/").count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing.xml", "HTTP 404"),
        ("/page.jpg", "unexpected content type text/html"),
        ("/to-file", "HTTP 302"),
    ],
)
def test_feed_urls_that_cannot_be_read_exit_2(server, path, message):
    result = run(f"{server}{path}", "--format", "feed")
    assert result.code == 2
    assert message in result.err
    assert not Article.objects.exists()


# JSON Lines ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_jsonl_good_and_bad_lines():
    Section.objects.create(slug="culture", name_ar="ثقافة")
    result = run(FIXTURES / "articles.jsonl")
    assert result.summary == "created 5, updated 0, unchanged 0, duplicates 0, failed 5"
    for message in (
        "articles.jsonl line 4: created: imported as a draft that needs attention: "
        "no headline in the source",
        "articles.jsonl line 5: failed: unknown status 'archived'",
        "articles.jsonl line 6: created: imported as a draft that needs attention: "
        "date not understood: 20/10/2025",
        "articles.jsonl line 7: failed: not valid JSON",
        "articles.jsonl line 8: failed: a line must hold one JSON object",
        "articles.jsonl line 9: failed: “tags” must be a list of strings",
        "articles.jsonl line 11: failed: not valid UTF-8",
        "articles.jsonl line 10: unknown field “unknown_field” ignored",
    ):
        assert message in result.err + result.out
    fair = Article.objects.get(import_id="cms-1")
    assert fair.title_ar == "افتتاح معرض الكتاب في أربيل 📚"
    assert fair.title_en == "Erbil book fair opens" and fair.has_language("en")
    assert (fair.status, fair.is_featured) == ("published", True)
    assert fair.published_at == datetime(2025, 10, 20, 7, 0, tzinfo=UTC)
    assert (fair.section.slug, fair.section.name_ar) == ("culture", "ثقافة")
    assert (fair.author.slug, fair.author.name_ar) == ("sara", "سارة علي")
    assert fair.source.name_ar == "شبكة أخبار نركال" and fair.dateline_ar == "أربيل"
    assert set(fair.tags.values_list("name_ar", flat=True)) == {"الكتاب", "أربيل"}
    assert Article.objects.get(import_id="cms-8").status == Article.Status.REVIEW
    assert run(FIXTURES / "articles.jsonl").summary == (
        "created 0, updated 0, unchanged 5, duplicates 0, failed 5"
    )


# Duplicates across formats and feeds -----------------------------------------------------------


@pytest.mark.django_db
def test_same_story_from_another_format_is_a_duplicate(tmp_path):
    run(FIXTURES / "wire.rss")
    story = Article.objects.get(import_id="alsumaria-1001")
    path = write_jsonl(
        tmp_path / "more.jsonl",
        # The same address, another identifier.
        {"id": "x-1", "title": "عنوان آخر", "body": "<p>نص</p>", "url": story.source_url},
        # The same headline, spelt with diacritics and other punctuation, a few hours later.
        {
            "id": "x-2",
            "title": "العُمّال الكردستاني: يوقف سحب مسلحيه من تركيا!",
            "body": "<p>نص</p>",
            "source": "السومرية نيوز",
            "published_at": "2025-10-27T20:00:00+03:00",
        },
        # The same headline from the same source, but two days later: a new story.
        {
            "id": "x-3",
            "title": "العمال الكردستاني يوقف سحب مسلحيه من تركيا",
            "body": "<p>نص</p>",
            "source": "السومرية نيوز",
            "published_at": "2025-10-30T09:00:00+03:00",
        },
    )
    result = run(path)
    assert result.summary == "created 1, updated 0, unchanged 0, duplicates 2, failed 0"
    assert f"more.jsonl line 1: duplicate: same story as article {story.pk}" in result.out
    assert f"more.jsonl line 2: duplicate: same story as article {story.pk}" in result.out
    assert Article.objects.filter(import_id="x-3").exists()
    # Kept, not dropped: drafts linked to the story, flagged for the editors; run again,
    # nothing new.
    copies = Article.objects.filter(import_id__in=["x-1", "x-2"])
    assert {(a.duplicate_of_id, a.status, a.needs_attention) for a in copies} == {
        (story.pk, "draft", True)
    }
    assert run(path).summary == "created 0, updated 0, unchanged 3, duplicates 0, failed 0"


@pytest.mark.django_db
def test_copies_of_one_story_in_one_batch_are_linked(tmp_path):
    url = "https://agency.example/story/1"
    path = write_jsonl(
        tmp_path / "two.jsonl",
        {"id": "a-1", "title": "خبر", "body": "<p>نص</p>", "url": url},
        {"id": "a-2", "title": "خبر آخر", "body": "<p>نص</p>", "url": url},
    )
    assert run(path).summary == "created 1, updated 0, unchanged 0, duplicates 1, failed 0"
    first, second = Article.objects.get(import_id="a-1"), Article.objects.get(import_id="a-2")
    assert second.duplicate_of == first and first.duplicate_of is None


# Images over HTTP ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_images_are_fetched_checked_and_decoded(server, tmp_path, settings):
    settings.NEWSROOM_MAX_IMAGE_BYTES = 8000  # the one limit, for uploads and imports
    records = [
        {"id": f"img-{name}", "title": f"صورة {name}", "body": "<p>نص</p>",
         "image_url": f"{server}/{name}.jpg"}
        for name in ("photo", "missing", "page", "fake", "huge", "stream")
    ]  # fmt: skip
    result = run(write_jsonl(tmp_path / "images.jsonl", *records))
    assert result.summary == "created 6, updated 0, unchanged 0, duplicates 0, failed 0"
    photo = Article.objects.get(import_id="img-photo")
    assert (photo.main_image.width, photo.main_image.height) == (80, 50)
    # Stored re-encoded without metadata (newsroom/uploads.py): the same picture, new bytes.
    with Image.open(photo.main_image.file.path) as stored:
        assert (stored.format, stored.size) == ("JPEG", (80, 50))
    assert "images.jsonl line 2: image not imported" in result.err and "HTTP 404" in result.err
    assert "unexpected content type text/html" in result.err
    assert "line 4: image not imported: not a readable image" in result.err
    assert re.search(r"huge.jpg: \d+ bytes is more than the 8000 allowed", result.err)
    assert "stream.jpg: more than the 8000 bytes allowed" in result.err
    assert Article.objects.exclude(main_image=None).count() == 1


# Legacy pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_legacy_page_keeps_the_story_and_none_of_the_chrome(client, admin_client):
    result = run(FIXTURES / "legacy", "--section", "news")
    assert result.summary == "created 1, updated 0, unchanged 0, duplicates 0, failed 0"
    article = Article.objects.get()
    assert article.title_ar == (
        "الأمانة العامة لمجلس الوزراء ترعى المؤتمر الخاص بمناقشة ملف المرأة والأمن والسلام"
    )
    assert article.source.name_ar == "الموقع الرسمي لديوان محافظة البصرة"
    assert article.published_at == datetime(2024, 2, 12, 6, 30, tzinfo=UTC)
    assert article.status == Article.Status.REVIEW
    assert (article.main_image.width, article.main_image.height) == (60, 40)
    assert article.main_image.alt_ar == "جانب من المؤتمر"
    body = article.body_ar
    assert body.count("<p>") == 4
    assert body.startswith("<p>رعت الأمانة العامة لمجلس الوزراء، ممثلة بدائرة تمكين المرأة")
    assert "ومساواة لجميع العراقيين.</p>" in body
    chrome = (
        "Skip to main content", "Facebook", "Twitter", "YouTube", "Telegram", "المصدر",
        "Opinions", "مقال رأي", "اقرأ المزيد", "العمال الكردستاني", "نائب إيزيدي", "نركال",
        "•", "حمورابي", "Side Adv", "شارك على", "تغريد", "الرئيسية", "جميع الحقوق", "<img",
        "onmouseover", "_gaq", "ترعى المؤتمر الخاص",
    )  # fmt: skip
    for text in chrome:
        assert text not in body, text
    # Published, the page shows the source line once, as data, and the old address redirects.
    article.status = Article.Status.PUBLISHED
    article.save()
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.count("الموقع الرسمي لديوان محافظة البصرة") == 1
    response = client.get("/ar/news/2024/women-peace-security")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


@pytest.mark.django_db
def test_legacy_page_without_text_is_a_flagged_draft(tmp_path):
    (tmp_path / "empty.html").write_text(
        "<html><head><meta charset='utf-8'></head><body><h1>عنوان</h1>"
        "<div class='sidebar'><p>إعلان</p></div></body></html>"
    )
    result = run(tmp_path, "--format", "html")
    assert result.code == 0
    assert "empty.html: created: imported as a draft that needs attention: empty body" in result.out
    article = Article.objects.get()
    assert (article.title_ar, article.body_ar, article.status) == ("عنوان", "", "draft")
    assert article.needs_attention and article.attention_reason == "النص فارغ في المصدر"


# Output ------------------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.django_db
def test_progress_bar_only_on_a_terminal():
    plain = run(FIXTURES / "wire.rss")
    assert "\r" not in plain.out and "items/s" not in plain.out
    Article.objects.all().delete()
    shown = run(FIXTURES / "wire.rss", stdout=Terminal())
    assert "\r[" in shown.out and "ETA" in shown.out and "/s" in shown.out
    assert shown.summary.endswith("duplicates 0, failed 0")


@pytest.mark.django_db
def test_verbosity_zero_prints_nothing_and_two_lists_items():
    quiet = run(FIXTURES / "agency.atom", "--verbosity", "0")
    assert quiet.out == ""
    Article.objects.all().delete()
    chatty = run(FIXTURES / "agency.atom", "--verbosity", "2")
    assert "agency.atom item 2: created: Summary only entry" in chatty.out
    assert "items in" in chatty.out


@pytest.mark.django_db
def test_each_item_is_its_own_transaction(monkeypatch):
    """A database error on one item rolls back that item alone, tags and all: its batch is
    written again item by item."""
    from articles import services

    real = services._tag_ids

    def failing(*, names, **kwargs):
        if "سياسة" in names:
            real(names=names, **kwargs)
            raise services.DatabaseError("disk full")
        return real(names=names, **kwargs)

    monkeypatch.setattr(services, "_tag_ids", failing)
    result = run(FIXTURES / "wire.rss")
    assert "wire.rss item 1: failed: disk full" in result.err
    assert result.summary == "created 3, updated 0, unchanged 0, duplicates 0, failed 1"
    assert not Article.objects.filter(import_id="alsumaria-1001").exists()
    assert not Tag.objects.exists()  # the tag made inside the failed item went with it
    assert Source.objects.count() == 1


@pytest.mark.django_db
def test_import_into_existing_rows_reuses_them(news, source, tmp_path):
    path = write_jsonl(
        tmp_path / "one.jsonl",
        {"id": "r-1", "title": "خبر", "body": "<p>نص</p>", "section": "news",
         "source": source.name_ar, "source_url": source.url,
         "published_at": "2025-01-01T00:00:00Z"},
    )  # fmt: skip
    run(path)
    article = Article.objects.get()
    assert article.section == news and article.source == source
    assert Source.objects.count() == 1 and Section.objects.count() == 1


def test_headline_normalisation():
    assert base.normalise_headline("العُمّال  الكردستانيّ: «يوقف»!") == base.normalise_headline(
        "العمال الكردستاني يوقف"
    )
    assert base.normalise_headline("إعلان") == base.normalise_headline("اعلان")


@pytest.mark.django_db
def test_media_dir_is_confined(tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (tmp_path / "secret.jpg").write_bytes(jpeg_bytes())
    xml = WXR.read_text().replace(
        "https://old.example.iq/wp-content/uploads/2023/05/water.jpg]]></wp:attachment_url>",
        "https://old.example.iq/wp-content/uploads/../secret.jpg]]></wp:attachment_url>",
    )
    path = tmp_path / "wordpress.xml"
    path.write_text(xml)
    shutil.copy(path, tmp_path / "copy.xml")
    run(path, "--media-dir", uploads)
    assert not Article.objects.get(import_id="post-11").main_image


def test_timedelta_window_is_a_day():
    from articles.services import DUPLICATE_WINDOW

    assert DUPLICATE_WINDOW == timedelta(days=1)


@pytest.mark.django_db
def test_pictures_in_a_file_may_not_point_into_the_local_network(server, tmp_path, monkeypatch):
    monkeypatch.setattr(base, "ALLOW_PRIVATE_HOSTS", False)
    path = write_jsonl(
        tmp_path / "ssrf.jsonl",
        {"id": "s-1", "title": "خبر", "body": "<p>نص</p>", "image_url": f"{server}/photo.jpg"},
    )
    result = run(path)
    assert "private or local address refused" in result.err
    assert not Article.objects.get().main_image
    assert not base.is_public_host("http://127.0.0.1/")
    assert not base.is_public_host("http://10.1.2.3/")
    assert not base.is_public_host("http://169.254.169.254/latest/meta-data/")
    # The operator's own feed address is trusted, even on this machine.
    assert run(f"{server}/feed.xml").summary.startswith("created 4")


def generated_wxr(path, count):
    with path.open("w") as out:
        out.write(
            '<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>'
        )
        for number in range(count):
            out.write(
                f"<item><title>خبر {number}</title><guid>g{number}</guid>"
                f"<content:encoded><![CDATA[{'نص طويل. ' * 200}]]></content:encoded>"
                "<wp:post_date_gmt>2024-01-01 00:00:00</wp:post_date_gmt>"
                "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>"
            )
        out.write("</channel></rss>")
    return path


def peak_memory_reading(path):
    import tracemalloc

    from articles.importers.wxr import WxrImporter

    tracemalloc.start()
    for _item in WxrImporter(str(path)).items():
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_wxr_reading_memory_does_not_grow_with_the_file(tmp_path):
    small = peak_memory_reading(generated_wxr(tmp_path / "small.xml", 100))
    large = peak_memory_reading(generated_wxr(tmp_path / "large.xml", 2000))  # 20 times larger
    assert large < small * 2


@pytest.mark.django_db
def test_new_articles_are_written_in_batches(tmp_path):
    """The writes of a batch do not grow with its size: 300 new articles (tags, old
    addresses and search rows included) cost a few dozen queries, not a few per article."""
    records = [
        {"id": f"b-{n}", "title": f"خبر رقم {n}", "body": f"<p>نص الخبر {n}</p>",
         "tags": ["اقتصاد", f"وسم {n % 3}"], "url": f"https://agency.example/{n}",
         "published_at": "2025-01-01T00:00:00Z", "status": "published"}
        for n in range(300)
    ]  # fmt: skip
    path = write_jsonl(tmp_path / "many.jsonl", *records)
    with CaptureQueriesContext(connection) as queries:
        assert run(path).summary == "created 300, updated 0, unchanged 0, duplicates 0, failed 0"
    assert len(queries) < 70  # revisions and audit entries included
    article = Article.objects.get(import_id="b-7")
    (version,) = Version.objects.get_for_object(article)
    assert sorted(version.field_dict["tags"]) == sorted(article.tags.values_list("pk", flat=True))
    assert version.revision.comment.startswith("import: ")
    assert not article.is_edited_since_import and article.first_imported_at == article.imported_at
    assert set(article.tags.values_list("name_ar", flat=True)) == {"اقتصاد", "وسم 1"}
    from articles.search import matching_article_ids

    assert article.pk in matching_article_ids("رقم 7")
    # Run again: the batch looks its items up together, and nothing is written.
    assert run(path).summary == "created 0, updated 0, unchanged 300, duplicates 0, failed 0"
