"""The wire desk: polling the feeds editors manage in the admin (articles.models.Feed).

`manage.py poll_feeds`, run by a scheduler every minute or so, polls each due feed once:
a conditional GET (ETag / Last-Modified), the same guarded reading as any import (no DTDs
or entities, size limits, no private addresses), then the import pipeline. A feed in error
is polled again later and later (doubling its interval, at most a day); a feed being polled
is claimed in the database, so that two runs never poll it at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from articles.cache import bulk_changes
from articles.importers.base import (
    MAX_SOURCE_BYTES,
    FailedItem,
    FetchError,
    SourceError,
    fetch_conditional,
)
from articles.importers.feed import FEED_CONTENT_TYPES, FeedImporter
from articles.models import Feed
from articles.services import (
    ImportCache,
    ImportOptions,
    ImportResult,
    import_batch,
    prefetch_import_state,
)

CLAIM_SECONDS = 600  # a run that died holding a feed frees it after this long
MAX_BACKOFF = timedelta(days=1)
MAX_ITEMS_PER_POLL = 1000


@dataclass
class PollResult:
    feed: Feed
    not_modified: bool = False
    error: str = ""
    item_count: int = 0
    counts: dict = field(default_factory=lambda: dict.fromkeys(ImportResult, 0))
    failures: list[tuple[str, str]] = field(default_factory=list)  # (item, why)


def claim(feed: Feed, *, now=None) -> bool:
    """Take the feed for this run, unless another run holds it: one conditional UPDATE,
    so the database decides, whatever the number of schedulers."""
    now = now or timezone.now()
    taken = Feed.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), pk=feed.pk
    ).update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    return taken == 1


def poll_due_feeds(*, now=None, feeds=None) -> list[PollResult]:
    """Poll every active feed whose time has come (or the given ones), each once."""
    now = now or timezone.now()
    candidates = feeds if feeds is not None else Feed.objects.due(now).select_related("section")
    with bulk_changes():
        return [poll_feed(feed) for feed in candidates if claim(feed, now=now)]


def poll_feed(feed: Feed) -> PollResult:
    """Poll one claimed feed and import what is new; records the outcome on the feed."""
    result = PollResult(feed)
    started = timezone.now()
    try:
        fetched = fetch_conditional(
            feed.url,
            max_bytes=MAX_SOURCE_BYTES,
            content_types=FEED_CONTENT_TYPES,
            public_only=True,  # an address typed in the admin may not reach our own network
            etag=feed.etag,
            last_modified=feed.last_modified,
        )
        if fetched.not_modified:
            result.not_modified = True
        else:
            _take_in(feed, fetched.body, result)
            feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
    except (FetchError, SourceError) as error:
        result.error = str(error)
    _record(feed, result, started)
    return result


def _take_in(feed: Feed, body: bytes, result: PollResult) -> None:
    importer = FeedImporter(feed.url, options={"content": body})
    items = []
    for item in importer.items():
        if isinstance(item, FailedItem):
            result.counts[ImportResult.FAILED] += 1
            result.failures.append((item.location, item.reason))
            continue
        if feed.language != settings.LANGUAGE_CODE:
            _move_to_language(item, feed.language)
        items.append(item)
        if len(items) >= MAX_ITEMS_PER_POLL:
            break
    if not items:
        return
    options = ImportOptions(
        import_source=importer.import_source,
        section=feed.section.slug if feed.section else "",
        status=feed.trust,
    )
    cache = ImportCache()
    unique = list({item.import_id: item for item in items}.values())
    prefetch_import_state(items=unique, options=options, cache=cache)
    outcomes = import_batch(items=unique, options=options, cache=cache)
    for item, outcome in zip(unique, outcomes, strict=True):
        result.counts[outcome.result] += 1
        if outcome.result == ImportResult.FAILED:
            result.failures.append((item.location, outcome.message))
    result.item_count = len(items)


def _move_to_language(item, language: str) -> None:
    """An English wire's text belongs to the English edition, not the Arabic one."""
    item.translations = {
        language: {"title": item.title, "summary": item.summary, "body": item.body}
    }
    item.title = item.summary = item.body = ""


def _record(feed: Feed, result: PollResult, started) -> None:
    now = timezone.now()
    feed.last_polled_at = started
    if result.error:
        feed.consecutive_errors += 1
        feed.last_error = result.error[:2000]
        feed.last_error_at = now
        # The exponent is capped: past a day the wait is MAX_BACKOFF anyway, and 2**40 times
        # a timedelta overflows.
        doubling = 2 ** min(feed.consecutive_errors, 16)
        wait = min(timedelta(minutes=feed.poll_minutes) * doubling, MAX_BACKOFF)
    else:
        feed.consecutive_errors = 0
        feed.last_success_at = now
        if not result.not_modified:
            created = result.counts[ImportResult.CREATED] + result.counts[ImportResult.DUPLICATE]
            feed.last_item_count = result.item_count
            feed.last_new_count = created
            feed.total_new_count += created
        else:
            feed.last_new_count = 0
        wait = timedelta(minutes=feed.poll_minutes)
    feed.next_poll_at = now + wait
    feed.claimed_until = None
    feed.save(
        update_fields=[
            "etag", "last_modified", "next_poll_at", "claimed_until", "last_polled_at",
            "last_success_at", "last_error_at", "last_error", "consecutive_errors",
            "last_item_count", "last_new_count", "total_new_count",
        ]
    )  # fmt: skip
