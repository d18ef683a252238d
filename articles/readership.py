"""Counting reads for the "most read" lists, without knowing anything about the readers.

Pages are cached, so the page itself cannot count: each article page sends one small
beacon (POST, never cached; see static/articles/reader.js) and `record_read()` adds it to a
per-article, per-day counter in the shared cache (`cache.incr`). No address, cookie or
identifier of the reader is read or kept; crawlers are told apart by their user agent. A
reload within a minute is not counted twice: the browser remembers the article in its own
sessionStorage and does not send the beacon again.

The counts reach the database (`DailyReads`, one row per article and day) from the beacons
themselves: the first read of an article in each minute (`cache.add` of a lock, atomic
across processes) adds what its counter holds to the row and takes that much off the
counter. When the cache cannot be reached the read is lost, never the page.
"""

import logging
import re
from datetime import timedelta

from django.core.cache import cache
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language

from articles.models import Article, DailyReads
from newsroom.cache import bump_version, cached_value

logger = logging.getLogger(__name__)

# Crawlers, link previews, monitors and headless browsers name themselves in their agent.
BOT_AGENT = re.compile(
    r"bot|crawl|spider|slurp|archiver|fetch|scrape|preview|monitor|headless|lighthouse|"
    r"facebookexternalhit|whatsapp|telegram|curl|wget|python|java/|go-http|okhttp|httpclient",
    re.IGNORECASE,
)
WRITE_EVERY_SECONDS = 60
COUNTER_SECONDS = 3 * 24 * 60 * 60  # outlives its day: the next write still finds it
KNOWN_SECONDS = 60 * 60


def is_bot(user_agent: str) -> bool:
    return not user_agent or bool(BOT_AGENT.search(user_agent))


def counter_key(article_id: int, day) -> str:
    return f"reads:count:{day.isoformat()}:{article_id}"


def is_readable(article_id: int) -> bool:
    """Whether `article_id` is a public article: made-up ids are not counted. A "yes" is
    kept for an hour, so a busy article costs no query per read."""
    key = f"reads:known:{article_id}"
    known = cache.get(key)
    if known is None:
        known = Article.objects.published().filter(pk=article_id).exists()
        # A "no" is kept a minute only: a scheduled story is counted soon after it is out.
        cache.set(key, known, KNOWN_SECONDS if known else 60)
    return known


def record_read(*, article_id: int, user_agent: str) -> bool:
    """Count one read of `article_id`; False when it is not counted (a crawler, an article
    that is not public, the cache unreachable)."""
    if is_bot(user_agent):
        return False
    try:
        if not is_readable(article_id):
            return False
        today = timezone.localdate()
        key = counter_key(article_id, today)
        cache.add(key, 0, COUNTER_SECONDS)
        cache.incr(key)
        if cache.add(f"reads:writing:{article_id}", 1, WRITE_EVERY_SECONDS):
            # Yesterday's last counts too, for an article read across midnight.
            for day in (today - timedelta(days=1), today):
                save_counted(article_id=article_id, day=day)
    except Exception:  # the cache or database is down: lose this read, keep the page
        logger.warning("A read of article %s was not counted", article_id, exc_info=True)
        return False
    return True


def save_counted(*, article_id: int, day) -> int:
    """Move what the cache counted for `article_id` on `day` into its DailyReads row;
    returns how many reads moved. A read counted meanwhile stays for the next write."""
    key = counter_key(article_id, day)
    pending = cache.get(key) or 0
    if pending <= 0:
        return 0
    updated = DailyReads.objects.filter(article_id=article_id, day=day).update(
        reads=F("reads") + pending
    )
    if not updated:
        _, created = DailyReads.objects.get_or_create(
            article_id=article_id, day=day, defaults={"reads": pending}
        )
        if not created:  # another process made the row first
            DailyReads.objects.filter(article_id=article_id, day=day).update(
                reads=F("reads") + pending
            )
    cache.decr(key, pending)
    return pending


MOST_READ_SECONDS = 5 * 60
MOST_READ_WINDOWS = {"day": 24, "week": 7 * 24}
# A content version bumped when a public story stops being public (unpublished, deleted,
# rescheduled, or taken out of an edition): the most read lists, which a publish does not
# make again, are made again at once without it. Every such change bumps "articles" too.
WITHDRAWN = "withdrawn"


def _withdrawn(article_id: int) -> None:
    bump_version(WITHDRAWN)
    cache.delete(f"reads:known:{article_id}")  # its reads are not counted from now on


def article_saved(sender, instance, created, **_kwargs) -> None:
    """After a save: was a story taken off the site (in some edition)? Unknown when the
    article was not read whole (then it may have been)."""
    before = None if created else getattr(instance, "saved_editions", None)
    after = instance.public_editions()
    instance.saved_editions = after
    if created:
        return
    if before is None or before - (after or frozenset()):
        _withdrawn(instance.pk)


def article_deleted(sender, instance, **_kwargs) -> None:
    if getattr(instance, "saved_editions", None) != frozenset():  # it was, or may have been, public
        _withdrawn(instance.pk)


def most_read(count: int) -> dict:
    """{"day": [TeaserRef, …], "week": […]}: the most read public articles of the active
    language edition in the last 24 hours and 7 days, in one query. Kept for a few minutes
    whatever is published meanwhile (counts move slowly, and a publish must not cost every
    page this query again), but a story taken off the site leaves them at once (WITHDRAWN)."""
    language = get_language()
    return cached_value(
        "articles:most-read",
        [language, count],
        lambda: DailyReads.objects.most_read_in(MOST_READ_WINDOWS, count=count, language=language),
        versions=[WITHDRAWN],
        timeout=MOST_READ_SECONDS,
        memo=True,  # every page shows them: no round trip to the shared cache
    )
