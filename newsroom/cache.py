"""Content versions: exact invalidation shared by every process.

A content version ("articles", "labels", "ads", "social") is part of the key of everything
cached from that content: one `bump_version(name)` makes all of it unreachable, in every
process. It is the time of the last bump in nanoseconds (never an old value again, even if
lost; Last-Modified too), kept where every process reads it: Redis when configured, else
the database (`ContentVersion`), so commands and cron jobs are seen like any writer. A
process trusts what it read for NEWSROOM_VERSION_CHECK_SECONDS. While Redis is unreachable
versions read as None, a process keeps values at most OUTAGE_MEMO_SECONDS, and when Redis is
back every version is bumped. Timeouts bound only what no write announces.
"""

import functools
import hashlib
import math
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction

DEFAULT_TIMEOUT = 60 * 60
MEMO_SECONDS = 5 * 60  # how long a process keeps a value of `cached_many`
OUTAGE_MEMO_SECONDS = 1.0
_VERSION_KEY = "content-version:{}"
_SOURCES = {".py", ".html", ".txt", ".xml", ".mo"}  # what `release()` reads
_recent_reads: dict[str, tuple[float, int]] = {}  # name -> (monotonic time read, version)
_names_used: set[str] = set()


class ProcessMemo:
    """A process's own memory in front of the shared cache, for values whose keys hold the
    content versions they were made from (so it never disagrees with other processes).
    Thread-safe; bounded in entries and in bytes (as `size` measures values): the least
    recently set go first."""

    def __init__(self, max_entries=256, *, max_bytes=math.inf, size=lambda value: 0):
        self.max_entries, self.max_bytes, self.size = max_entries, max_bytes, size
        self._entries = {}  # key -> (monotonic expiry, value, bytes), oldest first
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._entries.get(key)
            if found and found[0] <= time.monotonic():
                self._forget(key)
                return None
            return found[1] if found else None

    def set(self, key, value, seconds):
        size = self.size(value)
        with self._lock:
            self._forget(key)
            while self._entries and (
                len(self._entries) >= self.max_entries or self._bytes + size > self.max_bytes
            ):
                self._forget(next(iter(self._entries)))
            self._entries[key] = (time.monotonic() + seconds, value, size)
            self._bytes += size

    def _forget(self, key):
        self._bytes -= self._entries.pop(key, (0, 0, 0))[2]

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._bytes = 0


process_memo = ProcessMemo(max_entries=2000)


def get_version(name: str) -> int:
    return get_versions([name])[name]


def get_versions(names: Iterable[str]) -> dict[str, int | None]:
    """Each version: from this process's recent reads, else all in one round trip."""
    names = list(names)
    _names_used.update(names)
    now = time.monotonic()
    fresh = now - settings.NEWSROOM_VERSION_CHECK_SECONDS
    versions = {n: _recent_reads[n][1] for n in names if _recent_reads.get(n, (0,))[0] > fresh}
    missing = [name for name in names if name not in versions]
    if missing:
        for name, version in _read_shared(missing).items():
            if name in missing:
                versions[name] = version
            # Never go back to an older version (another thread may have bumped it since).
            if version is not None and version >= _recent_reads.get(name, (0, 0))[1]:
                _recent_reads[name] = (now, version)
    return versions


def _read_shared(names: list[str]) -> dict[str, int | None]:
    """The shared versions of `names` (from the database: of every name, in one query),
    created on first use; None while the store cannot be reached."""
    if settings.NEWSROOM_CONTENT_VERSIONS == "database":
        from newsroom.models import ContentVersion

        try:
            found = dict(ContentVersion.objects.values_list("name", "version"))
            if not found.keys() >= set(names):  # first use: the first process wins
                ContentVersion.objects.bulk_create(
                    [ContentVersion(name=n, version=time.time_ns()) for n in names],
                    ignore_conflicts=True,
                )
                found = dict(ContentVersion.objects.values_list("name", "version"))
            return found
        except DatabaseError:  # the page is not cached, and the view answers 503
            return dict.fromkeys(names)
    keys = {_VERSION_KEY.format(name): name for name in names}
    found = cache.get_many(keys)
    for key in keys.keys() - found.keys():  # first use, or lost: another process may win
        cache.add(key, time.time_ns(), timeout=None)
        found[key] = cache.get(key)
    return {name: found[key] for key, name in keys.items()}


