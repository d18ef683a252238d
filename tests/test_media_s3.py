"""Uploaded pictures in an S3-compatible bucket (django-storages), against a real S3 server
on loopback (tests/s3.py): pictures and their renditions land in the bucket, with public,
stable addresses that pages use, the upload cleaning and the renditions work through it,
and the production settings read it all from the environment."""

import io
import json
import re
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from newsroom import images
from tests.caches import clear_cache
from tests.hardening.conftest import gps_jpeg
from tests.hardening.test_uploads import EXIF_MARKERS
from tests.test_images import upload

pytestmark = pytest.mark.django_db

IMMUTABLE = "public, max-age=31536000, immutable"


def renditions_of(field_file):
    return sorted(
        spec.stored_name(field_file.name, field_file.size) for spec in images.registered()
    )


def fetch(url):
    """What a browser gets at `url`: (status, headers, body), without credentials."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers, response.read()


def test_a_picture_and_its_renditions_land_in_the_bucket(
    s3_server, s3_media, make_article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(image=upload())
    name = article.main_image.file.name
    assert re.fullmatch(r"images/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", name)
    assert s3_server.keys(s3_media) == sorted([name, *renditions_of(article.main_image.file)])
    for key in s3_server.keys(s3_media):
        stored = s3_server.client.head_object(Bucket=s3_media, Key=key)
        assert stored["CacheControl"] == IMMUTABLE
        assert stored["ContentType"] == ("image/webp" if key.endswith(".webp") else "image/jpeg")

    # Public, stable addresses: the endpoint, the bucket, the name; no signature to expire.
    url = article.main_image.file.url
    assert url == f"{s3_server.endpoint}/{s3_media}/{name}" == article.main_image.file.url
    status, headers, body = fetch(url)
    assert status == 200 and headers["Cache-Control"] == IMMUTABLE
    with Image.open(io.BytesIO(body)) as picture:
        assert picture.size == (1600, 900)


def test_pages_use_the_bucket_addresses_and_never_render(
    client, s3_server, s3_media, make_article, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(image=upload(), is_featured=True)

    def fail(*args, **kwargs):
        raise AssertionError("rendered on a page view")

    monkeypatch.setattr(images, "render", fail)
    bucket = f"{s3_server.endpoint}/{s3_media}/"
    for cache in ("warm", "cold"):  # cold: another server, whose cache has forgotten
        if cache == "cold":
            clear_cache()
        html = client.get(article.get_absolute_url()).content.decode()
        figure = html[html.index('<figure class="article-image">') :]
        srcset = re.search(r'<source type="image/webp" srcset="([^"]+)"', figure).group(1)
        urls = [candidate.split()[0] for candidate in srcset.split(", ")]
        assert len(urls) == 3 and all(url.startswith(f"{bucket}renditions/") for url in urls)
        assert all("?" not in url for url in urls)
        og_image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
        assert og_image.startswith(f"{bucket}og/")
    status, headers, body = fetch(urls[0])
    assert status == 200 and headers["Content-Type"] == "image/webp"
    with Image.open(io.BytesIO(body)) as rendition:
        assert rendition.format == "WEBP" and rendition.width == 480


def test_make_renditions_fills_the_bucket(s3_server, s3_media, make_article):
    article = make_article(image=upload(size=(800, 450)))  # never committed: no renditions
    assert s3_server.keys(s3_media) == [article.main_image.file.name]
    out = io.StringIO()
    call_command("make_renditions", stdout=out)
    count = len(images.registered())
    assert out.getvalue().strip() == (
        f"pictures 1, renditions made {count}, already there 0, pictures failed 0"
    )
    assert s3_server.keys(s3_media) == sorted(
        [article.main_image.file.name, *renditions_of(article.main_image.file)]
    )
    out = io.StringIO()
    call_command("make_renditions", stdout=out)
    assert f"renditions made 0, already there {count}" in out.getvalue()


def test_pictures_in_the_bucket_are_stored_without_their_metadata(
    s3_server, s3_media, make_article
):
    article = make_article(image=SimpleUploadedFile("basra.jpg", gps_jpeg(), "image/jpeg"))
    body = s3_server.client.get_object(Bucket=s3_media, Key=article.main_image.file.name)[
        "Body"
    ].read()
    assert not [marker for marker in EXIF_MARKERS if marker in body]
    assert (article.main_image.width, article.main_image.height) == (80, 40)


def test_production_settings_read_the_bucket_from_the_environment(s3_server):
    from tests.hardening.test_headers import production_env, run_manage

    def settings_of(env):
        code = (
            "import json; from django.conf import settings; print(json.dumps(["
            "settings.STORAGES['default'], "
            "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']]))"
        )
        return json.loads(run_manage("shell", "-c", code, env=env).stdout.splitlines()[-1])

    env = production_env(**s3_server.environment("newsroom-media"))
    storage, img_src = settings_of(env)
    assert storage == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "newsroom-media",
            "endpoint_url": s3_server.endpoint,
            "region_name": "us-east-1",
            "custom_domain": None,
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": IMMUTABLE},
        },
    }  # no credentials: boto3 finds them
    assert img_src == ["'self'", "data:", s3_server.endpoint]

    cdn = production_env(**s3_server.environment("newsroom-media"), NEWSROOM_MEDIA_DOMAIN="m.cdn")
    storage, img_src = settings_of(cdn)
    assert storage["OPTIONS"]["custom_domain"] == "m.cdn"
    assert img_src == ["'self'", "data:", "https://m.cdn"]

    result = run_manage("check", "--deploy", "--fail-level", "DEBUG", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    # (HSTS preload left off on purpose is a silenced check: see the README, "HSTS".)
    assert "System check identified no issues" in result.stdout
