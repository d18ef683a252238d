"""The sitemap index, article/section/tag sitemaps with hreflang, and Google News."""

import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Tag
from articles.sitemaps import ArticleSitemap, TagSitemap

# Run with the page cache off and on (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("both_page_cache_states")

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)


def urlset(client, url):
    root = fetch(client, url)
    assert root.tag == f"{SM}urlset"
    return root.findall(f"{SM}url")


def locs(urls):
    return [url.findtext(f"{SM}loc") for url in urls]


def hreflangs(url):
    return {
        link.get("hreflang"): link.get("href")
        for link in url.findall(f"{XHTML}link")
        if link.get("rel") == "alternate"
    }


def absolute(path, language="ar"):
    return f"http://testserver{path}"


def test_index_lists_every_sitemap_with_absolute_urls_and_lastmod(client, make_article, tag):
    make_article(tags=[tag], title_en="English", body_en="<p>Body.</p>")
    root = fetch(client, "/sitemap.xml")
    assert root.tag == f"{SM}sitemapindex"
    entries = root.findall(f"{SM}sitemap")
    assert [e.findtext(f"{SM}loc") for e in entries] == [
        "http://testserver/sitemap-articles-ar.xml",
        "http://testserver/sitemap-articles-en.xml",
        "http://testserver/sitemap-sections.xml",
        "http://testserver/sitemap-tags.xml",
    ]
    for entry in entries:
        assert entry.findtext(f"{SM}lastmod")
    for loc in [e.findtext(f"{SM}loc") for e in entries]:
        assert client.get(loc.removeprefix("http://testserver")).status_code == 200


def test_index_leaves_out_empty_sitemaps(client, make_article):
    make_article()
    make_article(status=Article.Status.DRAFT, title_en="Draft", body_en="<p>Body.</p>")
    index = [loc.text for loc in fetch(client, "/sitemap.xml").iter(f"{SM}loc")]
    assert index == [
        "http://testserver/sitemap-articles-ar.xml",
        "http://testserver/sitemap-sections.xml",
    ]


def test_every_public_article_appears_once_per_language(client, make_article):
    arabic = make_article(title_ar="عربي فقط")
    both = make_article(title_en="Both", body_en="<p>Body.</p>")
    english_title_only = make_article(title_en="No English body")
    draft = make_article(status=Article.Status.DRAFT)
    review = make_article(status=Article.Status.REVIEW)
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1))
    ar = locs(urlset(client, "/sitemap-articles-ar.xml"))
    en = locs(urlset(client, "/sitemap-articles-en.xml"))
    assert Counter(ar) == Counter(
        absolute(a.get_absolute_url()) for a in (arabic, both, english_title_only)
    )
    assert max(Counter(ar).values()) == 1
    from django.utils.translation import override

    with override("en"):
        assert en == [absolute(both.get_absolute_url())]
    everything = " ".join(ar + en)
    for hidden in (draft, review, scheduled):
        assert f"/{hidden.pk}/" not in everything


def test_hreflang_pairs_link_both_editions_and_x_default(client, make_article):
    from django.utils.translation import override

    both = make_article(title_en="Both", body_en="<p>Body.</p>")
    arabic_only = make_article()
    ar_url = absolute(both.get_absolute_url())
    with override("en"):
        en_url = absolute(both.get_absolute_url())
    assert en_url.startswith("http://testserver/en/")
    [en_entry] = urlset(client, "/sitemap-articles-en.xml")
    ar_entries = {
        url.findtext(f"{SM}loc"): url for url in urlset(client, "/sitemap-articles-ar.xml")
    }
    expected = {"ar": ar_url, "en": en_url, "x-default": ar_url}
    assert hreflangs(ar_entries[ar_url]) == expected
    assert hreflangs(en_entry) == expected
    alone = absolute(arabic_only.get_absolute_url())
    assert hreflangs(ar_entries[alone]) == {"ar": alone, "x-default": alone}


