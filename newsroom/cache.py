"""Content versions: exact invalidation shared by every process.

A *content version* is a number kept in the shared cache (Redis in production) under a
name such as "articles", "ads" or "social". Everything cached from that content folds the
version into its key, so one `bump_version("articles")` makes every dependent entry
unreachable at once, in every process. Entries also carry a timeout, as a bound on
staleness that no write announces (a scheduled article that becomes public by the clock).

Versions live where every process of the site reads them (NEWSROOM_CONTENT_VERSIONS):
in the shared cache when it is Redis, else in the database (`ContentVersion`), so that a
`manage.py` command or a cron job on the default setup (SQLite, each process caching in
its own memory) is seen by the server like any other writer.

A version is the clock time of the last bump in nanoseconds, not a counter: if the cache
loses the key, the new value can never equal one that keys old entries, and it doubles as
"content changed at" for Last-Modified.

Each process remembers the versions it read for NEWSROOM_VERSION_CHECK_SECONDS (a quarter
of a second by default), so a page served from the cache needs no round trip to read them;
a bump is seen at once by the process that made it, and by every other process within
that time.

While the shared cache cannot be reached (newsroom/resilient_cache.py), versions read as
None and a write cannot announce itself: what a process keeps then lives at most
OUTAGE_MEMO_SECONDS, and when the cache is back every version is bumped, since writes made
meanwhile were not.
"""

import functools
import hashlib
import math
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction

DEFAULT_TIMEOUT = 60 * 60  # seconds; a bound for what no write announces
# What `release()` reads: the apps' code and templates, the project's templates and catalogues.
_SOURCE_FOLDERS = ("newsroom", "articles", "ads", "social")
_SOURCE_SUFFIXES = {".py", ".html", ".txt", ".xml", ".mo"}
# How long a process keeps a value of `cached_many` (their keys say when they are stale).
MEMO_SECONDS = 5 * 60
_VERSION_KEY = "content-version:{}"
# name -> (time.monotonic() of the read, version): this process's recent version reads.
_recent_reads: dict[str, tuple[float, int]] = {}
# Every version name this process has used (bumped when the shared cache is back).
_names_used: set[str] = set()
# How long a process keeps a value while the shared cache is unreachable.
OUTAGE_MEMO_SECONDS = 1.0


def get_version(name: str) -> int:
    return get_versions([name])[name]


def get_versions(names: Iterable[str]) -> dict[str, int]:
    """The current version of each name: from this process's recent reads, else in one
    cache round trip when all exist."""
    names = list(names)
    _names_used.update(names)
    snapshot = _snapshot.get()
    if snapshot is not None and all(name in snapshot for name in names):
        return {name: snapshot[name] for name in names}
    now = time.monotonic()
    read_since = now - settings.NEWSROOM_VERSION_CHECK_SECONDS
    versions = {}
    for name in names:
        read = _recent_reads.get(name)
        if read is not None and read[0] > read_since:
            versions[name] = read[1]
    missing = [name for name in names if name not in versions]
    if missing:
        for name, version in _read_shared_versions(missing).items():
            if name in missing:
                versions[name] = version
            known = _recent_reads.get(name)
            # Never go back to an older version than one this process knows (another
            # thread may have bumped it since this read).
            if version is not None and (known is None or version >= known[1]):
                _recent_reads[name] = (now, version)
    return versions


def _in_database() -> bool:
    return settings.NEWSROOM_CONTENT_VERSIONS == "database"


def _read_shared_versions(names: list[str]) -> dict[str, int | None]:
    """The shared versions of `names` (from the database: of every name, in the same one
    query), each created (as now) on first use; None for each while the store cannot be
    reached."""
    if _in_database():
        from newsroom.models import ContentVersion

        try:
            found = dict(ContentVersion.objects.values_list("name", "version"))
            if not found.keys() >= set(names):
                # Another process may create them at the same time: the first one wins.
                ContentVersion.objects.bulk_create(
                    [ContentVersion(name=n, version=time.time_ns()) for n in names],
                    ignore_conflicts=True,
                )
                found = dict(ContentVersion.objects.values_list("name", "version"))
        except DatabaseError:
            # The page cache asks before any view: while the database is down the page
            # is not cached, and the view answers 503.
            return dict.fromkeys(names)
        return found
    found = cache.get_many([_VERSION_KEY.format(name) for name in names])
    for name in names:
        key = _VERSION_KEY.format(name)
        if key not in found:
            # First use (or the cache lost it): start from now; another process may win.
            cache.add(key, time.time_ns(), timeout=None)
            found[key] = cache.get(key)
    return {name: found[_VERSION_KEY.format(name)] for name in names}


