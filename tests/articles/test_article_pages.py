"""Saved article pages of sites nobody here wrote, and of the legacy site: headline, body,
metadata and links, through import_articles (the legacy layout keeps its exact rules)."""

import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest
from django.core.management import CommandError, call_command

from articles.importers.article_page import metadata
from articles.models import Article, Section

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = FIXTURES / "pages"
CNN_ADDRESS = "https://arabic.cnn.example.com/2013/middle_east/3/14/jordan-eu/index.html"


def run(*args):
    out = io.StringIO()
    call_command("import_articles", *map(str, args), stdout=out, stderr=out)
    return out.getvalue()


def one_page(tmp_path, name):
    shutil.copy(PAGES / name, tmp_path / name)
    return tmp_path / name


@pytest.mark.django_db
def test_legacy_layout_keeps_its_exact_rules():
    run(FIXTURES / "imports" / "legacy", "--section", "news")
    article = Article.objects.get()
    assert article.title_ar == (
        "الأمانة العامة لمجلس الوزراء ترعى المؤتمر الخاص بمناقشة ملف المرأة والأمن والسلام"
    )
    body = article.body_ar
    assert body.startswith("<p>رعت الأمانة العامة لمجلس الوزراء") and body.count("<p>") == 4
    assert "<a " not in body  # the "read more" list and its links are gone
    assert "Opinions" not in body and "اقرأ المزيد" not in body
    assert article.source.name_ar == "الموقع الرسمي لديوان محافظة البصرة"
    assert article.legacy_urls.filter(path="/ar/news/2024/women-peace-security").exists()


@pytest.mark.django_db
def test_headline_only_in_og_title_never_the_site_name(tmp_path):
    Section.objects.create(slug="اقتصاد", name_ar="اقتصاد")
    run(one_page(tmp_path, "og-title-only.html"))
    article = Article.objects.get()
    assert article.title_ar == "ارتفاع صادرات النفط العراقية إلى مستوى قياسي في أيار"
    assert article.byline_ar == "زينب كاظم"
    assert article.published_at == datetime(2024, 5, 30, 8, 0, tzinfo=UTC)
    assert article.section.slug == "اقتصاد"
    # The caption goes with the picture into the library; here the picture is not fetched.
    page = lxml.html.document_fromstring((PAGES / "og-title-only.html").read_bytes())
    assert metadata(page).image_caption == "ناقلة نفط في ميناء البصرة"
    assert article.source_url == "https://rafidain.example.org/ar/economy/2024/05/oil-exports"
    body = article.body_ar
    assert body.startswith("<p>أعلنت وزارة النفط العراقية") and body.count("<p>") == 4
    # Relative links resolved against the canonical address.
    assert '<a href="https://rafidain.example.org/ar/economy/2024/04/oil-prices"' in body
    assert '<a href="https://rafidain.example.org/ar/economy/2023/12/pipeline.html"' in body
    for chrome in ("شبكة الرافدين", "الأكثر قراءة", "خبر أول", "الرئيسية", "جميع الحقوق"):
        assert chrome not in body, chrome
    # Another site's addresses are not redirects of this one.
    assert not article.legacy_urls.exists()


@pytest.mark.django_db
def test_comment_policy_share_newsletter_and_most_read_are_left_out(tmp_path):
    run(one_page(tmp_path, "comment-policy.html"), "--base-url", CNN_ADDRESS)
    article = Article.objects.get()
    assert article.title_ar == "الملك عبدالله يستقبل وفداً من البرلمان الأوروبي في عمّان"
    assert article.byline_ar == "محمد العلي"
    assert article.published_at == datetime(2013, 3, 14, 9, 20, tzinfo=UTC)
    body = article.body_ar
    assert body.startswith("<p>عمّان، الأردن (CNN) -- استقبل العاهل الأردني")
    assert body.count("<p>") == 3 and body.count("استقبل العاهل") == 1
    # "../../2/…" resolved against --base-url, as a browser would.
    assert (
        '<a href="https://arabic.cnn.example.com/2013/middle_east/3/2/jordan-refugees/'
        'index.html" rel="noopener noreferrer">تزايد أعدادهم</a>'
    ) in body
    for chrome in (
        "ترحب شبكة", "إرشادات الاستخدام", "الآراء الواردة", "شارك هذا", "النشرة البريدية",
        "الأكثر قراءة", "مقتل العشرات", "cnnAd", "سياسة الخصوصية", "<h1",
    ):  # fmt: skip
        assert chrome not in body, chrome


@pytest.mark.django_db
def test_links_that_cannot_be_resolved_are_unwrapped(tmp_path):
    run(one_page(tmp_path, "comment-policy.html"))
    body = Article.objects.get().body_ar
    assert "<a " not in body and "مشيراً إلى تزايد أعدادهم خلال الأشهر الأخيرة." in body


def test_base_url_must_be_an_address(tmp_path):
    with pytest.raises(CommandError, match="--base-url"):
        call_command("import_articles", str(tmp_path), "--base-url", "javascript:x")
