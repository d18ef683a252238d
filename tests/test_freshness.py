"""A change made by another process of the same site is served within a second, on every
setup: the content versions live where every process reads them (the database without
Redis, Redis with it), not in one process's memory.

The site server and `manage.py import_articles` are two real processes, as with a cron
job or an editor's command beside `make run`: the server caches the pages for readers
(ten minutes), the command imports a published story and a new section, and the server
shows both within a second, without a restart.

Setups: the default one (an SQLite file, no Redis), and the database DATABASE_URL names
(PostgreSQL in CI) with and without Redis (REDIS_URL; skipped, saying why, when Redis
does not answer).
"""

import json
import os
import secrets
import urllib.parse
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.test_two_servers import REDIS_URL, Server, manage, redis_or_skip, wait_for

SETUP = """
from datetime import timedelta
from django.utils import timezone
from articles.models import Article, Section
section = Section.objects.create(slug="news", name_ar="أخبار", name_en="News")
Article.objects.create(
    section=section, title_ar="خبر قديم عن الكهرباء", body_ar="<p>نص.</p>",
    status="published", published_at=timezone.now() - timedelta(hours=1),
)
"""


def postgres_database(database_url):
    """A new database on the PostgreSQL server of `database_url`: (its URL, drop it)."""
    import psycopg2

    name = f"newsroom_freshness_{secrets.token_hex(4)}"
    parts = urllib.parse.urlsplit(database_url)
    # The server's maintenance database: the one DATABASE_URL names may not exist yet.
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    admin = psycopg2.connect(maintenance)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    admin.close()

    def drop():
        connection = psycopg2.connect(maintenance)
        connection.autocommit = True
        connection.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.close()

    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), drop


@pytest.fixture(params=["sqlite-without-redis", "configured-without-redis", "configured-redis"])
def site_env(request, tmp_path):
    """The environment of every process of one site, as production sets it."""
    configured = os.environ.get("DATABASE_URL", "")
    drop = redis = None
    if request.param == "sqlite-without-redis" or not configured.startswith("postgres"):
        if request.param != "sqlite-without-redis":
            pytest.skip("DATABASE_URL names no PostgreSQL database: the SQLite case covers it")
        database_url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    else:
        database_url, drop = postgres_database(configured)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "NEWSROOM_", "DATABASE_URL", "REDIS_URL"))
    }
    prefix = f"newsroom-test-{secrets.token_hex(6)}"
    if request.param == "configured-redis":
        redis = redis_or_skip()
        env.update(REDIS_URL=REDIS_URL, NEWSROOM_CACHE_PREFIX=prefix)
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DATABASE_URL=database_url,
        NEWSROOM_PAGE_CACHE_SECONDS="600",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(40),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    try:
        yield env
    finally:
        if redis is not None:
            keys = list(redis.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                redis.delete(*keys)
        if drop:
            drop()


def navigation(page: str) -> str:
    return page.split('<nav class="section-nav"', 1)[1].split("</nav>", 1)[0]


SHOW_ECONOMY = """
from articles.models import Section
section = Section.objects.get(slug="economy")
section.name_ar = "اقتصاد"
section.in_navigation = True
section.save()
"""


def test_an_import_by_another_process_is_served_within_a_second(site_env, tmp_path):
    manage(site_env, "migrate", "--noinput", "-v0")
    manage(site_env, "collectstatic", "--noinput", "-v0")
    manage(site_env, "shell", stdin=SETUP)
    published_at = (timezone.now() - timedelta(minutes=1)).isoformat()
    items = [
        {"id": "wire-1", "title": "افتتاح جسر جديد في الموصل", "body": "<p>افتتح الجسر.</p>",
         "status": "published", "published_at": published_at, "section": "news"},
        {"id": "wire-2", "title": "أسعار النفط ترتفع", "body": "<p>ارتفعت الأسعار.</p>",
         "status": "published", "published_at": published_at, "section": "economy",
         "section_name": "اقتصاد"},
    ]  # fmt: skip
    source = tmp_path / "wire.jsonl"
    source.write_text("\n".join(json.dumps(item, ensure_ascii=False) for item in items))
    server = Server(site_env, tmp_path / "server.log")
    try:
        # The server caches the home and section pages for readers.
        for path in ("/", "/news/"):
            server.get(path)
            status, headers, body = server.get(path)
            assert status == 200 and headers["X-Page-Cache"] == "hit"
            assert "افتتاح جسر جديد في الموصل" not in body
            assert 'href="/economy/"' not in navigation(body)

        output = manage(
            site_env, "import_articles", str(source), "--format", "jsonl", "--section", "economy"
        )
        assert "created 2," in output

        for path in ("/", "/news/"):
            seconds, (status, _headers, body) = wait_for(
                lambda path=path: server.get(path),
                lambda page: "افتتاح جسر جديد في الموصل" in page[2],
            )
            assert seconds < 1
            # An import never adds a section to the navigation (an editor does).
            assert 'href="/economy/"' not in navigation(body)
        status, _headers, body = server.get("/economy/")
        assert status == 200 and "أسعار النفط ترتفع" in body

        # An editor puts the new section in the navigation from another process: it is
        # there without a restart.
        manage(site_env, "shell", stdin=SHOW_ECONOMY)
        for path in ("/", "/news/"):
            seconds, (status, _headers, body) = wait_for(
                lambda path=path: server.get(path),
                lambda page: 'href="/economy/"' in navigation(page[2]),
            )
            assert seconds < 1 and "اقتصاد" in navigation(body)
    finally:
        server.stop()