def _write_shared(name: str) -> int:
    version = time.time_ns()
    if settings.NEWSROOM_CONTENT_VERSIONS == "database":
        from newsroom.models import ContentVersion

        if not ContentVersion.objects.filter(name=name).update(version=version):
            ContentVersion.objects.bulk_create(
                [ContentVersion(name=name, version=version)], ignore_conflicts=True
            )
    else:
        cache.set(_VERSION_KEY.format(name), version, timeout=None)
    _recent_reads[name] = (time.monotonic(), version)
    return version


def bump_version(name: str) -> int:
    """Invalidate everything cached under `name`, now and again once the transaction
    commits (so that no request caches what it read before the commit)."""
    _names_used.add(name)
    transaction.on_commit(lambda: _write_shared(name))
    return _write_shared(name)


def bump_every_version(**_kwargs) -> None:
    """Redis is back after an outage, during which writes could not bump their versions."""
    for name in sorted(_names_used):
        _write_shared(name)


def forget_versions() -> None:
    """Read every version again on next use (after `cache.clear()`), and empty the memo."""
    _recent_reads.clear()
    process_memo.clear()


def memo_seconds(versions: dict[str, int | None], seconds: float) -> float:
    """How long a process may keep a value made from `versions` (less during an outage)."""
    return min(seconds, OUTAGE_MEMO_SECONDS) if None in versions.values() else seconds


@functools.cache
def release() -> str:
    """NEWSROOM_RELEASE, else a digest of the code, templates, translations, static-file
    manifest and presentation settings: part of every key, so that nothing cached by one
    release is served by the next."""
    if settings.NEWSROOM_RELEASE:
        return settings.NEWSROOM_RELEASE
    base = Path(settings.BASE_DIR)
    folders = ("newsroom", "articles", "ads", "social", "templates", "locale")
    files = sorted(p for f in folders for p in (base / f).rglob("*") if p.suffix in _SOURCES)
    digest = hashlib.sha256()
    for path in [*files, Path(settings.STATIC_ROOT) / "staticfiles.json"]:
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    for name in ("NEWSROOM_SITE_NAME", "NEWSROOM_MONTH_NAMES", "NEWSROOM_DIGITS", "TIME_ZONE"):
        digest.update(repr(getattr(settings, name, None)).encode())
    return digest.hexdigest()[:16]


def make_key(prefix: str, parts: Iterable[object], versions: dict) -> str:
    """A bounded key from any parts, the content versions and the release."""
    raw = "\x1f".join(
        [release(), *map(str, parts), *(f"{n}={v}" for n, v in sorted(versions.items()))]
    )
    return f"{prefix}:{hashlib.sha256(raw.encode()).hexdigest()}"


def cached_value(prefix, parts, build, *, versions, timeout=DEFAULT_TIMEOUT, memo=False):
    """`build()`, cached until one of `versions` is bumped or `timeout` passes (a callable
    one is asked after building). With `memo` the process keeps it too (no round trip)."""
    current = get_versions(versions)
    key = make_key(prefix, parts, current)
    entry = process_memo.get(key) if memo else None
    if entry is None or entry[0] <= time.time():
        entry = cache.get(key)
        if entry is None or entry[0] <= time.time():
            value = build()
            seconds = timeout() if callable(timeout) else timeout
            if seconds <= 0:
                return value
            # The exact end, not rounded up to whole seconds: a list kept until a scheduled
            # publication must not outlive it.
            entry = (time.time() + seconds, value)
            cache.set(key, entry, max(1, math.ceil(seconds)))
        if memo:
            process_memo.set(key, entry, memo_seconds(current, entry[0] - time.time()))
    return entry[1]


def cached_many(prefix, items, parts, build, *, versions, timeout=DEFAULT_TIMEOUT) -> list:
    """A value for each of `items`, cached apart under `parts(item)`: the process's own
    cost nothing, the others one round trip, and `build(missing items)` makes the rest."""
    items = list(items)
    current = get_versions(versions)
    keys = [make_key(prefix, parts(item), current) for item in items]
    values = {key: value for key in keys if (value := process_memo.get(key)) is not None}
    unknown = [key for key in keys if key not in values]
    found = cache.get_many(unknown) if unknown else {}
    known = values.keys() | found.keys()
    missing = {key: item for key, item in zip(keys, items, strict=True) if key not in known}
    if missing:
        found |= dict(zip(missing, build(list(missing.values())), strict=True))
        cache.set_many({key: found[key] for key in missing}, timeout)
    for key, value in found.items():
        process_memo.set(key, value, memo_seconds(current, MEMO_SECONDS))
    values |= found
    return [values[key] for key in keys]
