"""The normaliser and the analysis pipeline, on real-looking text."""

import pytest
from django.db import connection

from articles.text import analyze, normalize, query_alternatives


@pytest.mark.parametrize(
    ("text", "normalised", "stripped"),
    [
        (
            "الأمانة العامة لمجلس الوزراء ترعى المؤتمر الخاص بمناقشة ملف المرأة والأمن والسلام",
            "الامانه العامه لمجلس الوزراء ترعي الموتمر الخاص بمناقشه ملف المراه والامن والسلام",
            "امانه عامه لمجلس وزراء ترعي موتمر خاص بمناقشه ملف مراه امن سلام",
        ),
        ("الأَمَانَةُ العـــامة", "الامانه العامه", "امانه عامه"),
        ("إسرائيل آمنة ٱلرحمن", "اسراييل امنه الرحمن", "اسراييل امنه رحمن"),
        ("ترعى مستشفى", "ترعي مستشفي", "ترعي مستشفي"),
        ("مسؤول رئيس هيئة", "مسوول رييس هييه", "مسوول رييس هييه"),
        ("عام ٢٠٢٥ و۱۴۰۲", "عام 2025 و1402", "عام 2025 و1402"),
        ("ﻻجئون ﷲ", "لاجيون الله", "لاجيون الله"),
        ("\u200fالقدس\u200c", "القدس", "قدس"),
        (
            "وللمرأة فالمؤتمر بالأمانة كالعادة",
            "وللمراه فالموتمر بالامانه كالعاده",
            "مراه موتمر امانه عاده",
        ),
        # The three-letter guard: no stripping that would leave fewer than three letters.
        ("الله والي بالغ التي", "الله والي بالغ التي", "الله والي بالغ التي"),
        # A bare و ف ب ل ك is part of these words, never a prefix.
        (
            "وزير فلسطين بغداد لبنان كركوك",
            "وزير فلسطين بغداد لبنان كركوك",
            "وزير فلسطين بغداد لبنان كركوك",
        ),
        ("سألَ، لماذا؛ هل؟ ١٢٫٥٪", "سال, لماذا; هل? 12.5%", "سال, لماذا; هل? 12.5%"),
        ("Reuters رويترز CAFÉ", "reuters رويترز cafe", "reuters رويترز cafe"),
        ("ی ک", "ي ك", "ي ك"),
    ],
)
def test_normalize(text, normalised, stripped):
    assert normalize(text) == normalised
    assert normalize(text, strip_prefixes=True) == stripped


def keys(text):
    return [term.key for term in analyze(text)]


def test_control_characters_and_surrogates_are_dropped():
    assert normalize("ال\x00قدس\x07\ud800") == "القدس"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("المرأة", "المراة"),
        ("الأمانة", "الامانه"),
        ("إسرائيل", "اسرائيل"),
        ("المؤتمر", "المؤتـــمر"),
        ("الأَمَانَة", "الأمانة"),
        ("٢٠٢٥", "2025"),
        ("ترعى", "ترعي"),
        ("رئاسة", "رياسة"),
        ("والسلام", "سلام"),
        ("فالمؤتمر", "مؤتمر"),
    ],
)
def test_spelling_variants_share_a_key(first, second):
    assert keys(first) == keys(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # (Snowball's own rules, as in PostgreSQL's `arabic`, merge وزير/زير and بغداد/غداد;
        # a query for وزير looks for its whole key: test_a_word_s_own_leading_letter_….)
        ("لبنان", "بنان"),  # a bare ل is part of the word
        ("فلسطين", "لسطين"),
        ("الوزير", "الوزراء"),  # singular and broken plural stay apart
        ("عامل", "العمال"),
        ("انسحاب", "سحب"),
        ("الله", "له"),
    ],
)
def test_unrelated_words_are_not_merged(first, second):
    assert keys(first) != keys(second)


