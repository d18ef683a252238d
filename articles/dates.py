"""Dates the way Arabic newsrooms print them.

Month names follow the site's convention (settings.NEWSROOM_MONTH_NAMES): the
Syriac-derived names of Iraq and the Levant (كانون الثاني، شباط…) or the
Latin-derived names of Egypt and the Gulf (يناير، فبراير…). Digits are Western
(0-9) or Arabic-Indic (٠-٩) by settings.NEWSROOM_DIGITS.
"""

from datetime import datetime

from django.conf import settings
from django.utils import formats, timezone
from hijridate import Gregorian

from newsroom.site import edition

MONTHS = {
    "levantine": (
        "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
        "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
    ),
    "egyptian": (
        "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
        "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
    ),
}  # fmt: skip

ARABIC_INDIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def arabic_digits(text: str) -> str:
    if settings.NEWSROOM_DIGITS == "arabic-indic":
        return text.translate(ARABIC_INDIC_DIGITS)
    return text


def format_date(value, with_time=True, language=None):
    """`value` (an aware datetime) in the site's time zone, written for `language`."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if edition(language) != "ar":
        return formats.date_format(local, "DATETIME_FORMAT" if with_time else "DATE_FORMAT")
    months = MONTHS.get(settings.NEWSROOM_MONTH_NAMES, MONTHS["levantine"])
    text = f"{local.day} {months[local.month - 1]} {local.year}"
    if with_time:
        text += f"، {local:%H:%M}"
    return arabic_digits(text)


def format_hijri(value, language=None) -> str:
    """`value` (an aware datetime, in the site's time zone, or a date) as a date of the Umm
    al-Qura calendar: "26 جمادى الآخرة 1448 هـ" / "26 Jumada al-Akhirah 1448 AH"; empty
    when Hijri dates are off (settings.NEWSROOM_HIJRI_DATES) or outside the calendar's
    range (1343–1500 AH)."""
    if value is None or not settings.NEWSROOM_HIJRI_DATES:
        return ""
    day = timezone.localtime(value).date() if isinstance(value, datetime) else value
    try:
        hijri = Gregorian.fromdate(day).to_hijri()
    except OverflowError:
        return ""
    if edition(language) != "ar":
        return f"{hijri.day} {hijri.month_name('en')} {hijri.year} AH"
    return arabic_digits(f"{hijri.day} {hijri.month_name('ar')} {hijri.year} هـ")
