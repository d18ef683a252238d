"""Search behaviour through the page and the service, on whichever database runs the suite."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import services
from articles.models import Article, ArticleSearch
from articles.search import MAX_QUERY_LENGTH, make_snippet, parse_query, search
from tests.caches import clear_cache

# Run with the page cache off and on (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("both_page_cache_states")


def results(query, **filters):
    return list(search(query, language=filters.pop("language", "ar"), **filters)[:50])


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def found_part(html):
    """The results section only (the ticker and other widgets also show headlines)."""
    match = re.search(r'<section class="search-results".*?</section>', html, re.S)
    return match.group() if match else ""


def test_search_page_shows_headline_section_date_and_highlighted_snippet(client, make_article):
    article = make_article(
        title_ar="مؤتمر المرأة في بغداد",
        body_ar="<p>افتتحت الوزارة اليوم مؤتمرا عن دور المرأة في التنمية.</p>",
    )
    make_article(title_ar="افتتاح جسر جديد", body_ar="<p>افتتح المحافظ الجسر.</p>")
    full = page(client, "/search/?q=المراة")
    html = found_part(full)
    assert article.get_absolute_url() in html
    assert "مؤتمر المرأة في بغداد" in html
    assert "افتتاح جسر جديد" not in html
    assert article.section.name in html
    assert "<time datetime=" in html
    assert "<mark>المرأة</mark>" in html
    assert '<meta name="robots" content="noindex, follow">' in full
    assert 'value="المراة"' in full  # the query is kept in the box
    assert "1 result" in html or "نتيجة" in html


def test_header_has_a_labelled_search_form(client, make_article):
    html = page(client, "/")
    assert re.search(r'<form class="site-search" role="search" aria-label="[^"]+"', html)
    assert 'action="/search/"' in html
    assert '<label for="site-search-q"' in html


# الوزارة is looked up whole (text.Term.wholes): ranked by where it is as any other word.
@pytest.mark.parametrize("word", ["الكهرباء", "الوزارة"])
def test_title_match_ranks_above_body_match_and_newest_breaks_ties(make_article, word):
    in_body = make_article(
        title_ar="أخبار المحافظة",
        body_ar=f"<p>تحدث المسؤولون عن {word}.</p>",
        published_at=timezone.now() - timedelta(hours=1),
    )
    in_title = make_article(
        title_ar=f"أزمة {word} في الصيف",
        body_ar="<p>تحدث المسؤولون عن الأزمة.</p>",
        published_at=timezone.now() - timedelta(days=20),
    )
    older_twin = make_article(
        title_ar=f"{word} تعود",
        body_ar="<p>عاد التيار.</p>",
        published_at=timezone.now() - timedelta(days=3),
    )
    newer_twin = make_article(
        title_ar=f"{word} تعود",
        body_ar="<p>عاد التيار.</p>",
        published_at=timezone.now() - timedelta(days=2),
    )
    assert results(word) == [newer_twin, older_twin, in_title, in_body]


def test_and_or_prefix_and_phrase_queries(make_article):
    cholera = make_article(title_ar="تفشي الكوليرا في البصرة", body_ar="<p>إصابات جديدة.</p>")
    malaria = make_article(title_ar="حملة ضد الملاريا", body_ar="<p>في الجنوب.</p>")
    both = make_article(title_ar="الكوليرا والملاريا", body_ar="<p>تقرير صحي.</p>")
    council = make_article(title_ar="اجتماع مجلس الوزراء", body_ar="<p>قرارات.</p>")
    apart = make_article(title_ar="مجلس المحافظة", body_ar="<p>استقبل الوزراء.</p>")
    elections = make_article(title_ar="نتائج الانتخابات", body_ar="<p>فرز الأصوات.</p>")
    assert set(results("الكوليرا الملاريا")) == {both}
    assert set(results("الكوليرا أو الملاريا")) == {cholera, malaria, both}
    assert set(results("الكوليرا OR الملاريا")) == {cholera, malaria, both}
    assert set(results("مجلس الوزراء")) == {council, apart}
    assert set(results('"مجلس الوزراء"')) == {council}
    assert set(results("انتخاب*")) == {elections}


def test_draft_scheduled_and_other_language_articles_are_not_found(make_article):
    make_article(title_ar="الزلزال في الشمال", status=Article.Status.DRAFT)
    make_article(title_ar="الزلزال في الجنوب", published_at=timezone.now() + timedelta(days=1))
    make_article(title_ar="", body_ar="", title_en="Earthquake", body_en="<p>North.</p>")
    assert results("الزلزال") == []
    assert results("earthquake") == []


def test_english_edition_searches_english_content(client, make_article):
    make_article(
        title_ar="الفيضانات في الجنوب",
        body_ar="<p>غرقت القرى.</p>",
        title_en="Floods in the south",
        body_en="<p>Villages were flooded.</p>",
    )
    make_article(title_ar="فيضانات أخرى", body_ar="<p>floods</p>")
    html = found_part(page(client, "/en/search/?q=flooding"))
    assert "Floods in the south" in html
    assert "فيضانات أخرى" not in html
    assert "/en/" in re.search(r'<h3 class="teaser-title"><a href="([^"]+)"', html).group(1)
    assert "الفيضانات في الجنوب" not in found_part(page(client, "/en/search/?q=الفيضانات"))


def test_section_and_date_filters(client, make_article, opinions):
    now = timezone.now()
    recent_news = make_article(title_ar="التضخم يرتفع", published_at=now - timedelta(days=1))
    old_news = make_article(title_ar="التضخم ينخفض", published_at=now - timedelta(days=40))
    opinion = make_article(title_ar="رأي في التضخم", section=opinions)
    assert set(results("التضخم")) == {recent_news, old_news, opinion}
    assert set(results("التضخم", section=opinions)) == {opinion}
    since = (now - timedelta(days=10)).date()
    assert set(results("التضخم", date_from=since)) == {recent_news, opinion}
    assert set(results("التضخم", date_to=since)) == {old_news}
    html = page(client, f"/search/?q=التضخم&section=opinions&date_from={since}")
    assert "رأي في التضخم" in found_part(html) and "التضخم يرتفع" not in found_part(html)
    assert '<option value="opinions" selected>' in html
    # A bad date or an unknown section gives the form back with an error, not a 500.
    html = page(client, "/search/?q=التضخم&date_from=2025-99-99&section=nope")
    assert 'role="alert"' in html


def test_pagination_keeps_the_query(client, make_article):
    for number in range(25):
        make_article(title_ar=f"الجراد رقم {number}", body_ar="<p>أسراب.</p>")
    first = page(client, "/search/?q=الجراد")
    assert first.count('class="teaser search-result"') == 20
    assert "25 results" in first or "25" in first
    assert 'href="?q=%D8%A7%D9%84%D8%AC%D8%B1%D8%A7%D8%AF&amp;page=2"' in first
    second = page(client, "/search/?q=الجراد&page=2")
    assert second.count('class="teaser search-result"') == 5
    assert page(client, "/search/?q=الجراد&page=999").count('class="teaser search-result"') == 5
    assert page(client, "/search/?q=الجراد&page=x").count('class="teaser search-result"') == 20


def test_no_results_gives_help(client, make_article):
    make_article()
    html = page(client, "/search/?q=كوفيد")
    assert 'class="search-help"' in html
    assert 'value="كوفيد"' in html


HOSTILE = [
    "",
    "   ",
    "ا" * 10_000,
    "كلمة " * 2_000,
    "'; DROP TABLE articles_article; --",
    '" OR 1=1 --',
    "1' AND '1'='1",
    "%00",
    "%ED%A0%80",  # a lone surrogate, percent-encoded
    "\x00\x01\x02\x1b",
    "NEAR(a b) ^ * : -",
    "'':* & | ! <-> (",
    '"""',
    "\\",
    "OR OR OR",
    "*",
    "في من على",
    "<script>alert(1)</script>",
    "%25%00%27",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_any_query_gives_a_page(client, make_article, query):
    make_article(title_ar="كلمة عن الأمن", body_ar="<p>كلمة ' OR 1=1 <b>نص</b></p>")
    response = client.get("/search/", {"q": query, "page": query[:20], "section": query[:50]})
    assert response.status_code == 200
    assert b"<script>alert" not in response.content


