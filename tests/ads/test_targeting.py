"""Which ads run: scheduling edges, time zones, language editions, sections."""

from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import translation

from ads.models import Ad

BAGHDAD = ZoneInfo("Asia/Baghdad")
UTC = ZoneInfo("UTC")
START = datetime(2026, 3, 1, 0, 0, tzinfo=BAGHDAD)  # 2026-02-28 21:00 UTC
END = datetime(2026, 3, 8, 0, 0, tzinfo=BAGHDAD)
TICK = timedelta(microseconds=1)


def running_names(**kwargs):
    return sorted(Ad.objects.running(**kwargs).values_list("name", flat=True))


def test_schedule_boundaries_start_inclusive_end_exclusive(make_ad, placement):
    make_ad(placement(), name="spring", starts_at=START, ends_at=END)
    assert running_names(language="ar", at=START - TICK) == []
    assert running_names(language="ar", at=START) == ["spring"]
    assert running_names(language="ar", at=END - TICK) == ["spring"]
    assert running_names(language="ar", at=END) == []


def test_boundaries_are_instants_whatever_the_time_zone(make_ad, placement):
    """Midnight in Baghdad is 21:00 UTC the evening before."""
    make_ad(placement(), name="spring", starts_at=START, ends_at=END)
    assert running_names(language="ar", at=datetime(2026, 2, 28, 20, 59, 59, tzinfo=UTC)) == []
    assert running_names(language="ar", at=datetime(2026, 2, 28, 21, 0, tzinfo=UTC)) == ["spring"]
    # 23:00 UTC on 28 February is already 1 March in Baghdad.
    assert running_names(language="ar", at=datetime(2026, 2, 28, 23, 0, tzinfo=UTC)) == ["spring"]


def test_open_ended_and_inactive_ads(make_ad, placement):
    slot = placement()
    make_ad(slot, name="forever", starts_at=START)
    make_ad(slot, name="stopped", starts_at=START, is_active=False)
    assert running_names(language="ar", at=START + timedelta(days=3650)) == ["forever"]


def test_language_editions(make_ad, placement):
    slot = placement()
    make_ad(slot, name="both", language=Ad.Language.ALL)
    make_ad(slot, name="arabic", language=Ad.Language.AR)
    make_ad(slot, name="english", language=Ad.Language.EN)
    assert running_names(language="ar") == ["arabic", "both"]
    assert running_names(language="en") == ["both", "english"]
    with translation.override("en"):
        assert running_names() == ["both", "english"]


def test_section_targeting_by_slug(make_ad, placement):
    slot = placement()
    make_ad(slot, name="everywhere")
    make_ad(slot, name="sport only", sections="sport")
    make_ad(slot, name="economy and sport", sections="economy,sport")
    make_ad(slot, name="sports-extra", sections="sports-extra")
    assert running_names(language="ar", section="sport") == [
        "economy and sport",
        "everywhere",
        "sport only",
    ]
    assert running_names(language="ar", section="economy") == ["economy and sport", "everywhere"]
    # A slug is matched whole: "sport" does not match "sports-extra", nor "port" "sport".
    assert running_names(language="ar", section="port") == ["everywhere"]
    # Pages outside any section (home, search) show only untargeted ads.
    assert running_names(language="ar") == ["everywhere"]


def test_arabic_section_slug(make_ad, placement):
    make_ad(placement(), name="local", sections="محليات")
    assert running_names(language="ar", section="محليات") == ["local"]


def test_arabic_section_slug_in_a_page(make_ad, placement, render_slots):
    make_ad(placement(), name="local", sections="محليات")
    assert "/click/" in render_slots("sidebar-1", section="محليات")
    assert "/click/" in render_slots("sidebar-1", section="محليات")  # from the cache
    assert render_slots("sidebar-1", section="رياضة") == ""


def test_slot_shows_ad_from_its_start_even_when_cached(make_ad, placement, render_slots):
    """The cached list includes ads starting soon and every render checks the dates again."""
    make_ad(placement(), name="spring", starts_at=START, ends_at=END)
    with mock.patch("django.utils.timezone.now", return_value=START - timedelta(seconds=5)):
        assert render_slots("sidebar-1").strip() == ""
    with mock.patch("django.utils.timezone.now", return_value=START):
        html = render_slots("sidebar-1")
    assert "/click/" in html


def test_slot_hides_ad_at_its_end_even_when_cached(
    make_ad, placement, render_slots, django_assert_num_queries
):
    make_ad(placement(), name="spring", starts_at=START, ends_at=END)
    with mock.patch("django.utils.timezone.now", return_value=END - timedelta(seconds=5)):
        assert "/click/" in render_slots("sidebar-1")
    with (
        mock.patch("django.utils.timezone.now", return_value=END),
        django_assert_num_queries(0),
    ):
        assert render_slots("sidebar-1").strip() == ""


def test_slot_follows_the_page_section_and_language(make_ad, placement, render_slots):
    slot = placement()
    make_ad(slot, name="sport", sections="sport", language=Ad.Language.EN)
    assert render_slots("sidebar-1", section="sport").strip() == ""  # Arabic page
    with translation.override("en"):
        assert render_slots("sidebar-1").strip() == ""  # no section
        assert "/click/" in render_slots("sidebar-1", section="sport")


def test_a_list_kept_for_a_while_includes_the_ads_starting_meanwhile(make_ad, placement):
    """The ad slots' cached list (ads/selection.py) uses the one definition of a running
    ad, stretched to the ads that start within the list's life, never to ended ones."""
    make_ad(placement(), name="spring", starts_at=START, ends_at=END)
    soon = {"language": "ar", "starting_within": timedelta(seconds=60)}
    assert running_names(at=START - timedelta(seconds=61), **soon) == []
    assert running_names(at=START - timedelta(seconds=59), **soon) == ["spring"]
    assert running_names(at=END, **soon) == []
