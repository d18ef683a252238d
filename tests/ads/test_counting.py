"""Impressions (cached, then flushed) and clicks (counted at once), without personal data."""

import time
from datetime import date, datetime
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from ads import services
from ads.models import Ad, AdDailyStat

UTC = ZoneInfo("UTC")


def stats(ad):
    return list(AdDailyStat.objects.filter(ad=ad).values_list("date", "impressions", "clicks"))


def test_impressions_cost_no_sql_write_and_are_flushed(
    placement, make_ad, render_slots, django_assert_num_queries
):
    ad = make_ad(placement())
    render_slots("sidebar-1")  # loads and caches the ad list
    with django_assert_num_queries(0):
        for _ in range(5):
            render_slots("sidebar-1")
    assert stats(ad) == []
    assert services.flush_impressions() == 6
    assert AdDailyStat.objects.get(ad=ad).impressions == 6
    # Flushing again moves nothing twice.
    assert services.flush_impressions() == 0
    render_slots("sidebar-1")
    services.flush_impressions()
    assert AdDailyStat.objects.get(ad=ad).impressions == 7


def test_flush_command(placement, make_ad, render_slots):
    ad = make_ad(placement())
    render_slots("sidebar-1")
    render_slots("sidebar-1")
    out = StringIO()
    call_command("flush_ad_impressions", stdout=out)
    assert "2 impressions saved." in out.getvalue()
    assert AdDailyStat.objects.get(ad=ad).impressions == 2


@pytest.mark.parametrize(
    "user_agent",
    [
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "facebookexternalhit/1.1",
        "curl/8.5.0",
        "python-requests/2.32",
        "",
    ],
)
def test_robots_are_not_counted(placement, make_ad, render_slots, user_agent):
    ad = make_ad(placement())
    html = render_slots("sidebar-1", user_agent=user_agent)
    assert "/click/" in html  # robots still see the page as it is
    assert services.flush_impressions() == 0
    assert stats(ad) == []


def test_impressions_count_on_the_local_day(placement, make_ad, render_slots):
    ad = make_ad(placement(), starts_at=datetime(2026, 1, 1, tzinfo=UTC))
    # 22:30 UTC on 28 February is 01:30 on 1 March in Baghdad.
    with mock.patch(
        "django.utils.timezone.now", return_value=datetime(2026, 2, 28, 22, 30, tzinfo=UTC)
    ):
        render_slots("sidebar-1")
        services.flush_impressions()
    assert stats(ad) == [(date(2026, 3, 1), 1, 0)]


def test_concurrent_increment_during_flush_is_kept(placement, make_ad, render_slots):
    ad = make_ad(placement())
    render_slots("sidebar-1")
    real_upsert = services.add_to_daily_stat

    def upsert_while_a_reader_arrives(*args, **kwargs):
        render_slots("sidebar-1")  # counted while the flush is writing
        return real_upsert(*args, **kwargs)

    with mock.patch.object(services, "add_to_daily_stat", upsert_while_a_reader_arrives):
        services.flush_impressions()
    services.flush_impressions()
    assert AdDailyStat.objects.get(ad=ad).impressions == 2


def test_no_personal_data_is_stored():
    columns = {field.name for field in AdDailyStat._meta.get_fields()}
    assert columns == {"id", "ad", "date", "impressions", "clicks"}


def test_click_counts_and_redirects_to_the_stored_address(client, placement, make_ad):
    ad = make_ad(placement(), target_url="https://advertiser.example/landing?utm=x")
    for number in range(3):
        response = client.get(
            f"/ads/{ad.pk}/click/",
            HTTP_USER_AGENT="Mozilla/5.0 Firefox",
            REMOTE_ADDR=f"198.51.100.{number}",
        )
        assert response.status_code == 302
        assert response["Location"] == "https://advertiser.example/landing?utm=x"
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert AdDailyStat.objects.get(ad=ad).clicks == 3


BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def test_repeated_clicks_from_one_client_count_once(client, placement, make_ad):
    ad = make_ad(placement())
    for _ in range(50):
        response = client.get(f"/ads/{ad.pk}/click/", HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 302  # every click still reaches the advertiser
    assert AdDailyStat.objects.get(ad=ad).clicks == 1
    # Another reader (address or browser), or another ad, is another click.
    client.get(f"/ads/{ad.pk}/click/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.7")
    client.get(f"/ads/{ad.pk}/click/", HTTP_USER_AGENT=BROWSER + " Edg/131.0")
    assert AdDailyStat.objects.get(ad=ad).clicks == 3
    other = make_ad(placement("sidebar-2"), name="Other")
    client.get(f"/ads/{other.pk}/click/", HTTP_USER_AGENT=BROWSER)
    assert AdDailyStat.objects.get(ad=other).clicks == 1


def test_a_click_after_the_window_counts_again(client, placement, make_ad):
    ad = make_ad(placement())
    client.get(f"/ads/{ad.pk}/click/", HTTP_USER_AGENT=BROWSER)
    cache.clear()  # the window's entries expire (they live minutes, in the cache only)
    client.get(f"/ads/{ad.pk}/click/", HTTP_USER_AGENT=BROWSER)
    assert AdDailyStat.objects.get(ad=ad).clicks == 2


def test_click_windows_keep_nothing_about_the_reader(client, placement, make_ad, settings):
    ad = make_ad(placement())
    with mock.patch.object(cache, "add", wraps=cache.add) as add:
        client.get(f"/ads/{ad.pk}/click/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.45")
    (key, value, timeout), *others = [
        call.args for call in add.call_args_list if call.args[0].startswith("ads:click:")
    ]
    assert not others
    assert "203.0.113" not in key and "Mozilla" not in key and "Chrome" not in key
    assert "203.0.113" not in repr(value)
    assert 0 < timeout <= 3600 and timeout == settings.NEWSROOM_AD_CLICK_WINDOW_SECONDS
    # A keyed hash: without the site's secret key, nobody can test guesses of an address.
    settings.SECRET_KEY = "another-secret"
    with mock.patch.object(cache, "add", wraps=cache.add) as add_again:
        client.get(f"/ads/{ad.pk}/click/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.45")
    assert key not in [call.args[0] for call in add_again.call_args_list]


def test_clicks_are_counted_while_the_cache_is_down(client, placement, make_ad):
    ad = make_ad(placement())
    # What the outage-tolerant cache answers while Redis is unreachable.
    with (
        mock.patch.object(cache, "add", return_value=False),
        mock.patch.object(cache, "get", return_value=None),
    ):
        for _ in range(2):
            client.get(f"/ads/{ad.pk}/click/", HTTP_USER_AGENT=BROWSER)
    assert AdDailyStat.objects.get(ad=ad).clicks == 2


def test_click_ignores_any_address_in_the_request(client, placement, make_ad):
    ad = make_ad(placement(), target_url="https://advertiser.example/")
    for query in ("?next=https://evil.example/", "?url=//evil.example", "?to=javascript:x"):
        response = client.get(f"/ads/{ad.pk}/click/{query}", HTTP_USER_AGENT="Mozilla/5.0")
        assert response["Location"] == "https://advertiser.example/"


def test_click_on_unknown_or_stopped_ads_is_404(client, placement, make_ad):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    slot = placement()
    inactive = make_ad(slot, name="inactive", is_active=False)
    ended = make_ad(
        slot, name="ended", starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1)
    )
    scheduled = make_ad(slot, name="scheduled", starts_at=now + timedelta(days=1))
    html_without_target = make_ad(slot, name="html", kind=Ad.Kind.HTML)
    for pk in (inactive.pk, ended.pk, scheduled.pk, html_without_target.pk, 999999):
        assert client.get(f"/ads/{pk}/click/", HTTP_USER_AGENT="Mozilla/5.0").status_code == 404
    assert client.get("/ads/abc/click/").status_code == 404
    assert not AdDailyStat.objects.exists()


def test_unsafe_stored_address_is_never_followed(client, placement, make_ad):
    """Even an address that got into the database around the validation is refused."""
    ad = make_ad(placement())
    Ad.objects.filter(pk=ad.pk).update(target_url="javascript:alert(document.cookie)")
    assert client.get(f"/ads/{ad.pk}/click/", HTTP_USER_AGENT="Mozilla/5.0").status_code == 404


