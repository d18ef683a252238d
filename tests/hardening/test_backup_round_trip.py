"""Backups: export_articles, then import_articles --format jsonl into an empty database,
gives back every article with nothing lost."""

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image

from articles.models import Article, Author, Section, Source, Tag
from tests.hardening.conftest import gps_jpeg

EXACT = {"status", "published_at", "is_featured", "is_breaking"}


def snapshot():
    """Everything a reader or an editor sees of each article, keyed by its headline."""
    state = {}
    articles = Article.objects.select_related("section", "author", "source").prefetch_related(
        "tags"
    )
    for article in articles:
        # Untranslated fields are NULL or "" depending on how they were written: the same.
        fields = {
            name: getattr(article, name) if name in EXACT else getattr(article, name) or ""
            for name in [
                "title_ar", "title_en", "summary_ar", "summary_en", "body_ar", "body_en",
                "byline_ar", "byline_en", "dateline_ar", "dateline_en", "status",
                "published_at", "is_featured", "is_breaking",
            ]
        }  # fmt: skip
        fields["section"] = (article.section.slug, article.section.name_ar)
        fields["tags"] = sorted(tag.name_ar for tag in article.tags.all())
        fields["author"] = article.author and (article.author.slug, article.author.name_ar)
        fields["source"] = article.source and (article.source.name_ar, article.source.url)
        if article.main_image:
            fields["picture texts"] = [
                getattr(article.main_image, name) or ""
                for name in (
                    "alt_ar",
                    "alt_en",
                    "caption_ar",
                    "caption_en",
                    "credit_ar",
                    "credit_en",
                )
            ]
            with Image.open(article.main_image.file.path) as picture:
                # Same picture (size and colours; stored again, so not byte for byte).
                colour = picture.convert("RGB").getpixel((5, 5))
                fields["image"] = (picture.size, tuple(channel // 32 for channel in colour))
        else:
            fields["image"] = None
        state[article.title_ar] = fields
    return state


@pytest.fixture
def newsroom_content(make_article, tag, author, source, opinions):
    water = Tag.objects.create(slug="water", name_ar="المياه", name_en="Water")
    make_article(
        title_ar="خبر كامل عن المياه",
        title_en="Water in Basra",
        body_en="<p>English <strong>body</strong>.</p>",
        summary_ar="ملخص الخبر",
        summary_en="Summary",
        dateline_ar="البصرة",
        dateline_en="Basra",
        byline_ar="مكتب البصرة",
        byline_en="Basra bureau",
        author=author,
        source=source,
        tags=[tag, water],
        is_featured=True,
        is_breaking=True,
        image=SimpleUploadedFile("p.jpg", gps_jpeg(), "image/jpeg"),
        image_alt_ar="نهر",
        image_alt_en="A river",
        image_caption_ar="شط العرب",
        image_caption_en="Shatt al-Arab",
        image_credit="وكالة 😀",
    )
    make_article(title_ar="مسودة", status=Article.Status.DRAFT, section=opinions)
    make_article(title_ar="قيد المراجعة", status=Article.Status.REVIEW)
    make_article(title_ar="خبر مجدول", published_at=timezone.now() + timedelta(days=3))
    make_article(
        title_ar="رأي", section=opinions, body_ar='<p>نص <a href="https://x.example/">رابط</a></p>'
    )


def test_export_and_import_restore_every_article(newsroom_content, tmp_path, settings):
    before = snapshot()
    assert len(before) == 5
    backup = tmp_path / "articles.jsonl"
    call_command("export_articles", str(backup), stdout=io.StringIO())

    # An empty database: no articles, sections, tags, authors or sources.
    for model in (Article, Tag, Section, Author, Source):
        model.objects.all().delete()
    out = io.StringIO()
    call_command("import_articles", str(backup), "--format", "jsonl", stdout=out, stderr=out)
    assert "created 5," in out.getvalue() and "failed 0" in out.getvalue()

    assert snapshot() == before
    # A second run changes nothing.
    call_command("import_articles", str(backup), "--format", "jsonl", stdout=io.StringIO())
    assert Article.objects.count() == 5


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/hostname", "articles/missing.jpg"])
def test_image_path_never_leaves_the_media_folder(db, news, tmp_path, path):
    backup = tmp_path / "evil.jsonl"
    record = {"id": "x", "title": "خبر", "body": "<p>نص</p>", "image_path": path}
    backup.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(backup), "--format", "jsonl", stdout=out, stderr=out)
    assert "media folder" in out.getvalue()
    assert not Article.objects.exists()
