"""Clicks are counted exactly when many arrive at once (PostgreSQL: real concurrency)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.utils import timezone

from ads import services
from ads.models import AdDailyStat

THREADS = 8
CLICKS_PER_THREAD = 10


@pytest.mark.django_db(transaction=True)
def test_concurrent_clicks_on_a_new_day_are_all_counted(placement, make_ad):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; run with DATABASE_URL=postgres://…")
    ad = make_ad(placement())
    today = timezone.localdate()

    def click_many():
        try:
            for _ in range(CLICKS_PER_THREAD):
                services.add_to_daily_stat(ad.pk, today, clicks=1)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(click_many) for _ in range(THREADS)]:
            future.result()
    row = AdDailyStat.objects.get(ad=ad, date=today)
    assert row.clicks == THREADS * CLICKS_PER_THREAD
