"""Faults: the database going away and coming back, Redis down, (full disk: test_uploads)."""

import logging
import socket

import pytest
from django.db import OperationalError, close_old_connections, connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from newsroom import resilient_cache as resilient
from newsroom.resilient_cache import ResilientRedisCache

CLOSED_PORT = "1"  # nothing listens on port 1 of this machine


def database_down(execute, sql, params, many, context):
    raise OperationalError("could not connect to server: Connection refused")


def test_database_down_answers_503_with_the_arabic_page_and_recovers(client, make_article):
    article = make_article()
    with connection.execute_wrapper(database_down):
        for path in ("/", article.get_absolute_url(), "/en/", "/news/"):
            response = client.get(path)
            assert response.status_code == 503, path
            assert response["Retry-After"] == "30"
            assert response["Cache-Control"] == "no-store"
    html = client.get("/").content.decode()  # the wrapper is gone: the database is back
    assert article.title in html
    with connection.execute_wrapper(database_down):
        # The home page, made of cached pieces, keeps being served; an article is read
        # from the database on every render, so its page is the 503 one.
        assert article.title in client.get("/").content.decode()
        html = client.get(article.get_absolute_url()).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    with translation.override("ar"):
        assert f"<h1>{gettext('Back in a moment')}</h1>" in html


def test_the_503_page_needs_no_database(db):
    with CaptureQueriesContext(connection) as queries:
        html = render_to_string("503.html")
    assert len(queries) == 0
    assert 'href="/"' in html


def test_other_errors_are_still_500(client, db, monkeypatch):
    from articles import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views.HomeView, "get_context_data", broken)
    client.raise_request_exception = False
    assert client.get("/").status_code == 500


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a PostgreSQL server"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_postgres_connection_killed_then_server_unreachable_then_back(client, make_article):
    """What gunicorn workers live through: the server kills the connection (a restart), then
    cannot be reached for a while, then is back; no restart of the site is needed."""
    import psycopg2

    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    article = make_article()
    assert client.get("/").status_code == 200
    # 1. The server ends our connection, as a PostgreSQL restart does.
    pid = connection.connection.get_backend_pid()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    killer = psycopg2.connect(**params)
    try:
        killer.autocommit = True
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        killer.close()
    close_old_connections()  # what every request starts with (the test client skips it)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200  # the health check saw the dead connection
    assert connection.connection.get_backend_pid() != pid
    # 2. The server cannot be reached at all.
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = CLOSED_PORT
    try:
        close_old_connections()
        # The home page, made of the cached pieces of step 1, needs no query.
        assert client.get("/").status_code == 200
        assert client.get(article.get_absolute_url()).status_code == 503
    finally:
        connection.settings_dict["PORT"] = port
        connection.close()
    # 3. Back, by itself.
    close_old_connections()
    assert client.get(article.get_absolute_url()).status_code == 200


# Redis ---------------------------------------------------------------------------------


def redis_cache(location):
    return ResilientRedisCache(
        location,
        {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}, "KEY_PREFIX": "t"},
    )


def redis_running():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture(autouse=True)
def _no_outage_left():
    resilient._down_until.clear()
    yield
    resilient._down_until.clear()


def test_unreachable_redis_answers_like_an_empty_cache_and_logs_once(caplog):
    cache = redis_cache(f"redis://127.0.0.1:{CLOSED_PORT}/0")
    with caplog.at_level(logging.WARNING, logger="newsroom.resilient_cache"):
        assert cache.get("k", "default") == "default"
        assert cache.set("k", 1) is None
        assert cache.add("k", 1) is False
        assert cache.incr("k", 3) == 3
        assert cache.get_many(["a", "b"]) == {}
        assert cache.set_many({"a": 1}) == ["a"]
        assert cache.get_or_set("k", 5) == 5
        assert cache.delete("k") is False
    errors = [r for r in caplog.records if "Redis cache unavailable" in r.getMessage()]
    assert len(errors) == 1
    assert errors[0].levelno == logging.ERROR


def test_after_a_failure_redis_is_left_alone_for_a_while(monkeypatch):
    cache = redis_cache(f"redis://127.0.0.1:{CLOSED_PORT}/0")
    attempts = []
    original = cache._cache.get_client

    def counting(*args, **kwargs):
        attempts.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(cache._cache, "get_client", counting)
    for _ in range(50):
        cache.get("k")
    assert len(attempts) == 1


def test_counters_say_whether_they_may_have_been_added(monkeypatch):
    monkeypatch.setattr(resilient, "_down_until", {})
    cache = redis_cache(f"redis://127.0.0.1:{CLOSED_PORT}/0")
    assert cache.incr_many({"k": 1}, timeout=60) is None  # failed on the way: unknown
    assert cache.incr_many({"k": 1}, timeout=60) is False  # known to be down: not sent
    assert cache.take_many(["k"]) == {}


def test_the_site_serves_pages_with_redis_down(client, make_article, settings, caplog):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.resilient_cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{CLOSED_PORT}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    article = make_article()
    with caplog.at_level(logging.ERROR, logger="newsroom.resilient_cache"):
        for path in ("/", article.get_absolute_url(), "/news/", "/en/", "/ads.txt"):
            assert client.get(path).status_code in (200, 404), path
    assert any("Redis cache unavailable" in r.getMessage() for r in caplog.records)


