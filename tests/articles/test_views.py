import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Article

# Run with the page cache off and on (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("both_page_cache_states")


def html(response):
    return response.content.decode()


def test_home_is_arabic_rtl_with_skip_link_first(client, make_article):
    make_article(title_ar="افتتاح جسر جديد في الموصل")
    response = client.get("/")
    page = html(response)
    assert response.status_code == 200
    assert re.search(r'<html lang="ar" dir="rtl">', page)
    first_link = re.search(r"<a [^>]*>", page.split("<body>", 1)[1]).group(0)
    assert 'href="#main"' in first_link
    assert '<main id="main"' in page
    assert "افتتاح جسر جديد في الموصل" in page


def test_english_home_is_ltr_and_lists_only_english_articles(client, make_article):
    make_article(title_ar="خبر عربي فقط")
    make_article(title_ar="خبر مترجم", title_en="A translated story", body_en="<p>Body.</p>")
    response = client.get("/en/")
    page = html(response)
    assert re.search(r'<html lang="en" dir="ltr">', page)
    assert "A translated story" in page
    assert "خبر عربي فقط" not in page


def test_home_shows_featured_lead_latest_and_section_blocks(client, make_article, opinions):
    lead = make_article(title_ar="القصة الرئيسية اليوم", is_featured=True)
    for _ in range(6):  # the latest news, newer than the opinion
        make_article(published_at=timezone.now() - timedelta(minutes=5))
    opinion = make_article(section=opinions, title_ar="مقال رأي عن التعليم")
    page = html(client.get("/"))
    lead_story = page.split('<section class="lead-story"', 1)[1].split("</section>", 1)[0]
    assert "القصة الرئيسية اليوم" in lead_story and "teaser--lead" in lead_story
    block = page.split('<section class="section-block"', 1)[1].split("</section>", 1)[0]
    assert opinions.name in block and "مقال رأي عن التعليم" in block
    assert lead.get_absolute_url() not in block and opinion.get_absolute_url() in block


def test_article_page_shows_source_line_dateline_tags_and_figure(
    client, make_article, source, tag, author, jpeg_upload
):
    article = make_article(
        title_ar="مؤتمر المرأة والأمن والسلام",
        source=source,
        author=author,
        dateline_ar="البصرة",
        image=jpeg_upload,
        image_alt_ar="قاعة المؤتمر",
        image_caption_ar="جانب من المؤتمر",
        tags=[tag],
        published_at=datetime(2026, 1, 15, 9, 30, tzinfo=UTC),
    )
    response = client.get(article.get_absolute_url())
    page = html(response)
    assert response.status_code == 200
    assert "<h1" in page and "مؤتمر المرأة والأمن والسلام" in page
    assert "المصدر:" in page
    assert 'href="https://basra.example.org/"' in page
    assert "الموقع الرسمي لديوان محافظة البصرة" in page
    assert "البصرة" in page and "ليلى حسن" in page
    # 09:30 UTC is 12:30 in Baghdad; the Iraqi month name for January.
    assert "15 كانون الثاني 2026، 12:30" in page
    assert re.search(r'<img [^>]*alt="قاعة المؤتمر"', page)
    assert 'width="64" height="36"' in page
    assert "<figcaption>جانب من المؤتمر" in page
    assert f'href="{tag.get_absolute_url()}"' in page


def test_related_news_widget_lists_read_more(client, make_article):
    article = make_article()
    other = make_article(title_ar="خبر ذو صلة بالمياه")
    page = html(client.get(article.get_absolute_url()))
    assert "اقرأ المزيد" in page
    assert "خبر ذو صلة بالمياه" in page
    assert other.get_absolute_url() in page


def test_outdated_slug_or_section_redirects_permanently(client, make_article, opinions):
    article = make_article(title_ar="عنوان قديم")
    old_url = article.get_absolute_url()
    article.title_ar = "عنوان جديد"
    article.slug_ar = ""
    article.section = opinions
    article.save()

    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()
    assert "/opinions/" in response["Location"]
    short = client.get(f"/opinions/{article.pk}/")
    assert short.status_code == 301 and short["Location"] == article.get_absolute_url()
    assert client.get(article.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
)
def test_unpublished_and_scheduled_articles_are_404_for_readers(client, make_article, fields):
    article = make_article(**fields)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 404
    assert article.title_ar not in html(response)


def test_staff_preview_has_banner_and_is_never_cached(client, make_article, django_user_model):
    article = make_article(status=Article.Status.DRAFT, title_ar="مسودة لم تنشر بعد")
    writer = django_user_model.objects.create_user("writer", is_staff=True)
    writer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(writer)

    response = client.get(article.get_absolute_url())
    page = html(response)
    assert response.status_code == 200
    assert "preview-banner" in page and "معاينة" in page
    assert "no-cache" in response["Cache-Control"]
    assert 'name="robots" content="noindex' in page


def test_english_url_of_arabic_only_article_is_404(client, make_article):
    article = make_article()
    with translation.override("en"):
        url = article.get_absolute_url()
    assert url.startswith("/en/")
    assert client.get(url).status_code == 404


def test_language_switcher_links_the_same_article_in_english(client, make_article):
    article = make_article(title_en="Bridge opens", body_en="<p>Text.</p>")
    arabic_url = article.get_absolute_url()
    with translation.override("en"):
        english_url = article.get_absolute_url()
    page = html(client.get(arabic_url))
    assert f'href="{english_url}" hreflang="en"' in page
    back = html(client.get(english_url))
    assert f'href="{arabic_url}" hreflang="ar"' in back


