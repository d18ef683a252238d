"""Recall on headlines written the way real Arabic wires write them: every query must find its
headline among the others, and only the headlines it should."""

import pytest

from articles.search import search

HEADLINES = {
    "candidates": "المفوضية العليا للانتخابات تصادق على أسماء ٩٥مرشحاً لعضوية مجلس المحافظة",
    "cholera": "وزارة الصحة: تسجيل ۱۲ إصابة جديدة بالكوليرا في ذي قار",
    "dinar": "ارتفاع سعر صرف الدولار إلى ١٥٠٠دينار في أسواق بغداد",
    "facebook_together": "الشرطة تطلق خدمة جديدة عبر فيسبوك لمتابعة الشكاوى",
    "facebook_apart": "المحافظة تنشر جدول الامتحانات على صفحتها في فيس بوك",
    "abdullah": "وصول الوزير عبدالله الحسني إلى أربيل في زيارة رسمية",
    "abdulrahman": "المحافظ يستقبل الشيخ عبد الرحمن الجبوري في ديوان المحافظة",
    "abubakr_together": "افتتاح مدرسة أبوبكر الصديق الابتدائية في الموصل",
    "abubakr_apart": "جامع أبو بكر الصديق يستقبل المصلين بعد ترميمه",
    "vocalised": "مُؤْتَمَرٌ صَحَفِيٌّ لِوَزِيرِ الخَارِجِيَّةِ فِي بَغْدَادَ",
    "sloppy": "الامانه العامه لمجلس الوزراء تعلن موعد العطله الرسميه",
    "clitics": "وبالمناسبة أعلنت الهيئة فالمواطنون مدعوون للمشاركة",
    # Words that are a leading و or ف away from the names above: not those names.
    "insult": "لاعب يسب الحكم ويطرد من المباراة",
    "mentioned": "ورد في تقرير ديوان الرقابة أن المشاريع متأخرة",
    "ford": "شركة فورد تفتتح وكالة جديدة في أربيل",
    "conjunctions": "وقال الناطق إن الوفد سيزور فرنسا وفلسطين",
}

# (query, the headlines it must find, exactly)
CASES = [
    # Digits: Arabic-Indic and Persian, glued to the word they count.
    ("95", {"candidates"}),
    ("٩٥", {"candidates"}),
    ("مرشحين", {"candidates"}),
    ("12", {"cholera"}),
    ("١٢ إصابة", {"cholera"}),
    ("1500", {"dinar"}),
    ("الدينار", {"dinar"}),
    # Words written together or apart.
    ("فيس بوك", {"facebook_together", "facebook_apart"}),
    ("فيسبوك", {"facebook_together", "facebook_apart"}),
    ("عبد الله", {"abdullah"}),
    ("عبدالله", {"abdullah"}),
    ("عبد الرحمن", {"abdulrahman"}),
    ("عبدالرحمن", {"abdulrahman"}),
    ("أبو بكر", {"abubakr_together", "abubakr_apart"}),
    ("أبوبكر", {"abubakr_together", "abubakr_apart"}),
    ("عبدالعزيز", set()),
    ("عبد العزيز", set()),
    # A leading و or ف: the word's own letter in the query, a conjunction in the text.
    ("فورد", {"ford"}),
    ("ورد", {"mentioned", "ford"}),  # a text's و or ف may be a conjunction: فورد is ف + ورد
    ("يسب", {"insult", "facebook_together"}),
    ("وزير", {"abdullah", "vocalised"}),  # الوزير, لوزير
    ("قال", {"conjunctions"}),
    ("فلسطين", {"conjunctions"}),
    ("فرنسا", {"conjunctions"}),
    # What already worked: tashkeel, shadda and tanween; ة written ه; clitics.
    ("مؤتمر صحفي", {"vocalised"}),
    ("وزير الخارجية", {"vocalised"}),
    ("الأمانة العامة", {"sloppy"}),
    ("العطلة الرسمية", {"sloppy"}),
    ("المناسبة", {"clitics"}),
    ("المواطنين", {"clitics"}),
]


@pytest.fixture
def headlines(make_article):
    return {
        name: make_article(title_ar=title, body_ar=f"<p>{title}.</p>")
        for name, title in HEADLINES.items()
    }


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[case[0] for case in CASES])
def test_query_finds_its_headlines(headlines, query, expected):
    found = {article.pk for article in search(query, language="ar")[:50]}
    assert found == {headlines[name].pk for name in expected}


def test_digits_are_shown_as_written_and_highlighted(client, headlines):
    html = client.get("/search/?q=95").content.decode()
    assert "<mark>٩٥</mark>مرشحاً" in html


def test_a_name_written_apart_is_highlighted_whole(client, headlines):
    html = client.get("/search/?q=فيسبوك").content.decode()
    assert "<mark>فيس</mark> <mark>بوك</mark>" in html
    assert "<mark>فيسبوك</mark>" in html