def test_plain_django_redis_cache_would_fail_the_page(client, make_article, settings):
    """Why the wrapper exists: Django's own RedisCache raises when Redis is down."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    make_article()  # saving bumps a content version in the cache: before Redis goes away
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{CLOSED_PORT}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    with pytest.raises(RedisConnectionError):
        client.get("/")


@pytest.mark.skipif(not redis_running(), reason="needs Redis on 127.0.0.1:6379")
def test_redis_comes_back_by_itself(monkeypatch, caplog):
    from redis.exceptions import ConnectionError as RedisConnectionError

    cache = redis_cache("redis://127.0.0.1:6379/15")
    cache.set("newsroom-test", "before")
    assert cache.get("newsroom-test") == "before"
    original = cache._cache.get_client

    def refused(*args, **kwargs):
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(cache._cache, "get_client", refused)
    assert cache.get("newsroom-test") is None  # down: a miss, not an error
    monkeypatch.setattr(cache._cache, "get_client", original)
    assert cache.get("newsroom-test") is None  # still resting
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 0.0)
    resilient._down_until.clear()
    with caplog.at_level(logging.WARNING, logger="newsroom.resilient_cache"):
        resilient._down_until[cache._server_key] = 0.0  # the rest is over
        assert cache.get("newsroom-test") == "before"
    assert any("available again" in r.getMessage() for r in caplog.records)
    cache.delete("newsroom-test")


@pytest.mark.skipif(not redis_running(), reason="needs Redis on 127.0.0.1:6379")
def test_an_unpublish_made_while_redis_was_unreachable_is_seen_when_it_is_back(
    client, make_article, settings, monkeypatch
):
    from redis.exceptions import ConnectionError as RedisConnectionError

    from articles.models import Article
    from articles.services import unpublish_articles
    from newsroom.cache import forget_versions

    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.resilient_cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": "newsroom-outage-test",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    from django.core.cache import cache

    article = make_article()
    url = article.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"

    def refused(*args, **kwargs):
        raise RedisConnectionError("Connection refused")

    with monkeypatch.context() as outage:
        outage.setattr(cache._cache, "get_client", refused)
        unpublish_articles(Article.objects.filter(pk=article.pk))  # its bump is lost
    resilient._down_until[cache._server_key] = 0.0  # Redis is back
    forget_versions()  # as in another app server, which never saw the write
    try:
        assert client.get(url).status_code == 404
    finally:
        cache.clear()


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server of the test's own, on a free port: stopping it touches nobody else."""
    import shutil
    import subprocess
    import time

    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("needs redis-server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", str(tmp_path)]  # fmt: skip

    class Server:
        process = None

        def start(self):
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    return
                except OSError:
                    time.sleep(0.05)
            raise RuntimeError("redis-server did not start")

        def stop(self):
            if self.process and self.process.poll() is None:
                self.process.terminate()
                self.process.wait(timeout=10)

    server = Server()
    server.url = f"redis://127.0.0.1:{port}/0"
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_redis_stopping_and_starting_under_the_site(
    client, make_article, settings, private_redis, monkeypatch, caplog
):
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.resilient_cache.ResilientRedisCache",
            "LOCATION": private_redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    from django.core.cache import cache

    article = make_article()
    assert client.get(article.get_absolute_url()).status_code == 200
    cache.set("probe", "up")
    assert cache.get("probe") == "up"

    private_redis.stop()
    with caplog.at_level(logging.ERROR, logger="newsroom.resilient_cache"):
        for path in ("/", article.get_absolute_url(), "/news/"):
            assert client.get(path).status_code == 200, path
    assert any("Redis cache unavailable" in r.getMessage() for r in caplog.records)
    assert cache.get("probe") is None

    private_redis.start()  # empty again: nothing was saved to disk
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 0.0)
    resilient._down_until.clear()
    cache.set("probe", "back")
    assert cache.get("probe") == "back"
    assert client.get("/").status_code == 200


def test_redis_url_selects_the_resilient_backend_with_short_timeouts():
    from tests.hardening.test_headers import production_env, run_manage

    code = "from django.conf import settings; print(settings.CACHES['default'])"
    env = production_env(REDIS_URL="redis://127.0.0.1:6379/0")
    output = run_manage("shell", "-c", code, env=env).stdout
    assert "'BACKEND': 'newsroom.resilient_cache.ResilientRedisCache'" in output
    assert "'socket_connect_timeout': 0.5" in output


def test_without_redis_each_process_keeps_enough_entries_for_a_busy_site():
    """Django's local-memory default (300 entries) is culled within seconds by the teasers
    and pages of a busy site, which are then rendered again and again."""
    from tests.hardening.test_headers import production_env, run_manage

    code = "from django.core.cache import cache; print(cache._max_entries)"
    env = production_env()
    env.pop("REDIS_URL", None)
    assert int(run_manage("shell", "-c", code, env=env).stdout.split()[-1]) >= 10_000
