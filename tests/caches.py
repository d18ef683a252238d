"""Emptying the cache between and within tests."""

from django.core.cache import cache

from newsroom.cache import forget_versions


def clear_cache():
    """Empty the shared cache, as a new Redis would be, and make this process read the
    content versions again (as any process does within NEWSROOM_VERSION_CHECK_SECONDS)."""
    cache.clear()
    forget_versions()
