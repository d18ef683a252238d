"""A backup is whole: export_articles, an empty database, import_articles, and every field
an editor or a reader sees is back, compared field by field."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article, Author, Section, Source, Tag
from articles.services import image_create
from tests.conftest import jpeg_bytes

ARTICLE_FIELDS = [
    f"{name}_{language}"
    for name in ("title", "slug", "summary", "body", "dateline", "byline")
    for language in ("ar", "en")
] + [
    "status", "published_at", "is_featured", "is_breaking", "source_url",
    "first_imported_at", "source_published_at", "needs_attention", "attention_reason",
]  # fmt: skip


def snapshot():
    state = {}
    for article in Article.objects.select_related(
        "section", "author", "source", "duplicate_of", "main_image"
    ):
        fields = {name: getattr(article, name) or None for name in ARTICLE_FIELDS}
        section = article.section
        fields["section"] = (section.slug, section.name_ar, section.name_en, section.in_navigation)
        fields["tags"] = sorted((t.slug, t.name_ar, t.name_en) for t in article.tags.all())
        author = article.author
        fields["author"] = author and (
            author.slug,
            author.name_ar,
            author.name_en,
            author.bio_ar,
            author.bio_en,
        )
        source = article.source
        fields["source"] = source and (source.name_ar, source.name_en, source.url)
        fields["related"] = sorted(other.title_ar for other in article.related.all())
        fields["duplicate_of"] = article.duplicate_of and article.duplicate_of.title_ar
        picture = article.main_image
        fields["image"] = picture and (
            picture.width,
            picture.height,
            picture.alt_ar,
            picture.alt_en,
            picture.caption_ar,
            picture.caption_en,
            picture.credit_ar,
        )
        state[article.title_ar] = fields
    return state


@pytest.fixture
def newsroom(db):
    hidden = Section.objects.create(
        slug="archive", name_ar="أرشيف", name_en="Archive", in_navigation=False
    )
    world = Section.objects.create(slug="world", name_ar="العالم", name_en="World")
    water = Tag.objects.create(slug="water", name_ar="المياه", name_en="Water")
    basra = Tag.objects.create(slug="basra", name_ar="البصرة")
    author = Author.objects.create(
        slug="layla", name_ar="ليلى حسن", name_en="Layla Hassan",
        bio_ar="مراسلة في البصرة.", bio_en="Correspondent in Basra.",
    )  # fmt: skip
    agency = Source.objects.create(
        name_ar="وكالة الأنباء", name_en="News Agency", url="https://agency.example/"
    )
    now = timezone.now().replace(microsecond=0)
    lead = Article.objects.create(
        title_ar="خبر كامل", title_en="A whole story", slug_ar="خبر-مختار", slug_en="whole",
        summary_ar="ملخص", summary_en="Summary", body_ar="<p>نص</p>", body_en="<p>Text</p>",
        dateline_ar="البصرة", dateline_en="Basra", byline_ar="مكتب", byline_en="Bureau",
        section=world, author=author, source=agency, status="published",
        published_at=now - timedelta(days=1), is_featured=True, is_breaking=True,
        main_image=image_create(
            file=SimpleUploadedFile("p.jpg", jpeg_bytes((90, 60))),
            texts={
                "ar": {"alt": "نهر", "caption": "شط العرب", "credit": "وكالة"},
                "en": {"alt": "A river", "caption": "Shatt al-Arab", "credit": "وكالة"},
            },
        ),
    )  # fmt: skip
    lead.tags.set([water, basra])
    wire = Article.objects.create(
        title_ar="خبر من الوكالة", body_ar="<p>نص الوكالة</p>", section=hidden, status="review",
        source_url="https://agency.example/news/1",
        import_source="feed:https://agency.example/", import_id="a-1",
    )  # fmt: skip
    copy = Article.objects.create(
        title_ar="نسخة من خبر الوكالة", body_ar="<p>نسخة</p>", section=hidden, status="draft",
        source_url="https://other.example/1", needs_attention=True,
        attention_reason="الخبر نفسه موجود في مقال سابق", duplicate_of=wire,
        import_source="feed:https://other.example/", import_id="o-1",
    )  # fmt: skip
    Article.objects.filter(pk__in=[wire.pk, copy.pk]).update(
        first_imported_at=datetime(2025, 1, 2, 3, 4, tzinfo=UTC),
        source_published_at=datetime(2015, 6, 7, 8, 9, tzinfo=UTC),
    )
    lead.related.set([wire, copy])


def test_export_then_import_gives_back_every_field(newsroom, tmp_path):
    before = snapshot()
    assert len(before) == 3
    backup = tmp_path / "backup.jsonl"
    call_command("export_articles", str(backup), stdout=io.StringIO())
    for model in (Article, Tag, Section, Author, Source):
        model.objects.all().delete()
    out = io.StringIO()
    call_command("import_articles", str(backup), stdout=out, stderr=out)
    assert "created 3, updated 0, unchanged 0, duplicates 0, failed 0" in out.getvalue()
    after = snapshot()
    for title, fields in before.items():
        for name, value in fields.items():
            assert after[title][name] == value, (title, name)


def test_a_figure_of_the_library_comes_back_pointing_at_its_picture(db, tmp_path):
    """The body's `<figure data-image="id">` is a reference to the library: the backup
    names the picture's file, and the restored story shows the same picture (its figures
    relation included), whatever ids the restore gives."""
    section = Section.objects.create(slug="world", name_ar="العالم")
    picture = image_create(file=SimpleUploadedFile("f.jpg", jpeg_bytes((50, 40))))
    article = Article.objects.create(
        title_ar="خبر بصورة", section=section, status="draft",
        body_ar=f'<p>نص</p><figure data-image="{picture.pk}"><figcaption>تعليق</figcaption>'
        "</figure>",
    )  # fmt: skip
    assert list(article.figures.all()) == [picture]
    backup = tmp_path / "backup.jsonl"
    call_command("export_articles", str(backup), stdout=io.StringIO())
    Article.objects.all().delete()
    call_command("import_articles", str(backup), stdout=io.StringIO(), stderr=io.StringIO())
    restored = Article.objects.get()
    assert restored.body_ar == article.body_ar
    assert list(restored.figures.all()) == [picture]
