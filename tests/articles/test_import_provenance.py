"""What editors see of an import: where each article came from, why a flagged one waits,
and a site navigation that imports never change."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.models import Article, Section
from articles.services import standfirst

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def run(*args):
    call_command("import_articles", *map(str, args), stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_the_article_form_shows_where_an_import_came_from(admin_client):
    run(FIXTURES / "wire.rss")
    article = Article.objects.get(import_id="alsumaria-1001")
    assert article.first_imported_at == article.imported_at == article.updated_at
    assert article.source_published_at == article.published_at
    page = admin_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "العنوان الأصلي" in page and "المصدر والاستيراد" in page
    assert (
        '<a href="https://alsumaria.example.com/news/1001" rel="noopener noreferrer" '
        'target="_blank">https://alsumaria.example.com/news/1001</a>'
    ) in page
    assert "feed:https://alsumaria.example.com/" in page
    assert "أول استيراد" in page and "وقت النشر الأصلي" in page
    # Read-only: not a form field an editor could change.
    assert 'name="source_url"' not in page and 'name="import_source"' not in page


@pytest.mark.django_db
def test_a_flagged_draft_shows_its_reason_and_can_be_cleared(admin_client):
    run(FIXTURES / "wire.rss")
    undated = Article.objects.get(import_id="alsumaria-1004")
    page = admin_client.get(f"/admin/articles/article/{undated.pk}/change/").content.decode()
    assert "تاريخ غير مفهوم: the day after tomorrow" in page
    assert 'name="needs_attention"' in page and 'name="attention_reason"' not in page
    listing = admin_client.get("/admin/articles/article/?needs_attention__exact=1").content
    assert "خبر بتاريخ غير مفهوم" in listing.decode()
    assert "العمال الكردستاني" not in listing.decode()


@pytest.mark.django_db
def test_a_written_article_shows_no_provenance_block(admin_client, make_article):
    article = make_article()
    page = admin_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "أول استيراد" not in page and 'name="needs_attention"' not in page


@pytest.mark.django_db
def test_imports_never_add_a_section_to_the_navigation(client, make_article, news):
    make_article(title_ar="خبر منشور")
    run(FIXTURES / "wire.rss")
    incoming = Section.objects.get(slug="incoming")
    assert not incoming.in_navigation
    assert set(Article.objects.values_list("section__slug", flat=True)) >= {"incoming"}
    page = client.get("/").content.decode()
    assert 'href="/incoming/"' not in page and "الوارد" not in page
    assert 'href="/news/"' in page


def test_the_standfirst_never_repeats_the_opening_of_the_story():
    body = "<p>أعلن حزب العمال الكردستاني، الاثنين، عن وقف سحب مسلحيه من تركيا.</p><p>ثانياً</p>"
    assert (
        standfirst("أعلن حزب العمال الكردستاني، الاثنين، عن وقف سحب مسلحيه من تركيا.", body) == ""
    )
    assert standfirst("أعلن حزب العمال الكردستاني، الاثنين، عن وقف…", body) == ""
    assert standfirst("أعلن حزب العمال الكردستاني [...]", body) == ""
    assert standfirst("الحزب يوقف الانسحاب", body) == "الحزب يوقف الانسحاب"


@pytest.mark.django_db
def test_a_new_section_named_by_the_importer_stays_out_of_the_navigation():
    run(FIXTURES / "wire.rss", "--section", "wires")
    wires = Section.objects.get(slug="wires")
    assert not wires.in_navigation
    assert Article.objects.filter(section=wires).count() == 4
    assert not Section.objects.filter(slug="incoming").exists()
