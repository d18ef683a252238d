"""Emptying the cache between and within tests."""

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCacheClient

from newsroom.cache import forget_versions


def clear_cache():
    """Empty the shared cache, as a new Redis would be, and make this process read the
    content versions again (as any process does within NEWSROOM_VERSION_CHECK_SECONDS).
    On Redis, only the keys under the test's own prefix go (others may share the server)."""
    if isinstance(cache._cache, RedisCacheClient):
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
    forget_versions()
