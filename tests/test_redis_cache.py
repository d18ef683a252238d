"""The Redis cache backend against a real Redis: counters added to in one round trip."""

import secrets
import socket

import pytest

from newsroom.resilient_cache import ResilientRedisCache as RedisCache


def redis_cache():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    return RedisCache(
        "redis://127.0.0.1:6379/15", {"KEY_PREFIX": f"newsroom-test-{secrets.token_hex(6)}"}
    )


@pytest.fixture
def cache():
    cache = redis_cache()
    yield cache
    cache.clear()


def test_incr_many_creates_and_adds_to_counters_in_one_round_trip(cache, monkeypatch):
    cache.set("b", 10, timeout=None)
    client = cache._cache.get_client(write=True)
    round_trips = []
    real_pipeline = client.pipeline

    def counting_pipeline(*args, **kwargs):
        pipeline = real_pipeline(*args, **kwargs)
        real_execute = pipeline.execute
        pipeline.execute = lambda: round_trips.append(1) or real_execute()
        return pipeline

    monkeypatch.setattr(client, "pipeline", counting_pipeline)
    monkeypatch.setattr(client, "execute_command", None)  # no command outside the pipeline
    cache.incr_many({"a": 2, "b": 3}, timeout=60)
    cache.incr_many({"a": 1}, timeout=60)
    monkeypatch.undo()
    assert round_trips == [1, 1]
    assert cache.get_many(["a", "b"]) == {"a": 3, "b": 13}
    # New counters get the timeout; existing ones keep theirs.
    assert 0 < client.ttl(cache.make_key("a")) <= 60
    assert client.ttl(cache.make_key("b")) == -1
    assert cache.incr("a") == 4  # still Django's own integer format


def test_take_many_gives_each_count_to_one_taker_only(cache):
    cache.incr_many({"a": 2, "b": 5}, timeout=60)
    assert cache.take_many(["a", "b", "missing"]) == {"a": 2, "b": 5}
    assert cache.take_many(["a", "b"]) == {}  # a second flush finds nothing to take
    cache.incr_many({"a": 1}, timeout=60)  # counted after the take: a new counter
    assert cache.take_many(["a"]) == {"a": 1}
