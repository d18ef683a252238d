"""Django's Redis cache, with one client object per connection pool, and counters
added to in one round trip.

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` for every cache
operation; that costs more than the round trip itself on a page-cache hit (about ten
operations). A `redis.Redis` is thread-safe and borrows connections from the pool, so one
per pool does the same work.

Django's `incr()` asks whether the key exists, then increments: two round trips per
counter. `incr_many()` adds to any number of counters, creating missing ones with a
timeout, in one pipelined round trip (see `newsroom.cache.incr_many`); `take_many()` reads
and removes counters at once (GETDEL, Redis 6.2+), so two processes never take the same
counts.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def incr_many(self, deltas, timeout, version=None):
        """Add each delta to its counter (created at 0 with `timeout` seconds to live when
        missing), in one round trip."""
        client = self._cache.get_client(write=True)
        pipeline = client.pipeline(transaction=False)
        for key, delta in deltas.items():
            key = self.make_and_validate_key(key, version=version)
            # SET NX then INCRBY: works on every Redis version (EXPIRE NX needs 7.0).
            pipeline.set(key, 0, ex=timeout, nx=True)
            pipeline.incrby(key, delta)
        pipeline.execute()
        return True

    def take_many(self, keys, version=None):
        """The value of each counter among `keys` that exists, each removed as it is read."""
        client = self._cache.get_client(write=True)
        pipeline = client.pipeline(transaction=False)
        for key in keys:
            pipeline.getdel(self.make_and_validate_key(key, version=version))
        values = pipeline.execute()
        return {
            key: self._cache._serializer.loads(value)
            for key, value in zip(keys, values, strict=True)
            if value is not None
        }