def _write_shared_version(name: str, version: int) -> None:
    if _in_database():
        from newsroom.models import ContentVersion

        if not ContentVersion.objects.filter(name=name).update(version=version):
            ContentVersion.objects.bulk_create(
                [ContentVersion(name=name, version=version)], ignore_conflicts=True
            )
    else:
        cache.set(_VERSION_KEY.format(name), version, timeout=None)


def memo_seconds(versions: dict[str, int | None], seconds: float) -> float:
    """How long a process may keep a value made from `versions`: `seconds`, or less while
    the shared cache is unreachable (no write can be announced then)."""
    if any(version is None for version in versions.values()):
        return min(seconds, OUTAGE_MEMO_SECONDS)
    return seconds


def forget_versions() -> None:
    """Read every version from the shared cache again on next use (after `cache.clear()`),
    and forget the values this process keeps."""
    _recent_reads.clear()
    process_memo.clear()


def bump_version(name: str) -> int:
    """Invalidate everything cached under `name`, now and again once the current
    transaction commits (so no request can cache what it read before the commit)."""

    def bump():
        version = time.time_ns()
        _write_shared_version(name, version)
        _recent_reads[name] = (time.monotonic(), version)
        return version

    _names_used.add(name)
    version = bump()
    snapshot = _snapshot.get()
    if snapshot is not None:
        snapshot[name] = version
    transaction.on_commit(bump)
    return version


def bump_every_version(**_kwargs) -> None:
    """The shared cache is back after an outage: the writes made meanwhile could not bump
    their versions, so every version this process has used is bumped now."""
    for name in sorted(_names_used):
        version = time.time_ns()
        _write_shared_version(name, version)
        _recent_reads[name] = (time.monotonic(), version)


def incr_many(deltas: dict[str, int], timeout: int) -> bool | None:
    """Add to many counters, each created with `timeout` seconds to live when missing: one
    round trip on Redis (newsroom/cache_backends.py), a call per counter elsewhere. False
    when nothing was sent (the shared cache is known to be unreachable), None when the
    call failed on the way (the counts may or may not have been added)."""
    if not deltas:
        return True
    incr_many_in_backend = getattr(cache, "incr_many", None)
    if incr_many_in_backend is not None:
        return incr_many_in_backend(deltas, timeout)
    for key, delta in deltas.items():
        try:
            cache.incr(key, delta)
        except ValueError:
            # The counter's first use: add() never overwrites, so when another process
            # created it meanwhile, count on top of it instead.
            if not cache.add(key, delta, timeout=timeout):
                cache.incr(key, delta)
    return True


def take_many(keys: Iterable[str]) -> dict[str, int]:
    """Read and remove counters: each count is taken by one caller only (GETDEL on Redis;
    elsewhere the count read is subtracted, so what is added meanwhile stays)."""
    keys = list(keys)
    take_many_in_backend = getattr(cache, "take_many", None)
    if take_many_in_backend is not None:
        return take_many_in_backend(keys)
    found = {key: count for key, count in cache.get_many(keys).items() if count}
    for key, count in found.items():
        cache.decr(key, count)
    return found


def last_change(versions: dict[str, int | None]) -> int:
    """The newest of `versions` (0 when none is known, as while the cache is down)."""
    return max((version for version in versions.values() if version), default=0)


@functools.cache
def release() -> str:
    """What this deploy is: NEWSROOM_RELEASE when set (a commit id, say), else a digest of
    the project's code, templates, translations, static-file manifest and presentation
    settings. It is part of every key, so nothing cached by one release is served by the
    next (a page rendered by old templates, a teaser with a renamed static file)."""
    if settings.NEWSROOM_RELEASE:
        return settings.NEWSROOM_RELEASE
    base = Path(settings.BASE_DIR)
    sources = [base / name for name in (*_SOURCE_FOLDERS, "templates", "locale")]
    files = sorted(
        path
        for folder in sources
        for path in folder.rglob("*")
        if path.suffix in _SOURCE_SUFFIXES and path.is_file()
    )
    digest = hashlib.sha256()
    for path in [*files, Path(settings.STATIC_ROOT) / "staticfiles.json"]:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    for name in ("NEWSROOM_SITE_NAME", "NEWSROOM_MONTH_NAMES", "NEWSROOM_DIGITS", "TIME_ZONE"):
        digest.update(repr(getattr(settings, name, None)).encode())
    return digest.hexdigest()[:16]


def make_key(prefix: str, parts: Iterable[object], versions: dict[str, int]) -> str:
    """A bounded cache key from any parts (URLs may be long or carry any characters), the
    content versions and the release."""
    raw = "\x1f".join(
        [release(), *map(str, parts), *(f"{n}={v}" for n, v in sorted(versions.items()))]
    )
    return f"{prefix}:{hashlib.sha256(raw.encode()).hexdigest()}"


