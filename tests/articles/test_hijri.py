"""Issue 17: the Hijri (Umm al-Qura) date beside the Gregorian one, by a setting."""

from datetime import UTC, date, datetime

from django.test import override_settings
from django.utils import translation

from articles.dates import format_hijri
from tests.caches import clear_cache


def test_umm_al_qura_dates_with_arabic_and_english_month_names():
    with translation.override("ar"):
        assert format_hijri(date(2026, 12, 6)) == "26 جمادى الآخرة 1448 هـ"
        assert format_hijri(date(2025, 3, 1)) == "1 رمضان 1446 هـ"
    with translation.override("en"):
        assert format_hijri(date(2025, 3, 1)) == "1 Ramadan 1446 AH"


def test_the_day_is_the_sites_local_day():
    # 22:30 UTC on 28 February is already 1 March in Baghdad: the first of Ramadan.
    with translation.override("ar"):
        assert format_hijri(datetime(2025, 2, 28, 22, 30, tzinfo=UTC)) == "1 رمضان 1446 هـ"


@override_settings(NEWSROOM_DIGITS="arabic-indic")
def test_arabic_indic_digits():
    with translation.override("ar"):
        assert format_hijri(date(2025, 3, 1)) == "١ رمضان ١٤٤٦ هـ"


def test_outside_the_calendar_and_off_by_setting():
    assert format_hijri(date(1800, 1, 1)) == ""
    with override_settings(NEWSROOM_HIJRI_DATES=False):
        assert format_hijri(date(2025, 3, 1)) == ""


def test_masthead_and_article_show_both_calendars(client, make_article):
    article = make_article(published_at=datetime(2025, 3, 1, 9, 0, tzinfo=UTC))
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<span class="hijri-date">1 رمضان 1446 هـ</span>' in html
    masthead = html.split('<p class="masthead-date">', 1)[1].split("</p>", 1)[0]
    assert "<time datetime=" in masthead and "هـ" in masthead
    with override_settings(NEWSROOM_HIJRI_DATES=False):
        clear_cache()
        html = client.get(article.get_absolute_url()).content.decode()
    assert "hijri-date" not in html