def test_language_switcher_falls_back_to_home_when_untranslated(client, make_article):
    article = make_article()
    page = html(client.get(article.get_absolute_url()))
    assert 'href="/en/" hreflang="en"' in page


def test_section_page_paginates_and_404s_on_bad_page(client, make_article, news):
    for _ in range(25):
        make_article()
    first = client.get(news.get_absolute_url())
    assert first.status_code == 200
    assert len(first.context["articles"]) == 20
    assert 'aria-current="page"' in html(first)
    second = client.get(news.get_absolute_url(), {"page": 2})
    assert len(second.context["articles"]) == 5
    assert client.get(news.get_absolute_url(), {"page": 99}).status_code == 404
    assert client.get(news.get_absolute_url(), {"page": "abc"}).status_code == 404
    assert client.get("/no-such-section/").status_code == 404


def test_section_count_stops_after_a_block_of_pages(client, make_article, news, monkeypatch):
    """Counting a big section reads only the pages near the one asked for (a block of
    COUNT_BLOCK pages and one article more): the first pages cost the same whatever the
    archive's size. Readers still walk to the last page, and past it is a 404."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.views import CachedPaginator

    monkeypatch.setattr(CachedPaginator, "COUNT_BLOCK", 1)
    for _ in range(45):
        make_article()
    url = news.get_absolute_url()
    with CaptureQueriesContext(connection) as captured:
        first = client.get(url)
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    if counts:  # none when the page came from the page cache
        assert len(counts) == 1 and "LIMIT 21" in counts[0]
    assert first.status_code == 200 and len(first.context["articles"]) == 20
    page = html(first)
    assert "الصفحة 1</span>" in page  # not "of 3": the count stopped before the end
    assert 'href="?page=2" rel="next"' in page
    second = html(client.get(url, {"page": 2}))
    assert 'href="?page=3" rel="next"' in second and 'href="?page=1" rel="prev"' in second
    last = client.get(url, {"page": 3})
    assert len(last.context["articles"]) == 5
    assert "الصفحة 3 من 3" in html(last) and 'rel="next"' not in html(last)
    assert client.get(url, {"page": 4}).status_code == 404
    assert client.get(url, {"page": 9}).status_code == 404
    assert client.get(url, {"page": "last"}).status_code == 200


def test_a_tag_is_counted_in_the_order_of_its_links_a_section_in_none(
    client, make_article, news, tag
):
    """The first block of a list is counted from any of its rows: a section's with no order
    (its narrowest index finds them), a tag's in the list's own order, which the index of
    its links' times gives, so that a large tag's count stops at the limit. With no order
    PostgreSQL read every link of a large tag, in parallel workers: 15 to 34 ms at a million
    articles, against 5 to 6 in order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        make_article(tags=[tag])

    def count_statement(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        (count,) = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
        return count

    assert "ORDER BY" not in count_statement(news.get_absolute_url())
    tag_count = count_statement(tag.get_absolute_url())
    assert "ORDER BY" in tag_count and "LIMIT 1001" in tag_count
    if connection.vendor == "postgresql":
        assert 'ORDER BY ("articles_article_tags"."published_at") DESC' in tag_count


def test_tag_and_author_pages_list_their_public_articles(client, make_article, tag, author):
    tagged = make_article(title_ar="خبر موسوم", tags=[tag], author=author)
    make_article(title_ar="مسودة موسومة", tags=[tag], status=Article.Status.DRAFT)
    for url in (tag.get_absolute_url(), author.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200
        assert [ref.pk for ref in response.context["articles"]] == [tagged.pk]
        assert "خبر موسوم" in html(response) and "مسودة موسومة" not in html(response)


def test_ticker_shows_recent_breaking_news(client, make_article):
    make_article(title_ar="خبر عاجل عن الفيضانات", is_breaking=True)
    make_article(
        title_ar="عاجل قديم", is_breaking=True, published_at=timezone.now() - timedelta(days=5)
    )
    page = html(client.get("/"))
    ticker = page.split('class="ticker', 1)[1].split("</section>", 1)[0]
    assert "عاجل" in ticker
    assert "خبر عاجل عن الفيضانات" in ticker
    assert "عاجل قديم" not in ticker


def test_404_page_is_translated_and_keeps_the_layout(client, db):
    response = client.get("/does/not/exist/at/all/")
    page = html(response)
    assert response.status_code == 404
    assert "الصفحة غير موجودة" in page
    assert 'href="#main"' in page


@override_settings(DEBUG=False)
def test_500_page_renders_without_database(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert 'dir="rtl"' in response.content.decode()


@override_settings(NEWSROOM_MONTH_NAMES="egyptian", NEWSROOM_DIGITS="arabic-indic")
def test_date_convention_follows_settings(client, make_article):
    article = make_article(published_at=datetime(2026, 2, 3, 7, 5, tzinfo=UTC))
    page = html(client.get(article.get_absolute_url()))
    assert "٣ فبراير ٢٠٢٦، ١٠:٠٥" in page


def test_admin_link_is_not_under_language_prefix(client, db):
    assert reverse("admin:index") == "/admin/"
