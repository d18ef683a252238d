"""Which ads a page shows: one query (or none) for every slot of a page, then a
weighted random pick per slot.

The first `{% ad_slot %}` of a request loads the ads of every active placement for the
page's language and section in one query (ads joined to their placements), keeps them
on the request for the other slots, and in the shared cache for the next requests.
The cache holds ads starting within the cache lifetime too, and every render checks the
dates again, so ads start and stop on time even when served from the cache. Any change
to an ad or a placement bumps a version number that every process sees.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from ads.models import Ad
from newsroom.cache import bump_version, get_version, process_memo
from newsroom.pagecache import per_request
from newsroom.site import edition

CACHE_SECONDS = 60
MEMO_SECONDS = 5
# The content version of ads (newsroom/cache.py): cached ad lists and pages fold it in.
ADS = "ads"


@dataclass(frozen=True)
class Slot:
    key: str
    width: int
    height: int
    max_ads: int


@dataclass
class PageAds:
    """The candidate ads of one page, by placement key, and what it has shown so far."""

    slots: dict = field(default_factory=dict)  # key -> (Slot, [Ad, ...])
    shown: set = field(default_factory=set)


def ads_changed(**kwargs):
    """Signal receiver: forget every cached ad list and every cached page, in every
    process."""
    bump_version(ADS)


def load_candidates(language, section, now):
    """Ads of all active placements that run now or start within the cache lifetime, in
    one query: one row per (ad, placement), the placement's columns joined in."""
    rows = (
        Ad.objects.running(
            language, section, at=now, starting_within=timedelta(seconds=CACHE_SECONDS)
        )
        .filter(placements__is_active=True)
        .annotate(
            slot_key=F("placements__key"),
            slot_width=F("placements__width"),
            slot_height=F("placements__height"),
            slot_max_ads=F("placements__max_ads"),
        )
        .order_by("pk")
    )
    slots = {}
    for ad in rows:
        slot = Slot(ad.slot_key, ad.slot_width, ad.slot_height, ad.slot_max_ads)
        ads = slots.setdefault(slot.key, (slot, []))[1]
        if ad.has_content:  # changing that is a save, which makes a new list
            ads.append(ad)
    return slots


def page_ads(holder, language=None, section=None):
    """The candidate ads for this page, loaded once per request (`holder` is the request,
    or the template context when there is none)."""
    language = edition(language)
    section = section or ""
    return per_request(
        holder, f"ads:{language}:{section}", lambda: load_page_ads(language, section)
    )


def load_page_ads(language, section):
    now = timezone.now()
    version = get_version(ADS)
    cache_key = f"ads:slots:{version}:{language}:{section}"
    slots = process_memo.get(cache_key)
    if slots is None:
        slots = cache.get(cache_key)
        if slots is None:
            slots = load_candidates(language, section, now)
            cache.set(cache_key, slots, CACHE_SECONDS)
        # The process keeps the list a few seconds (a change bumps the version at once;
        # only an ad starting by the clock may show up to that much later).
        process_memo.set(cache_key, slots, MEMO_SECONDS)
    return PageAds(slots=slots)


def weighted_sample(ads, count, rng):
    """Up to `count` different ads, each pick proportional to its weight."""
    pool = list(ads)
    if len(pool) <= 1:  # nothing to choose between (most slots, on most views)
        return pool[:count]
    chosen = []
    while pool and len(chosen) < count:
        ad = rng.choices(pool, weights=[ad.weight for ad in pool])[0]
        chosen.append(ad)
        pool.remove(ad)
    return chosen


def pick(page, key, now=None, rng=random):
    """The ads to show in slot `key`: running now, not already on this page, weighted."""
    slot, candidates = page.slots.get(key, (None, []))
    if slot is None:
        return None, []
    now = now or timezone.now()
    eligible = [ad for ad in candidates if ad.is_running_at(now) and ad.pk not in page.shown]
    chosen = weighted_sample(eligible, slot.max_ads, rng)
    page.shown.update(ad.pk for ad in chosen)
    return slot, chosen