@pytest.mark.parametrize(
    "dates",
    ["date_from=0001-01-01", "date_to=9999-12-31", "date_from=9999-12-31&date_to=0001-01-01"],
)
def test_extreme_dates_give_a_page(client, make_article, dates):
    make_article(title_ar="الأمن في المدينة")
    assert client.get(f"/search/?q=الأمن&{dates}").status_code == 200


@pytest.mark.parametrize("raw", ["q=%00", "q=%ED%A0%80", "q=%FF%FE", "q=a%00b&page=%00", "q"])
def test_raw_query_strings_give_a_page(client, make_article, raw):
    make_article()
    assert client.get(f"/search/?{raw}").status_code == 200


def test_query_length_is_limited():
    long = "السلام " * 100
    assert len(parse_query(long).text) <= MAX_QUERY_LENGTH
    assert len(parse_query("كلمة" + " كلمة" * 100).clauses) <= 10


def test_snippet_keeps_whole_words_and_never_carries_markup(make_article):
    words = [f"كلمة{n}" for n in range(60)]
    words[40] = "الموازنة"
    body = (
        "<p>"
        + " ".join(words[:30])
        + "</p><p><script>alert(1)</script> &lt;b&gt; "
        + " ".join(words[30:])
        + "</p>"
    )
    make_article(title_ar="خبر", body_ar=body)
    (article,) = results("موازنة")
    snippet = str(article.snippet)
    assert "<mark>الموازنة</mark>" in snippet
    assert "<script" not in snippet and "<b>" not in snippet
    text = re.sub(r"</?mark>", "", snippet).replace("…", " ")
    for word in text.split():
        assert word in words or word in {"&lt;b&gt;"}, word
    assert snippet.startswith("… ")


