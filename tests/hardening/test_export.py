"""manage.py export_articles: every article as JSON Lines, in the importer's schema."""

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Author, Tag
from tests.conftest import jpeg_bytes


def export(*args):
    out = io.StringIO()
    call_command("export_articles", "-", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.fixture
def full_article(make_article, tag, author, source, opinions):
    english_tag = Tag.objects.create(slug="water", name_ar="المياه", name_en="Water")
    return make_article(
        section=opinions,
        title_en="Water in Basra",
        body_en="<p>English body.</p>",
        summary_ar="ملخص",
        dateline_ar="البصرة",
        dateline_en="Basra",
        byline_ar="مكتب البصرة",
        author=author,
        source=source,
        tags=[tag, english_tag],
        is_featured=True,
        image=SimpleUploadedFile("p.jpg", jpeg_bytes()),
        image_alt_ar="نهر",
        image_alt_en="A river",
        image_caption_ar="شط العرب",
        image_credit="Reuters",
    )


def test_every_field_of_an_article(full_article):
    (record,) = export("--site-url", "https://news.example")
    article = full_article
    assert record["id"] == f"newsroom:{article.pk}"
    assert record["title"] == article.title_ar and record["title_en"] == "Water in Basra"
    assert record["body"] == article.body_ar and record["body_en"] == "<p>English body.</p>"
    assert record["summary"] == "ملخص"
    assert (record["dateline"], record["dateline_en"]) == ("البصرة", "Basra")
    assert record["byline"] == "مكتب البصرة"
    assert record["status"] == "published"
    published = timezone.datetime.fromisoformat(record["published_at"])
    assert published == article.published_at
    assert (record["section"], record["section_name"]) == ("opinions", "آراء")
    assert sorted(record["tags"]) == ["البصرة", "المياه"]
    assert (record["author"], record["author_slug"]) == ("ليلى حسن", "layla")
    assert record["source"] == "الموقع الرسمي لديوان محافظة البصرة"
    assert record["source_url"] == "https://basra.example.org/"
    assert record["image_path"] == article.main_image.file.name
    assert (record["image_alt"], record["image_alt_en"]) == ("نهر", "A river")
    assert record["image_caption"] == "شط العرب" and record["image_credit"] == "Reuters"
    assert record["is_featured"] is True and record["is_breaking"] is False
    assert record["url"] == "https://news.example" + article.get_absolute_url()


def test_all_statuses_and_no_empty_fields(make_article):
    make_article(status=Article.Status.DRAFT)
    make_article(status=Article.Status.REVIEW)
    make_article(published_at=timezone.now() + timedelta(days=2))  # scheduled
    records = export()
    assert [r["status"] for r in records] == ["draft", "review", "published"]
    assert "published_at" not in records[0]
    assert all("" not in r.values() for r in records)
    assert "url" not in records[0]  # no site address given


def test_arabic_is_written_as_text(make_article, tmp_path):
    make_article(title_ar="خبر")
    target = tmp_path / "backup.jsonl"
    out = io.StringIO()
    call_command("export_articles", str(target), stdout=out)
    assert "خبر" in target.read_text(encoding="utf-8")
    assert "Exported 1 articles" in out.getvalue()


def test_queries_do_not_grow_with_the_number_of_articles(make_article, tag, author, source):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            export()
        return len(queries)

    make_article(tags=[tag], author=author, source=source)
    few = count_queries()
    for _ in range(20):
        make_article(tags=[tag], author=Author.objects.get(), source=source)
    assert count_queries() == few


def test_a_failed_export_leaves_no_file(make_article, tmp_path, monkeypatch):
    from articles.management.commands import export_articles

    make_article()
    target = tmp_path / "backup.jsonl"
    target.write_text("the previous backup\n")

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_articles.json, "dumps", full_disk)
    with pytest.raises(OSError):
        call_command("export_articles", str(target), stdout=io.StringIO())
    assert target.read_text() == "the previous backup\n"
    assert [p.name for p in tmp_path.iterdir()] == ["backup.jsonl"]


def test_site_url_must_be_a_web_address(db):
    with pytest.raises(CommandError):
        call_command("export_articles", "-", "--site-url", "javascript:alert(1)")
