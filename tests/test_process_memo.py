"""The per-process memo in front of the shared cache: bounded in entries and bytes, least
recently set first out, entries gone when their time is up."""

import time

from newsroom.cache import ProcessMemo


def test_bytes_bound_drops_the_least_recently_set():
    memo = ProcessMemo(max_entries=100, max_bytes=10, size=len)
    memo.set("a", "aaaa", 60)
    memo.set("b", "bbbb", 60)
    memo.set("a", "aaaa", 60)  # used again: now the newest
    memo.set("c", "cccc", 60)  # 12 bytes would be too many: "b" goes
    assert [memo.get(key) for key in "abc"] == ["aaaa", None, "cccc"]
    memo.set("d", "d" * 11, 60)  # larger than the bound alone: everything else goes
    assert [memo.get(key) for key in "acd"] == [None, None, "d" * 11]


def test_entries_bound_and_expiry():
    memo = ProcessMemo(max_entries=2)
    memo.set("a", 1, 60)
    memo.set("b", 2, 60)
    memo.set("c", 3, 60)
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == (None, 2, 3)
    memo.set("b", 2, 0.01)
    time.sleep(0.02)
    assert memo.get("b") is None and memo.get("c") == 3


def test_what_a_process_keeps_while_the_shared_cache_is_unreachable_lives_a_second(
    monkeypatch,
):
    from django.core.cache import cache

    from newsroom import cache as content_cache

    # Unreachable: every read misses, no write lands, so versions read as None.
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: None)
    monkeypatch.setattr(cache, "get_many", lambda *args, **kwargs: {})
    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: False)
    monkeypatch.setattr(cache, "set", lambda *args, **kwargs: None)
    content_cache.forget_versions()
    builds = []

    def value():
        return content_cache.cached_value(
            "outage-test", [], lambda: builds.append(1) or len(builds), versions=["x"], memo=True
        )

    assert value() == value() == 1  # kept by the process, for a moment
    later = time.monotonic() + content_cache.OUTAGE_MEMO_SECONDS + 0.1
    monkeypatch.setattr(content_cache.time, "monotonic", lambda: later)
    assert value() == 2  # another process's write could not be announced: made again


def test_threads_sharing_a_memo_keep_its_bounds_and_byte_count():
    """Request threads of one process set and evict at once: the count of bytes stays
    exact and the bounds hold (threads switched as often as the interpreter allows)."""
    import sys
    import threading

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    memo = ProcessMemo(max_entries=50, max_bytes=400, size=len)

    def work(offset):
        for number in range(3000):
            memo.set(f"k{(number + offset) % 120}", "x" * (number % 17), 60)
            memo.get(f"k{(number * 7 + offset) % 120}")

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(6)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(previous)
    sizes = [len(entry[1]) for entry in memo._entries.values()]
    assert memo._bytes == sum(sizes) <= 400
    assert len(sizes) <= 50


def test_values_all_kept_by_the_process_cost_no_cache_round_trip(db, monkeypatch):
    from django.core.cache import cache

    from newsroom.cache import cached_many

    def teasers():
        return cached_many(
            "memo-test", [1, 2], lambda n: [n], lambda ns: [f"v{n}" for n in ns], versions=["x"]
        )

    assert teasers() == ["v1", "v2"]
    monkeypatch.setattr(cache, "get_many", None)  # any call to the shared cache would fail
    monkeypatch.setattr(cache, "set_many", None)
    assert teasers() == ["v1", "v2"]
