"""A Redis cache that the site can live without.

Django's RedisCache raises when Redis cannot be reached, so every page that touches the
cache would fail with a 500. `ResilientRedisCache` is the same backend, except that a
connection error or time-out is logged and the call answers as a cache miss (reads give
the default, writes do nothing). After a failure it stops asking Redis for a few seconds
(`RETRY_SECONDS`), so an outage costs one short time-out per process, not one per call;
then it tries again, and the cache is back by itself when Redis is. A process that saw
the outage end sends `cache_recovered` (newsroom/cache.py then bumps every content version:
the writes made meanwhile could not).

Use it as `BACKEND` with short socket time-outs in `OPTIONS` (see settings.py). The
behaviour is in `ResilientCacheMixin`, which goes in front of any Redis backend that
subclasses Django's (for example one that reuses its clients):
`class MyCache(ResilientCacheMixin, SomeRedisCache)`.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.dispatch import Signal
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from newsroom.cache_backends import RedisCache

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
cache_recovered = Signal()
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


# Set while this thread runs the receivers of `cache_recovered`.
_recovering = threading.local()


class _Outage:
    """Shared by every cache object of the process (Django makes one per thread)."""

    lock = threading.Lock()
    down_until = {}  # location -> monotonic time to try again


def _default(key, default=None, *args, **kwargs):
    return default


def _none(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _incr(key, delta=1, *args, **kwargs):
    # A counter that cannot be reached counts nothing, and says so only in the log.
    return delta


def _failed_keys(data, *args, **kwargs):
    return list(data)


class ResilientCacheMixin:
    """Answers like an empty cache, and logs, while the Redis server cannot be reached."""

    def _is_down(self):
        until = _Outage.down_until.get(self._server_key)
        return until is not None and time.monotonic() < until

    def _mark_down(self, error):
        with _Outage.lock:
            first = self._server_key not in _Outage.down_until
            _Outage.down_until[self._server_key] = time.monotonic() + RETRY_SECONDS
        if first:
            logger.error("Redis cache unavailable, serving without cache: %s", error)
        else:
            logger.warning("Redis cache still unavailable: %s", error)

    def _back_up(self):
        """After an outage, whether Redis answers again (asked at most every RETRY_SECONDS).
        A call that sees it back first announces it (`cache_recovered`, whose receivers
        use the cache from this thread), and only then is the outage over for every other
        call: none reads what the outage left stale before the receivers are done."""
        if self._is_down():
            return False
        try:
            self._cache.get_client(write=True).ping()
        except UNAVAILABLE as error:
            self._mark_down(error)
            return False
        _recovering.active = True
        try:
            cache_recovered.send(sender=type(self), location=self._server_key)
        finally:
            _recovering.active = False
        with _Outage.lock:
            if _Outage.down_until.pop(self._server_key, None) is not None:
                logger.warning("Redis cache available again")
        return True

    def _outage_not_over(self):
        return (
            self._server_key in _Outage.down_until
            and not getattr(_recovering, "active", False)
            and not self._back_up()
        )

    @property
    def _server_key(self):
        return ",".join(self._servers)

    def _call(self, method, fallback, *args, **kwargs):
        if self._outage_not_over():
            return fallback(*args, **kwargs)
        try:
            return method(*args, **kwargs)
        except UNAVAILABLE as error:
            self._mark_down(error)
            return fallback(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, _false, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(super().get, _default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, _none, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, _false, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, _false, key, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, _empty, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, _false, key, version)

    def incr(self, key, delta=1, version=None):
        return self._call(super().incr, _incr, key, delta, version)

    def incr_many(self, deltas, timeout, version=None):
        """True when added; False when not sent (Redis is known to be down: the caller
        may send the counts again); None when the call failed on the way, so the counts
        may or may not have been added (sending them again could count them twice)."""
        if self._outage_not_over():
            return False
        try:
            return super().incr_many(deltas, timeout, version)
        except UNAVAILABLE as error:
            self._mark_down(error)
            return None

    def take_many(self, keys, version=None):
        return self._call(super().take_many, _empty, keys, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, _failed_keys, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, _none, keys, version)

    def clear(self):
        return self._call(super().clear, _false)


class ResilientRedisCache(ResilientCacheMixin, RedisCache):
    """Django's RedisCache that degrades instead of failing."""