def test_snippet_marks_spelling_variants_and_prefixes():
    parsed = parse_query("المراة انتخاب*")
    snippet = make_snippet("دور المرأة في الانتخابات المقبلة", parsed)
    assert snippet == "دور <mark>المرأة</mark> في <mark>الانتخابات</mark> المقبلة"
    assert make_snippet("<b>الأَمَانَة</b>", parse_query("الامانه")) == (
        "&lt;b&gt;<mark>الأَمَانَة</mark>&lt;/b&gt;"
    )


def test_index_follows_edits_publishing_and_deletion(make_article):
    article = make_article(title_ar="الإعصار يقترب", status=Article.Status.DRAFT)
    assert results("الإعصار") == []
    services.publish_articles(Article.objects.filter(pk=article.pk))
    assert results("الإعصار") == [article]
    services.unpublish_articles(Article.objects.filter(pk=article.pk))
    assert results("الإعصار") == []
    article.status = Article.Status.PUBLISHED
    article.title_ar = "الجراد يقترب"
    article.save()
    assert results("الإعصار") == []
    assert results("الجراد") == [article]
    article.delete()
    assert results("الجراد") == []
    assert not ArticleSearch.objects.filter(article_id=article.pk).exists()


def test_generate_articles_fills_the_index(db):
    call_command("generate_articles", count=5, seed=3, stdout=open("/dev/null", "w"))
    assert ArticleSearch.objects.count() == 5
    assert len(results("الحكومة") + results("العراق")) > 0


