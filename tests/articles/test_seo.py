"""What search engines read in <head>: JSON-LD, descriptions, canonical and hreflang
links, robots rules."""

import json
import re
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from PIL import Image

from articles.models import Article

# Run with the page cache off and on (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("both_page_cache_states")


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def by_type(html):
    return {data["@type"]: data for data in json_ld(html)}


def head(html):
    return html.split("<head>", 1)[1].split("</head>", 1)[0]


def meta_description(html):
    return unescape(re.search(r'<meta name="description" content="([^"]*)"', html).group(1))


def test_article_page_has_news_article_json_ld_with_the_required_keys(
    client, make_article, author, tag, jpeg_upload
):
    article = make_article(
        title_ar="افتتاح جسر جديد في الموصل",
        summary_ar="ملخص قصير.",
        author=author,
        tags=[tag],
        image=jpeg_upload,
    )
    data = by_type(page(client, article.get_absolute_url()))
    news = data["NewsArticle"]
    url = f"http://testserver{article.get_absolute_url()}"
    assert news["@context"] == "https://schema.org"
    assert news["headline"] == "افتتاح جسر جديد في الموصل"
    assert news["mainEntityOfPage"]["@id"] == url
    assert news["datePublished"].startswith(f"{article.published_at:%Y-%m-%dT%H:%M}")
    assert news["dateModified"]
    assert news["author"] == [
        {
            "@type": "Person",
            "name": "ليلى حسن",
            "url": f"http://testserver{author.get_absolute_url()}",
        }
    ]
    assert news["publisher"]["name"]
    logo = news["publisher"]["logo"]
    assert logo["url"] == "http://testserver/static/newsroom/logo.png"
    assert news["image"] == [f"http://testserver{article.main_image.file.url}"]
    assert news["articleSection"] == "أخبار"
    assert news["inLanguage"] == "ar"
    assert news["isAccessibleForFree"] is True
    assert news["description"] == "ملخص قصير."
    assert news["keywords"] == ["البصرة"]
    crumbs = data["BreadcrumbList"]["itemListElement"]
    assert [c["position"] for c in crumbs] == [1, 2, 3]
    assert [c["item"] for c in crumbs] == ["http://testserver/", "http://testserver/news/", url]
    assert crumbs[1]["name"] == "أخبار"


def test_english_article_json_ld_is_in_english(client, make_article):
    from django.utils.translation import override

    article = make_article(title_en="A bridge opens", body_en="<p>Body.</p>")
    with override("en"):
        url = article.get_absolute_url()
    news = by_type(page(client, url))["NewsArticle"]
    assert news["inLanguage"] == "en"
    assert news["headline"] == "A bridge opens"
    assert news["mainEntityOfPage"]["@id"] == f"http://testserver{url}"


def test_json_ld_cannot_close_its_script_element(client, make_article):
    hostile = '</script><script>alert("x")</script> & <!--'
    article = make_article(title_ar=hostile, summary_ar=hostile)
    html = page(client, article.get_absolute_url())
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 2
    assert "<" not in scripts[0] and ">" not in scripts[0] and "&" not in scripts[0]
    assert by_type(html)["NewsArticle"]["headline"] == hostile


def test_byline_without_author_and_no_byline(client, make_article):
    with_byline = make_article(byline_ar="مكتب بغداد")
    anonymous = make_article()
    assert by_type(page(client, with_byline.get_absolute_url()))["NewsArticle"]["author"] == [
        {"@type": "Organization", "name": "مكتب بغداد"}
    ]
    author = by_type(page(client, anonymous.get_absolute_url()))["NewsArticle"]["author"][0]
    assert author["@type"] == "Organization" and author["url"] == "http://testserver/"


def test_previews_have_noindex_and_no_structured_data(client, make_article, django_user_model):
    draft = make_article(status=Article.Status.DRAFT)
    editor = django_user_model.objects.create_user("editor", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(editor)
    html = page(client, draft.get_absolute_url())
    assert '<meta name="robots" content="noindex' in html
    assert json_ld(html) == []


def test_not_found_page_says_noindex(client, db):
    response = client.get("/no-such-section/")
    assert response.status_code == 404
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_home_has_website_with_search_action(client, make_article):
    make_article()
    website = by_type(page(client, "/"))["WebSite"]
    assert website["url"] == "http://testserver/"
    action = website["potentialAction"]
    assert action["@type"] == "SearchAction"
    template = action["target"]["urlTemplate"]
    assert template == "http://testserver/search/?q={query}"
    assert action["query-input"] == "required name=query"
    english = by_type(page(client, "/en/"))["WebSite"]
    assert english["potentialAction"]["target"]["urlTemplate"].startswith(
        "http://testserver/en/search/?q="
    )
    assert english["inLanguage"] == "en"


def test_publisher_logo_is_a_real_png(client):
    path = finders.find("newsroom/logo.png")
    assert path
    with Image.open(path) as logo:
        assert logo.format == "PNG"
        assert logo.size == (512, 512)


def test_meta_description_from_summary_or_body(client, make_article):
    with_summary = make_article(summary_ar="ملخص الخبر.")
    without = make_article(body_ar="<p>أول <strong>جملة</strong> في النص.</p>")
    assert meta_description(page(client, with_summary.get_absolute_url())) == "ملخص الخبر."
    assert meta_description(page(client, without.get_absolute_url())) == "أول جملة في النص."


@pytest.mark.parametrize("url", ["/", "/news/", "/tag/basra/", "/author/layla/", "/en/"])
def test_list_pages_have_a_canonical_url(client, make_article, tag, author, url):
    make_article(tags=[tag], author=author, title_en="E", body_en="<p>B</p>")
    html = page(client, url + "?utm_source=x")
    assert f'<link rel="canonical" href="http://testserver{url}">' in html


def test_a_later_page_is_its_own_canonical(client, make_article):
    for _ in range(21):
        make_article()
    html = page(client, "/news/?page=2")
    assert '<link rel="canonical" href="http://testserver/news/?page=2">' in html


def test_hreflang_alternates_only_for_real_versions_with_x_default(client, make_article):
    from django.utils.translation import override

    both = make_article(title_en="Both", body_en="<p>B</p>")
    arabic_only = make_article()
    ar = f"http://testserver{both.get_absolute_url()}"
    alone_url = arabic_only.get_absolute_url()
    with override("en"):
        en = f"http://testserver{both.get_absolute_url()}"
    for url in (ar, en):
        links = dict(
            re.findall(
                r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">',
                head(page(client, url.removeprefix("http://testserver"))),
            )
        )
        assert links == {"ar": ar, "en": en, "x-default": ar}
    alone = head(page(client, alone_url))
    assert 'hreflang="en"' not in alone
    assert 'hreflang="x-default"' in alone
    # The language switcher still offers the English edition's home.
    assert 'href="/en/" hreflang="en"' in page(client, alone_url)


def test_robots_txt_points_to_the_sitemaps_and_keeps_crawlers_out(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for rule in ("Disallow: /admin/", "Disallow: /search/", "Disallow: /en/search/"):
        assert rule in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/sitemap-news.xml" in lines
    assert "Disallow: /" not in lines