def test_stop_words_are_removed_before_alef_maqsura_mapping():
    """على (on) never reaches the index, so the name علي stays searchable."""
    assert keys("على") == []
    assert keys("إلى حتى لدى") == []
    assert keys("علي") != []
    assert keys("قال علي على المنصة") == keys("قال علي المنصة")


def test_hamza_spellings_meet_through_a_variant():
    (document,) = analyze("مسؤولون")
    (query,) = analyze("مسئولون")
    assert document.key != query.key
    assert query_alternatives(query) & {document.key, *document.variants}


def test_document_variants_are_not_used_by_queries():
    """لمجلس is indexed also as مجلس, but a query for لبنان looks only for لبنان."""
    (document,) = analyze("لمجلس")
    assert keys("مجلس")[0] in document.variants
    (query,) = analyze("لبنان")
    assert query_alternatives(query) == {query.key}


@pytest.mark.parametrize(
    ("query", "document", "unrelated"),
    [
        ("فيسبوك", "الفيسبوك", "يسب"),
        ("فورد", "وفورد", "ورد"),
        ("وزير", "لوزير", "زير"),
        ("وزارة", "والوزارة", "زار"),  # ministry, visited
    ],
)
def test_a_word_s_own_leading_letter_is_kept_by_its_query(query, document, unrelated):
    """Snowball takes a leading و or ف for a conjunction; a query word that begins with one
    looks for the word with it, which its other spellings are also indexed as."""
    (term,) = analyze(query)
    looked_up = query_alternatives(term)
    (document,) = analyze(document)
    assert looked_up & {document.key, *document.variants, *document.wholes}
    (unrelated,) = analyze(unrelated)
    assert term.key == unrelated.key  # what the stemmer alone would find
    assert not looked_up & {unrelated.key, *unrelated.variants, *unrelated.wholes}


def test_a_conjunction_in_the_text_is_still_found_without_it():
    (document,) = analyze("وقال")
    (query,) = analyze("قال")
    assert query_alternatives(query) == {document.key}
    assert document.wholes == {"وقال"}  # وقال is looked up as itself


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("٩٥مرشحاً", ["95", *keys("مرشحا")]),
        ("۱۴۰۲هـ", ["1402", *keys("هـ")]),
        ("عام2025", [*keys("عام"), "2025"]),
        ("G7", ["g", "7"]),
    ],
)
def test_digit_runs_are_words_of_their_own(text, expected):
    assert keys(text) == expected


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="on SQLite migration 0019 writes the rows instead"
)
def test_reindex_migration_writes_rows_in_the_new_form(make_article):
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps

    from articles.models import ArticleSearch
    from articles.search import search
    from tests.caches import clear_cache

    article = make_article(title_ar="٩٥مرشحاً في البصرة")
    ArticleSearch.objects.all().delete()  # as if written by the old pipeline: not found
    assert list(search("95", language="ar")[:5]) == []
    migration = import_module("articles.migrations.0012_reindex_digits")
    migration.reindex_articles(apps, SimpleNamespace(connection=connection))
    clear_cache()  # a deployment changes the release, which every cached result's key holds
    assert list(search("95", language="ar")[:5]) == [article]


def test_whole_keys_migration_writes_rows_again_and_drops_cached_results(make_article):
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps

    from articles.cache import ARTICLES
    from articles.models import ArticleSearch
    from articles.search import search
    from newsroom.cache import get_version

    article = make_article(title_ar="شركة فورد تفتتح وكالة جديدة")
    ArticleSearch.objects.all().delete()  # as if written by the old pipeline: not found
    assert list(search("فورد", language="ar")[:5]) == []
    version = get_version(ARTICLES)
    migration = import_module("articles.migrations.0019_h20_whole_keys")
    migration.reindex_articles(apps, SimpleNamespace(connection=connection))
    assert get_version(ARTICLES) != version
    assert list(search("فورد", language="ar")[:5]) == [article]
