"""Links built from the request's path stay on the site, whatever the path looks like."""

import re

import pytest

# As the WSGI server hands them over (decoded): `GET //evil.example/`, `GET /%5Cevil.example/`…
HOSTILE_PATHS = ["//evil.example/", "/\\evil.example/", "/\\\\evil.example/x/", "///evil.example/"]


def hrefs(html):
    return re.findall(r'(?:href|content)="([^"]*)"', html)


def is_offsite(url):
    # Browsers read "\" as "/" in a URL, so "/\host" is "//host": another site.
    url = url.replace("\\", "/")
    return url.startswith("//") or (
        "://" in url and not url.split("://", 1)[1].startswith("testserver")
    )


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_not_found_page_links_only_to_this_site(client, db, path):
    # The test client would parse "//host/" as a host: hand the path over as a server does.
    response = client.get("/", PATH_INFO=path)
    assert response.status_code == 404
    html = response.content.decode()
    offsite = [url for url in hrefs(html) if "evil.example" in url and is_offsite(url)]
    assert not offsite, offsite


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_english_not_found_page_links_only_to_this_site(client, db, path):
    response = client.get("/", PATH_INFO="/en" + path)
    assert response.status_code == 404
    html = response.content.decode()
    assert not [url for url in hrefs(html) if "evil.example" in url and is_offsite(url)]


def test_language_link_of_a_real_page_still_follows_the_page(client, db, news, make_article):
    make_article(title_en="Water in Basra", body_en="<p>Text.</p>")
    html = client.get("/news/").content.decode()
    assert 'href="/en/news/"' in html