def test_admin_search_uses_the_same_normalisation(admin_client, make_article):
    draft = make_article(title_ar="ملف المرأة والأمن", status=Article.Status.DRAFT)
    make_article(title_ar="خبر آخر")
    html = admin_client.get("/admin/articles/article/", {"q": "المراة"}).content.decode()
    assert f"/admin/articles/article/{draft.pk}/change/" in html
    assert "خبر آخر" not in html


def test_search_page_query_count_is_constant(client, make_article):
    for _ in range(3):
        make_article(title_ar="السياحة في الأهوار")

    def count():
        clear_cache()  # the uncached cost both times: widgets cache their data
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/search/?q=السياحة").status_code == 200
        return len(captured)

    small = count()
    for _ in range(15):
        make_article(title_ar="السياحة في الأهوار")
    assert count() == small


@pytest.mark.parametrize("days", [2, 0])
def test_many_matches_looked_up_among_the_newest_rows_first_give_the_same_results(
    make_article, monkeypatch, days
):
    """On PostgreSQL a query matching many rows is looked up among the newest first: when
    they hold more matches than are shown, the results are theirs (the total a floor),
    else (after a second look, among more of them) every match is looked up. Either way,
    the same results as looking up all."""
    from articles.search import postgres

    now = timezone.now()
    made = [
        make_article(title_ar=f"الموازنة العامة {n}", published_at=now - timedelta(days=n))
        for n in range(5)
    ]
    monkeypatch.setattr("articles.search.results.RANK_CAP", 2)
    whole = search("الموازنة", language="ar")
    expected, total = whole[:2], whole.total
    assert expected == made[:2] and total == 5
    monkeypatch.setattr(postgres, "WINDOW_MARGIN", 0)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)  # a day's start (UTC)
    monkeypatch.setattr(postgres, "newest_moment", lambda *args: today - timedelta(days=days))
    clear_cache()  # the ranking is kept
    with CaptureQueriesContext(connection) as captured:
        found = search("الموازنة", language="ar")
        assert found[:2] == expected
    lookups = [q["sql"] for q in captured if q["sql"].startswith("WITH m AS")]
    if connection.vendor != "postgresql":
        return
    if days:  # three days hold three matches: more than the two shown
        assert found.total == 3 and len(lookups) == 1 and "date_bin" in lookups[0]
    else:  # one match today, twice: every match looked up after
        assert found.total == 5 and len(lookups) == 3
        assert "date_bin" in lookups[1] and "date_bin" not in lookups[2]


def test_results_beyond_the_cap_are_announced(client, make_article, monkeypatch):
    for n in range(5):
        make_article(title_ar=f"الدينار يرتفع {n}")
    monkeypatch.setattr("articles.search.results.RANK_CAP", 3)
    html = page(client, "/search/?q=الدينار")
    assert found_part(html).count('class="teaser search-result"') == 3
    assert 'class="search-cap"' in html


def test_rebuild_search_index_restores_lost_rows(make_article):
    article = make_article(title_ar="الطاقة الشمسية في الصحراء")
    ArticleSearch.objects.all().delete()
    assert results("الشمسية") == []
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))
    assert results("الشمسية") == [article]


def test_search_rows_are_public_as_articles_are(make_article):
    """One definition of public serves the articles and their search rows."""
    make_article(title_ar="منشور")
    make_article(title_ar="مسودة", status=Article.Status.DRAFT)
    make_article(title_ar="مجدول", published_at=timezone.now() + timedelta(days=1))
    make_article(title_ar="", body_ar="", title_en="English only", body_en="<p>Text.</p>")
    for language in ("ar", "en"):
        rows = ArticleSearch.objects.public(language).values_list("article_id", flat=True)
        articles = Article.objects.public(language).values_list("pk", flat=True)
        assert sorted(rows) == sorted(articles)


def test_later_pages_are_slices_of_one_ranking(make_article, django_assert_num_queries):
    for n in range(25):
        make_article(title_ar=f"الموازنة العامة {n}")
    first = list(search("الموازنة", language="ar")[:20])
    with django_assert_num_queries(1):  # the page's articles; counting and ranking are kept
        second = list(search("الموازنة", language="ar")[20:40])
    assert len(first) == 20 and len(second) == 5
    assert not set(first) & set(second)


