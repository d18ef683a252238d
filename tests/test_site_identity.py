"""Issue 17: the site's own font (self-hosted, preloaded, cached for a year), its icons and
web app manifest."""

import json
import re

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

FONTS = [
    "newsroom/fonts/noto-naskh-arabic-arabic-400-normal.woff2",
    "newsroom/fonts/noto-kufi-arabic-arabic-700-normal.woff2",
]


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
def test_arabic_fonts_are_preloaded_from_the_site_and_cached_for_a_year(production_static):
    client = Client()
    html = client.get("/").content.decode()
    for font in FONTS:
        url = static(font)
        assert re.search(rf'<link rel="preload" href="{re.escape(url)}" as="font"', html)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "font/woff2"
        assert "immutable" in response["Cache-Control"]
    css = b"".join(client.get(static("newsroom/site.css")).streaming_content).decode()
    assert css.count("font-display: swap") == 6
    assert not re.search(r"url\((?!\"?fonts/|\"?data:)", css.split("/* 1. Tokens")[0])
    # English pages use the system's Latin fonts: nothing to preload.
    assert 'as="font"' not in client.get("/en/").content.decode()


@pytest.mark.django_db
def test_favicon_icons_and_manifest_in_arabic(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".ico")
    html = client.get("/").content.decode()
    assert '<link rel="icon"' in html and '<link rel="apple-touch-icon"' in html
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = json.loads(manifest.content)
    assert data["name"] == "غرفة الأخبار" and data["lang"] == "ar" and data["dir"] == "rtl"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
