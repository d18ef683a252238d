"""RSS 2.0 and Atom feeds: structure, absolute links, languages, what is left out,
images, conditional GET."""

import email.utils
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Section

# Run with the page cache off and on (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("both_page_cache_states")

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "media": "http://search.yahoo.com/mrss/",
}
A = "{http://www.w3.org/2005/Atom}"


def rss(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    return root.find("channel")


def atom(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{A}feed"
    return root


def titles(channel):
    return [item.findtext("title") for item in channel.findall("item")]


def test_site_rss_has_the_required_channel_and_item_elements(
    client, make_article, author, tag, source
):
    published = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    article = make_article(
        title_ar="افتتاح جسر جديد في الموصل",
        summary_ar="ملخص الخبر عن الجسر.",
        body_ar='<p>النص الكامل <a href="/news/">للخبر</a>.</p><script>alert(1)</script>',
        author=author,
        tags=[tag],
        published_at=published,
    )
    channel = rss(client, "/feed/")
    assert channel.findtext("title")
    assert channel.findtext("link") == "http://testserver/"
    assert channel.findtext("description")
    assert channel.findtext("language") == "ar"
    assert channel.find("atom:link", NS).get("href") == "http://testserver/feed/"
    [item] = channel.findall("item")
    assert item.findtext("title") == "افتتاح جسر جديد في الموصل"
    assert item.findtext("link") == f"http://testserver{article.get_absolute_url()}"
    assert item.findtext("description") == "ملخص الخبر عن الجسر."
    assert email.utils.parsedate_to_datetime(item.findtext("pubDate")) == published
    guid = item.find("guid")
    assert guid.get("isPermaLink") == "false"
    assert guid.text == f"tag:testserver,{article.created_at:%Y-%m-%d}:article/{article.pk}/ar"
    assert item.findtext("dc:creator", namespaces=NS) == "ليلى حسن"
    assert [c.text for c in item.findall("category")] == ["أخبار", "البصرة"]
    content = item.findtext("content:encoded", namespaces=NS)
    assert "النص الكامل" in content
    assert 'href="http://testserver/news/"' in content
    assert "<script" not in content


def test_guid_is_stable_when_the_article_is_renamed_and_moved(client, make_article, opinions):
    article = make_article(title_ar="عنوان أول")
    before = rss(client, "/feed/").find("item")
    article.title_ar = "عنوان معدل"
    article.slug_ar = "عنوان-معدل"
    article.section = opinions
    article.save()
    after = rss(client, "/feed/").find("item")
    assert after.findtext("link") != before.findtext("link")
    assert after.findtext("guid") == before.findtext("guid")


def test_drafts_scheduled_and_untranslated_articles_stay_out(client, make_article):
    make_article(title_ar="منشور")
    make_article(title_ar="مسودة", status=Article.Status.DRAFT)
    make_article(title_ar="مجدول", published_at=timezone.now() + timedelta(hours=2))
    make_article(title_ar="بالعربية والإنجليزية", title_en="In English", body_en="<p>Body.</p>")
    assert titles(rss(client, "/feed/")) == ["منشور", "بالعربية والإنجليزية"]
    english = rss(client, "/en/feed/")
    assert english.findtext("language") == "en"
    assert titles(english) == ["In English"]
    [item] = english.findall("item")
    assert item.findtext("link").startswith("http://testserver/en/news/")
    assert item.findtext("guid").endswith("/en")


def test_section_and_tag_feeds_list_only_their_articles(client, make_article, opinions, tag):
    make_article(title_ar="خبر", tags=[tag])
    make_article(title_ar="رأي", section=opinions)
    assert titles(rss(client, "/news/feed/")) == ["خبر"]
    assert titles(rss(client, "/opinions/feed/")) == ["رأي"]
    assert titles(rss(client, f"/tag/{tag.slug}/feed/")) == ["خبر"]
    assert rss(client, "/opinions/feed/").findtext("link") == "http://testserver/opinions/"
    assert client.get("/missing/feed/").status_code == 404
    assert client.get("/tag/missing/feed/").status_code == 404
    # The feed routes do not shadow the section and article pages.
    assert client.get("/opinions/").status_code == 200


def test_main_image_is_an_enclosure_and_media_content_with_length_and_type(
    client, make_article, jpeg_upload
):
    article = make_article(image=jpeg_upload, image_alt_ar="قاعة المؤتمر")
    item = rss(client, "/feed/").find("item")
    enclosure = item.find("enclosure")
    assert enclosure.get("url") == f"http://testserver{article.main_image.file.url}"
    assert enclosure.get("length") == str(article.main_image.file.size) != "0"
    assert enclosure.get("type") == "image/jpeg"
    media = item.find("media:content", NS)
    assert media.get("url") == enclosure.get("url")
    assert media.get("fileSize") == str(article.main_image.file.size)
    assert (media.get("width"), media.get("height")) == ("64", "36")
    assert media.findtext("media:description", namespaces=NS) == "قاعة المؤتمر"
    entry = atom(client, "/feed/atom/").find(f"{A}entry")
    link = entry.find(f"{A}link[@rel='enclosure']")
    assert link.get("length") == str(article.main_image.file.size)
    assert link.get("type") == "image/jpeg"


def test_a_missing_image_file_drops_the_enclosure_not_the_feed(client, make_article, jpeg_upload):
    article = make_article(image=jpeg_upload)
    article.main_image.file.storage.delete(article.main_image.file.name)
    item = rss(client, "/feed/").find("item")
    assert item.find("enclosure") is None


def test_atom_feed_has_ids_dates_content_and_language(client, make_article, author):
    article = make_article(title_ar="خبر", author=author)
    feed = atom(client, "/feed/atom/")
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    assert feed.findtext(f"{A}id") and feed.findtext(f"{A}updated")
    assert feed.find(f"{A}link[@rel='self']").get("href") == "http://testserver/feed/atom/"
    [entry] = feed.findall(f"{A}entry")
    assert entry.findtext(f"{A}id").endswith(f"article/{article.pk}/ar")
    assert entry.findtext(f"{A}published") and entry.findtext(f"{A}updated")
    assert entry.find(f"{A}content").get("type") == "html"
    assert entry.find(f"{A}link[@rel='alternate']").get("href").startswith("http://testserver/")
    assert entry.findtext(f"{A}author/{A}name") == "ليلى حسن"
    english = atom(client, "/en/feed/atom/")
    assert english.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_control_characters_in_imported_text_do_not_break_the_xml(client, make_article):
    make_article(title_ar="خبر\x0bمستورد", summary_ar="ملخص\x01")
    channel = rss(client, "/feed/")
    assert titles(channel) == ["خبرمستورد"]


@pytest.mark.usefixtures("page_cache")
@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/", "/news/feed/", "/en/feed/"])
def test_conditional_get_answers_304(client, make_article, url):
    make_article()
    first = client.get(url)
    assert first.status_code == 200
    assert first["ETag"] and first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    since = first["Last-Modified"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


@pytest.mark.usefixtures("page_cache")
def test_last_modified_is_not_older_than_the_newest_listed_article(client, make_article):
    article = make_article()
    last_modified = email.utils.parsedate_to_datetime(client.get("/feed/")["Last-Modified"])
    assert last_modified >= article.updated_at.replace(microsecond=0)


def test_feeds_answer_only_safe_methods(client, make_article):
    assert client.post("/feed/").status_code == 405


def test_every_page_links_the_feeds_of_its_language(client, make_article, tag):
    make_article(tags=[tag])
    page = client.get("/").content.decode()
    assert re.search(r'<link rel="alternate" type="application/rss\+xml" [^>]*href="/feed/"', page)
    assert re.search(r'type="application/atom\+xml" [^>]*href="/feed/atom/"', page)
    english = client.get("/en/").content.decode()
    assert 'href="/en/feed/"' in english
    section = client.get("/news/").content.decode()
    assert 'href="/news/feed/"' in section
    assert f'href="/tag/{tag.slug}/feed/"' in client.get(tag.get_absolute_url()).content.decode()


def test_feed_size_is_bounded(client, make_article):
    for _ in range(35):
        make_article()
    assert len(rss(client, "/feed/").findall("item")) == 30


def test_section_named_like_a_feed_route_cannot_exist(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Section(slug="feed", name_ar="خلاصة").full_clean()


@pytest.mark.usefixtures("page_cache")
def test_head_requests_get_the_headers(client, make_article):
    make_article()
    get = client.get("/feed/")
    head = client.head("/feed/")
    assert head.status_code == 200
    assert head["ETag"] == get["ETag"]
    assert head["Content-Type"] == get["Content-Type"]


def test_a_section_with_an_arabic_slug_has_its_feed(client, make_article):
    section = Section.objects.create(slug="اقتصاد", name_ar="اقتصاد", name_en="Economy")
    make_article(section=section, title_ar="خبر اقتصادي")
    page = client.get(section.get_absolute_url()).content.decode()
    href = re.search(r'type="application/rss\+xml" title="اقتصاد[^"]*" href="([^"]+)"', page)
    channel = rss(client, href.group(1))
    assert titles(channel) == ["خبر اقتصادي"]
    assert channel.findtext("link") == f"http://testserver{section.get_absolute_url()}"
    assert channel.find("item").findtext("link").isascii()
