"""Ads on cached pages: the page comes from the cache, the slots do not.

The page cache keeps `{% ad_slot %}` as a live fragment (newsroom/pagecache.py): every
view, hit or miss, picks the slot's ads again and counts their impressions.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ads import services
from ads.models import AdDailyStat
from tests.ads.conftest import BROWSER


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600


def shown(html):
    return re.findall(r'href="/ads/(\d+)/click/"', html)


@pytest.mark.django_db
def test_cached_pages_rotate_ads_and_count_every_view(client, placement, make_ad, seeded_rng):
    slot = placement("sidebar-1")
    ads = [make_ad(slot, name=f"ad {index}") for index in range(3)]
    views = []
    for _ in range(30):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/", headers={"user-agent": BROWSER})
        views.append((response["X-Page-Cache"], len(queries), shown(response.content.decode())))
    assert views[0][0] == "miss"
    assert all(state == "hit" and count == 0 for state, count, _ids in views[1:])
    assert all(len(ids) == 1 for _state, _count, ids in views)
    assert {ids[0] for _state, _count, ids in views} == {str(ad.pk) for ad in ads}
    assert services.flush_impressions() == 30
    assert sum(AdDailyStat.objects.values_list("impressions", flat=True)) == 30


@pytest.mark.django_db
def test_an_ad_change_reaches_cached_pages_at_once(client, placement, make_ad):
    ad = make_ad(placement("sidebar-1"), name="first")
    assert shown(client.get("/").content.decode()) == [str(ad.pk)]
    assert client.get("/")["X-Page-Cache"] == "hit"
    ad.is_active = False
    ad.save()
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert shown(response.content.decode()) == []
