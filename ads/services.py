"""Counting impressions and clicks.

Impressions happen on every page view, so they are not written to the database one by
one. Each impression is an atomic `incr` of a per-ad, per-day counter in the shared
cache (Redis in production, so all processes add to the same counter); the counters are
moved into `AdDailyStat` in bulk by `manage.py flush_ad_impressions` (run it from cron
every few minutes, and at least daily: counters live three days), and opportunistically
at most once every few minutes by the click view and the admin list. A page view thus
costs a few cache increments and no SQL write.

Clicks are rare and must be exact, so each one is an `F()` upsert in a transaction.
Nothing about the reader is stored: no IP address, user agent or cookie.
"""

import atexit
import logging
import re
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from datetime import time as clock_time

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from ads.models import Ad, AdDailyStat
from newsroom.pagecache import per_request

logger = logging.getLogger(__name__)

IMPRESSION_TIMEOUT = 3 * 24 * 3600
FLUSH_DAYS = 3
AUTO_FLUSH_LOCK = "ads:auto-flush"
AUTO_FLUSH_SECONDS = 300

BOT_RE = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|monitor|"
    r"headless|phantomjs|lighthouse|curl|wget|python-|httpclient|java/|go-http|okhttp|"
    r"axios|node-fetch|libwww|scrapy",
    re.IGNORECASE,
)


def is_bot(request):
    """Obvious robots by user agent; a missing user agent counts as a robot. Asked once per
    request (a page has several ad slots)."""
    if request is None:
        return True
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    return per_request(
        request, "ads:is_bot", lambda: not user_agent or bool(BOT_RE.search(user_agent))
    )


def impression_key(ad_id, day):
    return f"ads:impressions:{day.isoformat()}:{ad_id}"


def incr_many(deltas, timeout):
    """Add to counters (made with `timeout` when missing): one round trip on Redis, saying
    True, False or None as ResilientRedisCache.incr_many does."""
    if hasattr(cache, "incr_many"):
        return cache.incr_many(deltas, timeout)
    for key, delta in deltas.items():
        try:
            cache.incr(key, delta)
        except ValueError:  # first use; add() never overwrites one made meanwhile
            cache.add(key, delta, timeout=timeout) or cache.incr(key, delta)
    return True


def take_many(keys):
    """Read and remove counters, each count taken by one caller only (GETDEL on Redis;
    elsewhere the count read is subtracted, so what is added meanwhile stays)."""
    if hasattr(cache, "take_many"):
        return cache.take_many(keys)
    found = {key: count for key, count in cache.get_many(keys).items() if count}
    for key, count in found.items():
        cache.decr(key, count)
    return found


class PendingImpressions:
    """Impressions this process has counted and not yet added to the shared counters.

    One writer thread adds them every NEWSROOM_AD_IMPRESSION_SECONDS while there are any
    (one thread, so one cache connection, for as long as readers come), and ends when
    there are none. Counts not sent because the shared cache is down are kept for the next
    write; counts whose write failed on the way are not sent again (they may be counted)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts = Counter()
        self._writer = None

    def add(self, keys):
        with self._lock:
            self._counts.update(keys)
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(
                    target=self._write_while_counting, name="ad-impressions", daemon=True
                )
                self._writer.start()

    def _write_while_counting(self):
        while True:
            time.sleep(settings.NEWSROOM_AD_IMPRESSION_SECONDS)
            self.write()
            with self._lock:
                if not self._counts:
                    self._writer = None
                    return

    def write(self):
        """Add what is pending to the shared counters, in one cache round trip."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
        if not counts:
            return
        try:
            written = incr_many(dict(counts), IMPRESSION_TIMEOUT)
        except Exception:
            logger.exception("Adding ad impressions to the shared counters failed")
            written = None
        if written is False:  # not sent: kept for the next write
            with self._lock:
                self._counts.update(counts)
        elif written is None:
            # Failed on the way: they may have been added, and an advertiser is never
            # billed twice for one view.
            logger.error("%d ad impressions may not have been counted", counts.total())


pending_impressions = PendingImpressions()
atexit.register(pending_impressions.write)


def record_impressions(ad_ids, request):
    """Count one impression for each ad (robots are not counted): in this process's memory,
    added to the shared counters within NEWSROOM_AD_IMPRESSION_SECONDS."""
    if not ad_ids or is_bot(request):
        return
    # The day of the request, found once for all its slots.
    today = per_request(request, "ads:day", timezone.localdate)
    pending_impressions.add([impression_key(ad_id, today) for ad_id in ad_ids])


def add_to_daily_stat(ad_id, day, *, impressions=0, clicks=0):
    """Add to one day's counts of one ad, creating the row if needed; safe under concurrency."""
    increments = {"impressions": F("impressions") + impressions, "clicks": F("clicks") + clicks}
    with transaction.atomic():
        rows = AdDailyStat.objects.filter(ad_id=ad_id, date=day)
        if rows.update(**increments):
            return
        try:
            with transaction.atomic():
                AdDailyStat.objects.create(
                    ad_id=ad_id, date=day, impressions=impressions, clicks=clicks
                )
        except IntegrityError:  # another process created the row first
            rows.update(**increments)


def record_click(ad, request):
    """Count one click on `ad` today (robots are not counted)."""
    if is_bot(request):
        return
    add_to_daily_stat(ad.pk, timezone.localdate(), clicks=1)


def flush_impressions(days=FLUSH_DAYS):
    """Move the cached impression counters of the last `days` days into AdDailyStat.
    Returns the number of impressions moved."""
    pending_impressions.write()
    today = timezone.localdate()
    dates = [today - timedelta(days=offset) for offset in range(days)]
    oldest = timezone.make_aware(datetime.combine(dates[-1], clock_time.min))
    ad_ids = Ad.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gte=oldest)).values_list(
        "pk", flat=True
    )
    keys = {impression_key(ad_id, day): (ad_id, day) for ad_id in ad_ids for day in dates}
    # Taken out of the cache first (views counted meanwhile make new counters, and another
    # flush cannot take the same counts); what the database does not get is put back.
    taken = [(key, count) for key, count in take_many(list(keys)).items() if count]
    moved = 0
    for index, (key, count) in enumerate(taken):
        ad_id, day = keys[key]
        try:
            add_to_daily_stat(ad_id, day, impressions=count)
        except Exception:
            incr_many(dict(taken[index:]), IMPRESSION_TIMEOUT)
            raise
        moved += count
    return moved


def maybe_flush_impressions():
    """Flush at most once every few minutes across all processes."""
    if cache.add(AUTO_FLUSH_LOCK, 1, timeout=AUTO_FLUSH_SECONDS):
        return flush_impressions()
    return 0