def cached_value(
    prefix: str,
    parts: Iterable[object],
    build: Callable[[], object],
    *,
    versions: Iterable[str],
    timeout: int | Callable[[], int] = DEFAULT_TIMEOUT,
    memo: bool = False,
):
    """`build()`'s result, cached until one of `versions` is bumped or `timeout` passes.
    A callable timeout is asked only on a miss, after building. With `memo`, the process
    also keeps it (for small values every page shows: no round trip at all)."""
    current = get_versions(versions)
    key = make_key(prefix, parts, current)
    entry = process_memo.get(key) if memo else None
    if entry is None or entry[0] <= time.time():
        entry = cache.get(key)
        if entry is None or entry[0] <= time.time():
            value = build()
            # The exact end, not rounded up to the cache's whole seconds: a list cached
            # until a scheduled publication must not outlive it by a fraction of a second
            # (the page made from it would be kept until the next one).
            seconds = _seconds(timeout)
            if seconds <= 0:
                return value
            entry = (time.time() + seconds, value)
            cache.set(key, entry, _ceil(seconds))
        if memo:
            process_memo.set(key, entry, memo_seconds(current, entry[0] - time.time()))
    return entry[1]


def cached_many(
    prefix: str,
    items: Iterable,
    parts: Callable[[object], Iterable[object]],
    build: Callable[[list], list],
    *,
    versions: Iterable[str],
    timeout: int = DEFAULT_TIMEOUT,
) -> list:
    """A value for each of `items`, cached apart under `parts(item)`: those this process
    keeps cost nothing, the others one cache round trip for all, and `build(missing items)`
    makes the values still missing (in their order) in one go."""
    items = list(items)
    current = get_versions(versions)
    keys = [make_key(prefix, parts(item), current) for item in items]
    values = {key: value for key in keys if (value := process_memo.get(key)) is not None}
    unknown = [key for key in keys if key not in values]
    if unknown:
        found = cache.get_many(unknown)
        for key, value in found.items():
            process_memo.set(key, value, memo_seconds(current, MEMO_SECONDS))
        values.update(found)
    missing = [(key, item) for key, item in zip(keys, items, strict=True) if key not in values]
    if missing:
        made = dict(zip((key for key, _ in missing), build([i for _, i in missing]), strict=True))
        cache.set_many(made, timeout)
        for key, value in made.items():
            process_memo.set(key, value, memo_seconds(current, MEMO_SECONDS))
        values.update(made)
    return [values[key] for key in keys]


def _ceil(seconds) -> int:
    return max(1, math.ceil(seconds))


def _seconds(timeout) -> float:
    return timeout() if callable(timeout) else timeout


class ProcessMemo:
    """A per-process memo in front of the shared cache, for values whose key holds the
    content versions they were built from: a bump makes old entries unreachable here as
    everywhere, so this memory never disagrees with other processes; it only saves a cache
    round trip and unpickling. Bounded by a number of entries and, when `size` tells the
    bytes of a value, by `max_bytes`: the least recently set entries go first."""

    def __init__(self, max_entries=256, *, max_bytes=None, size=None):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = size
        self._entries = {}  # key -> (monotonic expiry, value, bytes); oldest first
        self._bytes = 0
        # Threads of one process share it: eviction walks the entries while others change them.
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] <= time.monotonic():
                self._forget(key)
                return None
            return found[1]

    def set(self, key, value, seconds):
        size = self.size(value) if self.size else 0
        with self._lock:
            self._forget(key)
            while self._entries and (
                len(self._entries) >= self.max_entries
                or (self.max_bytes is not None and self._bytes + size > self.max_bytes)
            ):
                self._forget(next(iter(self._entries)))
            self._entries[key] = (time.monotonic() + seconds, value, size)
            self._bytes += size

    def _forget(self, key):
        found = self._entries.pop(key, None)
        if found is not None:
            self._bytes -= found[2]

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._bytes = 0


# Values of `cached_value(memo=True)`, `cached_many` and memo fragments this process keeps.
process_memo = ProcessMemo(max_entries=2000)

_snapshot: ContextVar[dict[str, int] | None] = ContextVar("content_versions", default=None)


@contextmanager
def versions_snapshot(versions: dict[str, int]):
    """Within the block, `get_versions` answers from `versions` (already read from the
    shared cache by the caller) without another round trip."""
    token = _snapshot.set(dict(versions))
    try:
        yield
    finally:
        _snapshot.reset(token)
