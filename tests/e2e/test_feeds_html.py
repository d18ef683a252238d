"""The HTML that the feeds carry (RSS `description` and `content:encoded`, Atom `summary`
and `content` of type html) is valid HTML, checked with the W3C Nu HTML Checker."""

from urllib.request import urlopen
from xml.etree import ElementTree

from tests.e2e import checks

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = [("ar", "/feed/"), ("ar", "/feed/atom/"), ("en", "/en/feed/"), ("en", "/en/feed/atom/")]


def html_fields(xml):
    """(where, html) for every HTML-bearing field of an RSS 2.0 or Atom 1.0 document."""
    root = ElementTree.fromstring(xml)
    fields = []
    for index, item in enumerate(root.iter("item")):
        for tag in ("description", CONTENT):
            element = item.find(tag)
            if element is not None and (element.text or "").strip():
                fields.append((f"item {index} {tag.split('}')[-1]}", element.text))
    for index, entry in enumerate(root.iter(f"{ATOM}entry")):
        for tag in ("summary", "content"):
            element = entry.find(f"{ATOM}{tag}")
            if element is not None and element.get("type") == "html" and element.text:
                fields.append((f"entry {index} {tag}", element.text))
    return fields


def as_document(fragment, language):
    direction = "rtl" if language == "ar" else "ltr"
    return (
        f'<!DOCTYPE html><html lang="{language}" dir="{direction}"><head><meta charset="utf-8">'
        f"<title>feed item</title></head><body>{fragment}</body></html>"
    )


def test_feeds_carry_valid_html(site, html_checker):
    documents = {}
    for language, path in FEEDS:
        with urlopen(site.url + path, timeout=30) as response:  # noqa: S310 - the live server
            assert response.status == 200
            fields = html_fields(response.read())
        assert len(fields) >= 10, f"{path}: too few HTML fields found ({len(fields)})"
        assert any("<p>" in html for _where, html in fields), f"{path}: no article body"
        for where, html in fields:
            documents[f"{path} {where}"] = as_document(html, language)
    checks.assert_valid_html(documents)