def test_robot_and_head_clicks_redirect_without_counting(client, placement, make_ad):
    ad = make_ad(placement())
    assert client.get(f"/ads/{ad.pk}/click/", HTTP_USER_AGENT="Googlebot").status_code == 302
    assert client.head(f"/ads/{ad.pk}/click/", HTTP_USER_AGENT="Mozilla/5.0").status_code == 302
    assert client.post(f"/ads/{ad.pk}/click/", HTTP_USER_AGENT="Mozilla/5.0").status_code == 405
    assert stats(ad) == []


def test_click_is_outside_the_language_prefix(client, placement, make_ad):
    ad = make_ad(placement())
    assert client.get(f"/en/ads/{ad.pk}/click/").status_code == 404


def test_click_adds_to_existing_day_row(client, placement, make_ad, render_slots):
    ad = make_ad(placement())
    render_slots("sidebar-1")
    services.flush_impressions()
    cache.delete(services.AUTO_FLUSH_LOCK)
    client.get(f"/ads/{ad.pk}/click/", HTTP_USER_AGENT="Mozilla/5.0")
    row = AdDailyStat.objects.get(ad=ad)
    assert (row.impressions, row.clicks) == (1, 1)


def test_page_views_reach_the_shared_counter_together_within_the_interval(
    settings, placement, make_ad, render_slots
):
    settings.NEWSROOM_AD_IMPRESSION_SECONDS = 0.1
    ad = make_ad(placement())
    key = services.impression_key(ad.pk, timezone.localdate())
    for _ in range(3):
        render_slots("sidebar-1")
    assert cache.get(key) is None  # counted in this process, no round trip per view yet
    time.sleep(0.4)
    assert cache.get(key) == 3  # added by one write, with no further page view
    render_slots("sidebar-1")
    assert services.flush_impressions() == 4  # the flush takes what is pending too


def test_one_writer_thread_adds_the_pending_impressions_and_ends_when_idle(settings):
    settings.NEWSROOM_AD_IMPRESSION_SECONDS = 0.05
    pending = services.PendingImpressions()
    pending.add(["ads:impressions:writer-test"])
    writer = pending._writer
    pending.add(["ads:impressions:writer-test"])
    assert pending._writer is writer  # one thread (and one cache connection) for all
    writer.join(timeout=5)
    assert not writer.is_alive() and pending._writer is None
    assert cache.get("ads:impressions:writer-test") == 2


def test_impressions_not_sent_are_kept_and_those_maybe_counted_are_not_sent_again(settings, caplog):
    settings.NEWSROOM_AD_IMPRESSION_SECONDS = 60  # the writer thread stays asleep
    pending = services.PendingImpressions()
    pending.add(["ads:impressions:outage-test"] * 3)
    with mock.patch.object(services, "incr_many", return_value=False):
        pending.write()  # the shared cache is known to be unreachable: nothing sent
    assert cache.get("ads:impressions:outage-test") is None
    pending.write()
    assert cache.get("ads:impressions:outage-test") == 3
    pending.add(["ads:impressions:outage-test"] * 2)
    with mock.patch.object(services, "incr_many", side_effect=RuntimeError("time-out")):
        pending.write()  # the reply was lost: they may have been added
    pending.write()
    assert cache.get("ads:impressions:outage-test") == 3
    assert "2 ad impressions may not have been counted" in caplog.text


def test_counts_the_database_did_not_get_are_put_back(placement, make_ad, render_slots):
    first, second = make_ad(placement()), make_ad(placement("sidebar-2"))
    render_slots("sidebar-1")
    render_slots("sidebar-2")
    real_upsert = services.add_to_daily_stat
    calls = []

    def fail_on_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real_upsert(*args, **kwargs)

    with (
        mock.patch.object(services, "add_to_daily_stat", fail_on_the_second),
        pytest.raises(RuntimeError),
    ):
        services.flush_impressions()
    assert services.flush_impressions() == 1  # the one the database did not get
    assert [stats(first), stats(second)] == [
        [(timezone.localdate(), 1, 0)],
        [(timezone.localdate(), 1, 0)],
    ]