def test_a_result_outlives_a_publish_and_follows_an_edit(client, make_article, monkeypatch):
    """A result's HTML depends on the query, the article's version and the labels: a publish
    (which makes the ranking again) reads only the page's articles' versions and makes no
    result again, a newly matching article's result alone is made, and an edit of a shown
    article makes its result again."""
    from articles import cache as article_cache
    from articles.search import results as search_results

    article = make_article(title_ar="تقرير", body_ar="<p>ارتفعت أسعار النفط في البصرة اليوم.</p>")
    first = found_part(page(client, "/search/?q=النفط"))
    assert "<mark>النفط</mark>" in first and "البصرة" in first
    made = []
    original = search_results.SearchResults._snippet
    monkeypatch.setattr(
        search_results.SearchResults,
        "_snippet",
        lambda self, a: made.append(a.pk) or original(self, a),
    )
    article_cache.articles_changed()  # as a publish of another article does
    with CaptureQueriesContext(connection) as captured:
        assert found_part(page(client, "/search/?q=النفط")) == first
    reads = [q["sql"] for q in captured if '"articles_article"."id" IN' in q["sql"]]
    assert made == [] and len(reads) == 1  # the results' versions, nothing more
    selected = reads[0].split(" FROM ")[0]
    assert '"updated_at"' in selected and '"title_ar"' not in selected

    newer = make_article(title_ar="النفط اليوم", body_ar="<p>هبطت أسعار النفط.</p>")
    assert "النفط اليوم" in found_part(page(client, "/search/?q=النفط"))
    assert made == [newer.pk]

    article.body_ar = "<p>تراجعت أسعار النفط في الموصل.</p>"
    article.save()
    edited = found_part(page(client, "/search/?q=النفط"))
    assert made == [newer.pk, article.pk]
    assert "الموصل" in edited and "البصرة" not in edited


def test_a_results_page_seen_again_reads_no_article_and_follows_edits(client, make_article):
    """A page of results is rendered once per query and page, kept until an article or a
    label changes: seen again it reads no article; an edit or a section's new name shows
    at once."""
    article = make_article(title_ar="أسعار النفط", body_ar="<p>ارتفعت أسعار النفط في البصرة.</p>")
    first = found_part(page(client, "/search/?q=النفط"))
    assert "أسعار النفط" in first
    with CaptureQueriesContext(connection) as captured:
        assert found_part(page(client, "/search/?q=النفط&page=1")) == first
    assert not [q for q in captured if "articles_article" in q["sql"]]
    article.title_ar = "أسعار النفط تتراجع"
    article.save()
    assert "أسعار النفط تتراجع" in found_part(page(client, "/search/?q=النفط"))
    article.section.name_ar = "اقتصاد وأعمال"
    article.section.save()
    assert "اقتصاد وأعمال" in found_part(page(client, "/search/?q=النفط"))


def test_search_form_sections_come_from_the_kept_labels(client, make_article, news):
    """The section filter lists every section in order, without reading the sections on
    every page; a new section shows at once."""
    from articles.models import Section

    make_article(title_ar="السياحة في الأهوار")
    page(client, "/search/?q=السياحة")
    with CaptureQueriesContext(connection) as captured:
        html = page(client, "/search/?q=السياحة&page=1")
    assert not [q for q in captured if q["sql"].startswith('SELECT "articles_section"')]
    assert f'<option value="{news.slug}">{news.name}</option>' in html
    Section.objects.create(slug="science", name_ar="علوم", order=99)
    assert '<option value="science">علوم</option>' in page(client, "/search/?q=السياحة&page=2")
    selected = page(client, f"/search/?q=السياحة&section={news.slug}")
    assert f'<option value="{news.slug}" selected>{news.name}</option>' in selected