def test_lastmod_is_the_update_time(client, make_article):
    article = make_article()
    Article.objects.filter(pk=article.pk).update(updated_at=datetime(2026, 2, 3, 10, 0, tzinfo=UTC))
    [url] = urlset(client, "/sitemap-articles-ar.xml")
    assert url.findtext(f"{SM}lastmod") == "2026-02-03"


@pytest.mark.parametrize("page_cache_seconds", [0, 600])  # with the page cache in front too
def test_large_sitemaps_are_split_into_pages_listed_in_the_index(
    client, make_article, monkeypatch, settings, page_cache_seconds
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = page_cache_seconds
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    made = [make_article() for _ in range(5)]
    index = [loc.text for loc in fetch(client, "/sitemap.xml").iter(f"{SM}loc")]
    pages = [loc for loc in index if "articles-ar" in loc]
    assert pages == [
        "http://testserver/sitemap-articles-ar.xml",
        "http://testserver/sitemap-articles-ar.xml?p=2",
        "http://testserver/sitemap-articles-ar.xml?p=3",
    ]
    seen = []
    for page in pages:
        urls = urlset(client, page.removeprefix("http://testserver"))
        assert len(urls) <= 2
        seen += locs(urls)
    assert sorted(seen) == sorted(absolute(a.get_absolute_url()) for a in made)
    assert client.get("/sitemap-articles-ar.xml?p=4").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_article_sitemap_pages_stay_within_the_protocol_limits():
    """At most 50,000 URLs and 50 MB a file, with long percent-encoded Arabic URLs."""
    limit = ArticleSitemap("ar").limit
    assert limit <= 50_000
    assert limit * 1_200 * 2 < 50_000_000  # twice the measured bytes per URL


def test_sections_and_tags_with_public_articles_in_each_language(
    client, make_article, opinions, tag
):
    make_article(tags=[tag], title_en="English", body_en="<p>Body.</p>")
    Tag.objects.create(slug="empty", name_ar="فارغ")
    arabic_tag = Tag.objects.create(slug="arabic", name_ar="عربي")
    make_article(tags=[arabic_tag], section=opinions)
    make_article(tags=[Tag.objects.create(slug="drafts", name_ar="مسودات")], status="draft")
    sections = locs(urlset(client, "/sitemap-sections.xml"))
    assert sections == [
        "http://testserver/news/",
        "http://testserver/en/news/",
        "http://testserver/opinions/",
    ]
    tags = urlset(client, "/sitemap-tags.xml")
    assert locs(tags) == [
        "http://testserver/tag/basra/",
        "http://testserver/en/tag/basra/",
        "http://testserver/tag/arabic/",
    ]
    assert hreflangs(tags[0]) == {
        "ar": "http://testserver/tag/basra/",
        "en": "http://testserver/en/tag/basra/",
        "x-default": "http://testserver/tag/basra/",
    }


def test_a_tag_s_lastmod_is_its_latest_published_change_in_and_outside_the_window(
    client, make_article, monkeypatch
):
    # The latest changes come from the latest changed articles; with a window of one, the
    # older tag's comes from its own articles.
    monkeypatch.setattr(TagSitemap, "recent_window", 1)
    at = {day: datetime(2026, 2, day, 10, 0, tzinfo=UTC) for day in range(1, 9)}
    recent, older = Tag.objects.create(slug="recent"), Tag.objects.create(slug="older")
    hidden = Tag.objects.create(slug="hidden")
    changed = {
        make_article(tags=[recent, older]): at[7],
        make_article(tags=[older]): at[3],
        make_article(tags=[older]): at[5],
        make_article(tags=[older, hidden], status="draft"): at[8],
        make_article(tags=[hidden], published_at=timezone.now() + timedelta(days=1)): at[8],
    }
    for article, day in changed.items():
        Article.objects.filter(pk=article.pk).update(updated_at=day)
    tags = urlset(client, "/sitemap-tags.xml")
    assert {
        loc: url.findtext(f"{SM}lastmod") for loc, url in zip(locs(tags), tags, strict=True)
    } == {
        "http://testserver/tag/recent/": "2026-02-07",
        "http://testserver/tag/older/": "2026-02-07",
    }
    Article.objects.filter(tags=recent).update(updated_at=at[1])
    Article.objects.filter(tags=older, updated_at=at[5]).update(updated_at=at[6])
    assert {item.slug: item.latest for item in TagSitemap().items()} == {
        "recent": at[1],
        "older": at[6],
    }


def test_the_tag_sitemap_reads_no_grouped_query_and_a_fixed_number_of_them(make_article):
    """Grouping all the articles by tag took seconds at a million articles."""

    def queries():
        with CaptureQueriesContext(connection) as captured:
            TagSitemap().items()
        assert not [q for q in captured.captured_queries if "GROUP BY" in q["sql"].upper()]
        return len(captured)

    make_article(tags=[Tag.objects.create(slug="one")])
    few = queries()
    for number in range(6):
        make_article(tags=[Tag.objects.create(slug=f"tag-{number}")])
    assert queries() == few <= 4


def test_sitemaps_ask_not_to_be_indexed_themselves(client, make_article):
    make_article()
    assert "noindex" in client.get("/sitemap.xml")["X-Robots-Tag"]


class TestNewsSitemap:
    def entries(self, client):
        root = fetch(client, "/sitemap-news.xml")
        assert root.tag == f"{SM}urlset"
        return {
            url.findtext(f"{SM}loc"): url.find(f"{NEWS}news") for url in root.findall(f"{SM}url")
        }

    def test_lists_the_last_48_hours_with_the_news_elements(self, client, make_article):
        fresh = make_article(
            title_ar="خبر اليوم",
            title_en="Today's story",
            body_en="<p>Body.</p>",
            published_at=timezone.now() - timedelta(hours=3),
        )
        entries = self.entries(client)
        from django.utils.translation import override

        ar = entries[absolute(fresh.get_absolute_url())]
        with override("en"):
            en = entries[absolute(fresh.get_absolute_url())]
        assert ar.findtext(f"{NEWS}publication/{NEWS}language") == "ar"
        assert ar.findtext(f"{NEWS}publication/{NEWS}name")
        assert ar.findtext(f"{NEWS}title") == "خبر اليوم"
        published = datetime.fromisoformat(ar.findtext(f"{NEWS}publication_date"))
        assert published == fresh.published_at.replace(microsecond=0)
        assert en.findtext(f"{NEWS}publication/{NEWS}language") == "en"
        assert en.findtext(f"{NEWS}title") == "Today's story"

    @pytest.mark.parametrize(
        "fields",
        [
            {"published_at": timezone.now() - timedelta(hours=49)},
            {"published_at": timezone.now() + timedelta(hours=1)},
            {"status": Article.Status.DRAFT},
        ],
        ids=["older-than-48h", "scheduled", "draft"],
    )
    def test_leaves_out(self, client, make_article, fields):
        make_article(published_at=timezone.now() - timedelta(hours=1))
        hidden = make_article(**fields)
        entries = self.entries(client)
        assert len(entries) == 1
        assert absolute(hidden.get_absolute_url()) not in entries


def test_x_default_is_exact_even_when_a_slug_looks_like_a_language(client, make_article):
    from articles.models import Section

    section = Section.objects.create(slug="ar", name_ar="عربية", name_en="Arabic")
    article = make_article(section=section)
    [url] = urlset(client, "/sitemap-articles-ar.xml")
    loc = url.findtext(f"{SM}loc")
    assert loc == absolute(article.get_absolute_url())
    assert loc.startswith("http://testserver/ar/")
    assert hreflangs(url)["x-default"] == loc


def test_article_addresses_are_spelled_as_the_article_spells_them(make_article):
    from django.utils.translation import override

    from articles.models import Section

    section = Section.objects.create(slug="محليات", name_ar="محليات", name_en="Local")
    articles = [
        make_article(title_ar="خبر عن البصرة؟ & «الموصل»", section=section),
        make_article(title_ar="خبر", title_en="News: 100% & more", body_en="<p>Text.</p>"),
        make_article(title_ar="بلا عنوان", slug_ar=""),
    ]
    Article.objects.filter(pk=articles[2].pk).update(slug_ar="")
    articles[2].refresh_from_db()
    for language in ("ar", "en"):
        sitemap = ArticleSitemap(language)
        with override(language):
            for article in articles:
                assert sitemap.location(article) == article.get_absolute_url()


def test_sitemap_xml_is_what_django_s_template_makes():
    from django.template.loader import render_to_string

    from articles.sitemaps import urlset_xml

    urls = [
        {
            "location": "http://testserver/a&b/<1>/",
            "lastmod": datetime(2026, 1, 2, 23, 30, tzinfo=UTC),
            "changefreq": "daily",
            "priority": "0.5",
            "alternates": [
                {"lang_code": "ar", "location": 'http://testserver/1/?x="y"'},
                {"lang_code": "x-default", "location": "http://testserver/1/"},
            ],
        },
        {"location": "http://testserver/2/", "lastmod": None, "alternates": []},
    ]
    assert urlset_xml(urls) == render_to_string("sitemap.xml", {"urlset": urls})


def _all_pages(client, name="articles-ar"):
    index = [loc.text for loc in fetch(client, "/sitemap.xml").iter(f"{SM}loc")]
    pages = [loc.removeprefix("http://testserver") for loc in index if f"{name}.xml" in loc]
    return pages, [locs(urlset(client, page)) for page in pages]


def _article_id(loc):
    return int(loc.removeprefix("http://testserver").strip("/").split("/")[1])


def test_pages_hold_every_public_article_once_in_order_even_with_an_old_layout(
    client, make_article, monkeypatch
):
    """Pages are id ranges (keyset paging): however old the cached layout, every public
    article is on exactly one page, in id order across the pages."""
    monkeypatch.setattr(ArticleSitemap, "limit", 3)
    made = [make_article() for _ in range(10)]
    pages, seen = _all_pages(client)
    assert len(pages) == 4 and [len(urls) for urls in seen] == [3, 3, 3, 1]
    ids = [_article_id(loc) for urls in seen for loc in urls]
    assert ids == sorted(a.pk for a in made)

    # The layout is kept (an hour); the articles change under it.
    made[1].delete()
    from articles import services

    services.unpublish_articles(Article.objects.filter(pk__in=[a.pk for a in made[4:7]]))
    later = [make_article() for _ in range(4)]
    from articles.cache import articles_changed

    articles_changed()
    public = sorted(a.pk for a in [*made, *later] if a.pk not in {made[1].pk, *[
        m.pk for m in made[4:7]]})  # fmt: skip
    pages, seen = _all_pages(client)
    ids = [_article_id(loc) for urls in seen for loc in urls]
    assert ids == public
    # Until the layout is made again, the pages lose what left and the last takes the new.
    assert [len(urls) for urls in seen] == [2, 1, 2, 5]

    # A new layout evens the pages out again.
    from django.core.cache import cache

    cache.clear()
    pages, seen = _all_pages(client)
    assert [len(urls) for urls in seen] == [3, 3, 3, 1]
    assert [_article_id(loc) for urls in seen for loc in urls] == public


def test_the_last_page_of_a_layout_takes_what_was_published_after_it(client, make_article):
    first = make_article()
    assert locs(urlset(client, "/sitemap-articles-ar.xml")) == [absolute(first.get_absolute_url())]
    second = make_article()
    assert locs(urlset(client, "/sitemap-articles-ar.xml")) == [
        absolute(first.get_absolute_url()),
        absolute(second.get_absolute_url()),
    ]
    for bad in ("0", "2", "x", "1.5", "-1"):
        assert client.get(f"/sitemap-articles-ar.xml?p={bad}").status_code == 404
