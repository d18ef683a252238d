"""Two app servers, one database, one Redis, one media bucket: an edit made through one
is served by the other within a second (exact invalidation through the shared content
versions, read by each process at most every NEWSROOM_VERSION_CHECK_SECONDS; pages are
cached for ten minutes, so no timeout does it), with the picture it uploaded served from
the bucket.

The servers are real processes (gunicorn, one worker each, on loopback) with the page
cache on, sharing a database made for this test (PostgreSQL when DATABASE_URL names
one, else an SQLite file), Redis under a key prefix of their own, removed afterwards, and
a bucket of the S3-compatible server that the test starts (tests/s3.py).
Skipped, saying why, when Redis does not answer (REDIS_URL, or 127.0.0.1:6379).
"""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from html.parser import HTMLParser
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import HTTPCookieProcessor, Request, build_opener, urlopen

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from tests.test_images import upload

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
PASSWORD = "two servers, one truth"


def redis_or_skip():
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
        return client
    except Exception as error:  # noqa: BLE001 - any failure means "no Redis here"
        pytest.skip(
            f"Redis is not reachable at {REDIS_URL} ({error}); the two-server test needs it"
        )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def shared_env(tmp_path, s3_server):
    redis = redis_or_skip()
    prefix = f"newsroom-test-{secrets.token_hex(6)}"
    database_url = os.environ.get("DATABASE_URL", "")
    dropdb = None
    if database_url.startswith("postgres"):
        import psycopg2

        name = f"newsroom_two_servers_{secrets.token_hex(4)}"
        parts = urllib.parse.urlsplit(database_url)
        admin = psycopg2.connect(database_url)
        admin.autocommit = True
        admin.cursor().execute(f'CREATE DATABASE "{name}"')
        admin.close()
        database_url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))

        def dropdb():
            connection = psycopg2.connect(os.environ["DATABASE_URL"])
            connection.autocommit = True
            connection.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.close()
    else:
        database_url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "NEWSROOM_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        NEWSROOM_CACHE_PREFIX=prefix,
        NEWSROOM_PAGE_CACHE_SECONDS="600",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(40),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        **s3_server.environment(s3_server.new_bucket()),
    )
    try:
        yield env
    finally:
        keys = list(redis.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            redis.delete(*keys)
        if dropdb:
            dropdb()


def manage(env, *args, stdin=None):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout


SETUP = """
from datetime import timedelta
from django.contrib.auth.models import User
from django.utils import timezone
from articles.models import Article, Section
section = Section.objects.create(slug="news", name_ar="أخبار", name_en="News")
article = Article.objects.create(
    section=section, title_ar="الخبر كما نشر أولا", body_ar="<p>نص.</p>",
    status="published", published_at=timezone.now() - timedelta(minutes=5),
)
User.objects.create_superuser("editor", "editor@example.com", {password!r})
print(article.pk, article.get_absolute_url())
"""


class LoopbackPolicy(DefaultCookiePolicy):
    """Send the production settings' Secure cookies back over plain http, on loopback."""

    def return_ok_secure(self, cookie, request):
        return True


class Server:
    def __init__(self, env, log_path):
        self.port = free_port()
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--workers", "1",
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "30"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.opener = build_opener(HTTPCookieProcessor(CookieJar(LoopbackPolicy())))
        deadline = time.monotonic() + 30
        try:
            while True:
                try:
                    self.get("/robots-check-not-found/")
                    break
                except OSError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        log = Path(log_path).read_text()
                        raise RuntimeError(f"server did not start: {log}") from None
                    time.sleep(0.2)
        except BaseException:
            self.stop()
            raise

    def get(self, path):
        """(status, headers, body) of a GET, following no redirect."""
        try:
            with self.opener.open(f"http://127.0.0.1:{self.port}{path}", timeout=15) as response:
                return response.status, response.headers, response.read().decode()
        except HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def post(self, path, fields, files=None):
        """POST a form; with `files` ({name: uploaded file}) as multipart/form-data."""
        headers = {"Referer": f"http://127.0.0.1:{self.port}{path}"}
        pairs = list(fields.items()) if isinstance(fields, dict) else [tuple(f) for f in fields]
        if files:
            values = {}
            for name, value in pairs:
                values.setdefault(name, []).append(value)
            data = encode_multipart(BOUNDARY, {**values, **files})
            headers["Content-Type"] = MULTIPART_CONTENT
        else:
            data = urllib.parse.urlencode(pairs, doseq=True).encode()
        request = Request(f"http://127.0.0.1:{self.port}{path}", data=data, headers=headers)
        with self.opener.open(request, timeout=15) as response:
            return response.status, response.read().decode()

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


class FormFields(HTMLParser):
    """The fields a browser would send from the page's main form."""

    def __init__(self):
        super().__init__()
        self.fields, self._textarea, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "file", "button"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append([name, attrs.get("value", "on")])
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            self.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append([self._select, attrs.get("value", "")])

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def csrf_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def wait_for(fetch, done, limit=3.0):
    """(seconds until `done(fetch())`, that last result), polling; fails after `limit`."""
    started = time.monotonic()
    while True:
        result = fetch()
        seconds = time.monotonic() - started
        if done(result):
            return seconds, result
        assert seconds < limit, f"not served after {limit} s"
        time.sleep(0.02)


def test_an_edit_through_one_server_is_served_by_the_other_within_a_second(
    shared_env, tmp_path, s3_server
):
    manage(shared_env, "migrate", "--noinput", "-v0")
    manage(shared_env, "collectstatic", "--noinput", "-v0")  # production serves hashed files
    output = manage(shared_env, "shell", stdin=SETUP.format(password=PASSWORD))
    pk, url = output.strip().splitlines()[-1].split()
    one = Server(shared_env, tmp_path / "one.log")
    two = Server(shared_env, tmp_path / "two.log")
    try:
        # Both servers cache the article and the home page for readers.
        for server in (one, two):
            for path in (url, "/"):
                server.get(path)
                status, headers, body = server.get(path)
                assert status == 200 and headers["X-Page-Cache"] == "hit"
                assert "الخبر كما نشر أولا" in body

        # An editor corrects the headline in the admin of server one, and adds a picture.
        _status, _headers, login = one.get("/admin/login/")
        one.post(
            "/admin/login/?next=/admin/",
            {"csrfmiddlewaretoken": csrf_token(login), "username": "editor",
             "password": PASSWORD, "next": "/admin/"},
        )  # fmt: skip
        picture = SimpleUploadedFile("bridge.jpg", upload(size=(800, 450)).read(), "image/jpeg")
        _status, _headers, add_form = one.get("/admin/articles/image/add/")
        parser = FormFields()
        parser.feed(add_form)
        fields = [[name, value] for name, value in parser.fields if not name.startswith("_")]
        status, image_page = one.post(
            "/admin/articles/image/add/", [*fields, ["_continue", "Save"]], files={"file": picture}
        )
        assert status == 200
        picture_pk = re.search(r"/admin/articles/image/(\d+)/delete/", image_page).group(1)
        change = f"/admin/articles/article/{pk}/change/"
        _status, _headers, form_html = one.get(change)
        parser = FormFields()
        parser.feed(form_html)
        fields = [
            [name, "الخبر بعد التصحيح" if name == "title_ar" else value]
            for name, value in parser.fields
            if not name.startswith("_") and name != "main_image"
        ]
        status, _body = one.post(change, [*fields, ["main_image", picture_pk], ["_save", "Save"]])
        assert status == 200

        # Server two serves the correction within a second: the article page, and the home
        # page's every piece. Not necessarily both at once: server two may have read the
        # version bumped before the commit (newsroom/cache.py bump_version) and kept a piece
        # it made from what it read then, until it reads the version again
        # (NEWSROOM_VERSION_CHECK_SECONDS).
        corrected = time.monotonic()
        _seconds, (status, headers, body) = wait_for(
            lambda: two.get(url), lambda page: "الخبر بعد التصحيح" in page[2]
        )
        assert status == 200 and headers["X-Page-Cache"] == "miss"
        assert "الخبر كما نشر أولا" not in body
        wait_for(lambda: two.get("/"), lambda page: "الخبر بعد التصحيح" in page[2])
        assert time.monotonic() - corrected < 1

        # With the picture from the bucket, whose renditions server one made at upload: in
        # the page, at public addresses without signatures, and allowed by the policy.
        bucket = shared_env["NEWSROOM_MEDIA_S3_BUCKET"]
        stored = s3_server.keys(bucket)
        prefix = re.escape(f"{s3_server.endpoint}/{bucket}/")
        srcset = re.search(r'<source type="image/webp" srcset="([^"]+)"', body).group(1)
        addresses = [candidate.split()[0] for candidate in srcset.split(", ")]
        addresses += re.findall(r'<meta property="og:image" content="([^"]+)">', body)
        assert len(addresses) == 3  # 480 and 800 wide (the picture's own width), and og
        for address in addresses:
            key = re.fullmatch(rf"{prefix}((?:renditions|og)/[\w.-]+)", address).group(1)
            assert key in stored
        with urlopen(addresses[0], timeout=15) as response:  # as a reader's browser would
            assert response.status == 200 and response.headers["Content-Type"] == "image/webp"
        assert any(re.fullmatch(r"images/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", key) for key in stored)
        assert s3_server.endpoint in headers["Content-Security-Policy"]

        # Unpublished through server one: gone from server two within a second.
        _status, _headers, changelist = one.get("/admin/articles/article/")
        one.post(
            "/admin/articles/article/",
            {"csrfmiddlewaretoken": csrf_token(changelist), "action": "unpublish",
             "_selected_action": pk, "index": "0"},
        )  # fmt: skip
        unpublished = time.monotonic()
        wait_for(lambda: two.get(url), lambda page: page[0] == 404)
        wait_for(lambda: two.get("/"), lambda page: "الخبر بعد التصحيح" not in page[2])
        assert time.monotonic() - unpublished < 1  # the article and the home page
    finally:
        one.stop()
        two.stop()
