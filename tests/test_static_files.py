"""Static files in production: hashed names, compressed copies, cached for a year by
browsers and CDNs; and no page waits for a resource from another site."""

import re

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client


@pytest.fixture
def production_static(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", "--noinput", verbosity=0)


@pytest.mark.django_db
def test_hashed_files_are_cached_for_a_year_and_compressed(production_static):
    url = static("newsroom/site.css")
    assert re.fullmatch(r"/static/newsroom/site\.[0-9a-f]{12}\.css", url)
    client = Client()  # a new handler: WhiteNoise reads the collected files
    response = client.get(url, headers={"accept-encoding": "gzip, br"})
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1)) >= 31536000
    assert response["Content-Encoding"] in {"gzip", "br"}
    # The unhashed name is served too, but must be revalidated.
    plain = client.get("/static/newsroom/site.css")
    assert "immutable" not in plain.get("Cache-Control", "")


@pytest.mark.django_db
def test_pages_load_nothing_from_other_sites_and_block_on_no_script(client, make_article):
    article = make_article()
    for url in ("/", "/en/", article.get_absolute_url()):
        html = client.get(url).content.decode()
        head = html[: html.index("</head>")]
        for tag in re.findall(r"<(?:link|script)\b[^>]*>", head):
            if 'type="application/ld+json"' in tag:
                continue  # structured data: never executed, nothing to load
            source = re.search(r'(?:href|src)="([^"]*)"', tag)
            if 'rel="stylesheet"' in tag or tag.startswith("<script"):
                assert source and source.group(1).startswith("/static/"), tag
            if tag.startswith("<script"):
                assert " defer" in tag or " async" in tag, tag
        assert not re.search(r'(?:src|href)="(?:https?:)?//(?!testserver)[^"]+\.(?:js|css)', html)
