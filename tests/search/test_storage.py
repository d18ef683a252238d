"""How each database stores the index (vendor-specific by nature)."""

import importlib
import json
import time
from datetime import UTC, timedelta

import pytest
from django.db import connection

from articles.models import ArticleSearch
from articles.search.index import PAIR_FIELDS, pair_column, phrase_bucket, search_columns
from articles.text import analyze
from tests.caches import clear_cache

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the tsvector and GIN index exist on PostgreSQL only"
)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the FTS5 table exists on SQLite only"
)


def _as_before_migration_0020(cursor):
    """The search table as migrations 0015 to 0019 knew it, for their tests: one column of
    every pair bucket, indexed in parts (migration 0020 backwards, beside today's columns)."""
    by_range = importlib.import_module("articles.migrations.0020_h20_pairs_by_range")
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks: ALTER may run
    cursor.execute(
        "ALTER TABLE articles_articlesearch ADD COLUMN phrases integer[] NOT NULL DEFAULT '{}'"
    )
    cursor.execute("ALTER TABLE articles_articlesearch ALTER COLUMN phrases DROP DEFAULT")
    with connection.schema_editor() as editor:
        by_range.join_pairs(None, editor)


@postgres_only
def test_postgres_document_is_a_weighted_tsvector_with_gin_indexes(make_article):
    article = make_article(
        title_ar="مجلس الوزراء", summary_ar="الموازنة", body_ar="<p>المرأة والأمن</p>"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT document::text, {', '.join(PAIR_FIELDS)} FROM articles_articlesearch "
            "WHERE article_id = %s",
            [article.pk],
        )
        document, *columns = cursor.fetchone()
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'articles_articlesearch' "
            "AND indexdef LIKE '%%USING gin%%' ORDER BY indexname"
        )
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'articles_articlesearch'")
        options = cursor.fetchone()[0]
    assert "'مجلس':1A" in document and "'مواز':3B" in document and "'امن':5C" in document
    bucket = phrase_bucket("مجلس", "زراء")
    assert bucket in columns[pair_column(bucket)]
    # Each column holds its range's buckets, in order: the eighth of 2 ** 24 from its start.
    assert all(b >> 21 == c for c, column in enumerate(columns) for b in column)
    assert all(column == sorted(column) for column in columns)
    assert indexes == ["search_document_gin", *(f"search_{field}_gin" for field in PAIR_FIELDS)]
    assert "toast_tuple_target=128" in options  # the pairs are kept out of the narrow row


@postgres_only
def test_postgres_document_holds_each_key_once_with_its_positions_and_weights(db):
    """The document is written an entry per occurrence; PostgreSQL keeps each key once, its
    positions sorted, at most 256, a position given twice with its highest weight, and the
    words past the largest position (16,383) at that one."""
    fields = {
        "title": analyze("الوزير فيسبوك"),  # keys with their whole keys (وزير, فيسب)
        "summary": analyze("لوزير الوزير مسؤول"),  # variants at weight D (زير, وزير, مسءول)
        "body": analyze(" ".join(["التقرير"] * 300)),
    }
    document, _phrases = search_columns(fields)
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::tsvector::text", [document])
        stored = cursor.fetchone()[0]
    reports = ",".join(f"{position}C" for position in range(6, 6 + 256))
    assert stored == (
        f"'تقرير':{reports} 'زير':1A,3,4B 'فيسب':2A 'لوزير':3B 'مسءول':5 'مسوول':5B "
        "'وزير':1A,3,4B 'يسب':2A"
    )
    words = analyze("مجلس الوزراء") * 9000  # 18,000 words: 1,617 past the largest position
    document, _phrases = search_columns({"title": [], "summary": [], "body": words})
    assert document.count("':16383C") == 3  # مجلس, زراء and its whole وزراء, once each
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT positions FROM unnest(%s::tsvector) WHERE lexeme = 'زراء'", [document]
        )
        assert cursor.fetchone()[0] == list(range(2, 514, 2))  # its first 256


@postgres_only
def test_postgres_pairs_are_kept_as_buckets_and_the_migrations_make_the_same(make_article):
    """A word pair is one of PAIR_BUCKETS keys (a long-tailed vocabulary would make nearly
    every pair a key of its own): migration 0015 rewrote stored pairs as bucket keys with
    the same function in SQL, and 0016 those keys as an array of integers (and back). The
    test's transaction undoes the changes of the table."""
    to_buckets = importlib.import_module("articles.migrations.0015_h20_pair_buckets")
    to_array = importlib.import_module("articles.migrations.0016_h20_pair_bucket_array")
    pairs = [("مجلس", "زراء"), ("فيس", "بوك"), ("95", "مرشح"), ("council", "minist")]
    article = make_article(title_ar="مجلس الوزراء")
    stored = "SELECT phrases::text FROM articles_articlesearch WHERE article_id = %s"
    with connection.cursor() as cursor:
        _as_before_migration_0020(cursor)
        with connection.schema_editor() as editor:
            to_array.array_to_keys(None, editor)
        cursor.execute(stored, [article.pk])
        assert f"'_{phrase_bucket('مجلس', 'زراء'):x}'" in cursor.fetchone()[0].split()
        cursor.execute(
            "UPDATE articles_articlesearch SET phrases = %s WHERE article_id = %s",
            [" ".join(f"'_{first}_{second}'" for first, second in pairs), article.pk],
        )
        with connection.schema_editor() as editor:
            to_buckets.pairs_to_buckets(None, editor)
            to_array.keys_to_array(None, editor)
        cursor.execute(stored, [article.pk])
        rewritten = cursor.fetchone()[0]
    buckets = sorted(phrase_bucket(first, second) for first, second in pairs)
    assert rewritten == "{" + ",".join(map(str, buckets)) + "}"


@postgres_only
@pytest.mark.parametrize("plan", ["lookups", "sets", "newest"])
def test_postgres_a_phrase_found_through_its_bucket_is_confirmed_by_its_words(
    make_article, monkeypatch, plan
):
    """With every pair in one bucket, each row with a pair is a candidate for every phrase:
    only the rows with the phrase's words in a row are found, whichever form the query
    takes (the few rows of phrases tested, the lookups as sets, among the newest rows)."""
    from django.utils import timezone

    from articles.search import postgres, search

    monkeypatch.setattr("articles.search.index.BUCKET_MASK", 0)  # one bucket
    if plan == "sets":
        monkeypatch.setattr(postgres, "FEW_ROWS", -1)
    elif plan == "newest":  # looked up among the newest rows first (here: all of them)
        looked_up = postgres._newest_matches
        monkeypatch.setattr(postgres, "WINDOW_MARGIN", 0)
        monkeypatch.setattr(
            postgres, "newest_moment", lambda *args: timezone.now() - timedelta(days=2)
        )
        narrowed = []

        def compared(*args):
            *same, within = args
            whole = looked_up(*same, ("", []))
            if within[0]:  # among the newest rows
                narrowed.append(looked_up(*args) == whole)
            return whole

        monkeypatch.setattr(postgres, "_newest_matches", compared)
    council = make_article(title_ar="اجتماع مجلس الوزراء", body_ar="<p>قرارات جديدة.</p>")
    make_article(title_ar="مجلس المحافظة", body_ar="<p>استقبل الوزراء.</p>")
    make_article(title_ar="الوزراء في مجلس", body_ar="<p>جلسة مسائية.</p>")
    apart = make_article(title_ar="فيس بوك تغلق حسابات", body_ar="<p>قالت الشركة.</p>")
    make_article(title_ar="بوك فيس مقلوبة", body_ar="<p>نص آخر.</p>")

    def found(query):
        return set(search(query, language="ar")[:50])

    assert found('"مجلس الوزراء"') == {council}
    assert found('"مجلس الوزراء" قرارات') == {council}
    assert found("فيسبوك") == {apart}
    assert found('"فيس بوك" أو "مجلس الوزراء"') == {council, apart}
    assert search('"مجلس الوزراء"', language="ar").total == 1
    if plan == "newest":  # among the newest rows (every row here), each found the same
        assert narrowed and all(narrowed)


@sqlite_only
def test_sqlite_fts_rows_follow_the_search_rows(make_article):
    article = make_article(title_ar="مجلس الوزراء", body_ar="<p>لمجلس المحافظة</p>")
    row = ArticleSearch.objects.get(article=article)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT title, body, variants, wholes FROM articles_search_fts WHERE rowid = %s",
            [row.pk],
        )
        # لمجلس is also مجلس (a variant); الوزراء also وزراء, its و put back (a whole key).
        assert cursor.fetchone() == ("مجلس زراء", "لمجلس محافظ", "مجلس", "وزراء")
        article.delete()
        cursor.execute("SELECT count(*) FROM articles_search_fts WHERE rowid = %s", [row.pk])
        assert cursor.fetchone()[0] == 0


MANY_LOOKUP_QUERIES = [
    "الشباب المسرح",  # two words, each also half of a pair written together
    "فيس بوك الشركة",
    '"مجلس الوزراء" أو الحكومة',
    '"مجلس الوزراء" الموازنة',
    "المسرح أو السينما الشباب",
]


@postgres_only
@pytest.mark.parametrize("few_rows", [200, -1])  # -1: always the set form
@pytest.mark.parametrize("newest", [False, True])
def test_postgres_match_rows_are_the_rows_the_condition_matches(
    make_article, few_rows, newest, monkeypatch
):
    """Both forms of a query of several lookups (every clause's words in one lookup plus
    the few rows holding a phrase, tested; or each GIN lookup alone, joined by UNION and
    INTERSECT) find exactly what its WHERE condition finds, among all rows or the newest."""
    from django.utils import timezone

    from articles.search import parse_query
    from articles.search.postgres import PUBLISHED_DAY, TABLE, match, match_rows

    monkeypatch.setattr("articles.search.postgres.FEW_ROWS", few_rows)
    now = timezone.now()
    within = (f" AND {PUBLISHED_DAY} >= %s", [now - timedelta(days=5)]) if newest else ("", [])

    texts = [
        ("مهرجان الشباب المسرح", "عرض جديد"),
        ("الشباب في المسرح", ""),
        ("المسرح وحده", ""),
        ("فيسبوك تغلق حسابات", "قالت الشركة"),
        ("فيس بوك والشركة", ""),
        ("مجلس الوزراء يقر الموازنة", ""),
        ("الحكومة تجتمع", ""),
        ("السينما والشباب", ""),
    ]
    for age, (title, summary) in enumerate(texts * 2):  # each text new and ten days old
        make_article(
            title_ar=title,
            summary_ar=summary,
            body_ar=f"<p>{title}</p>",
            published_at=now - timedelta(days=10 * (age // len(texts))),
        )
    with connection.cursor() as cursor:
        for query in MANY_LOOKUP_QUERIES:
            parsed = parse_query(query)
            condition, params = match(parsed)
            cursor.execute(
                f"SELECT id FROM {TABLE} WHERE {condition}{within[0]}", params + within[1]
            )
            expected = {row[0] for row in cursor.fetchall()}
            statement, params, _exact = match_rows(cursor, parsed, "id", within)
            cursor.execute(statement, params)
            found = [row[0] for row in cursor.fetchall()]
            assert expected, query
            assert sorted(found) == sorted(expected), query
        if newest:  # the window left the older half out
            cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE true{within[0]}", within[1])
            assert cursor.fetchone()[0] == len(texts)


@postgres_only
@pytest.mark.parametrize("few_rows", [200, -1])  # -1: always the set form
def test_postgres_match_rows_test_vectors_only_of_rows_a_phrase_found(
    make_article, few_rows, monkeypatch
):
    """Each lookup of a query with several is an index condition alone: a row's vector
    (which would be read whole, from TOAST) is tested only for the few rows the lookup of
    phrases found, never for rows a lookup of words found."""
    from articles.search import parse_query
    from articles.search.postgres import match_rows

    monkeypatch.setattr("articles.search.postgres.FEW_ROWS", few_rows)
    make_article(title_ar="مجلس الوزراء يقر الموازنة")

    def found_by(node):
        conditions = node.get("Recheck Cond", "") + node.get("Index Cond", "")
        return conditions + "".join(found_by(child) for child in node.get("Plans", ()))

    def tested(node):
        """For each node testing rows against the query: whether a lookup of words alone
        found them."""
        here = ["phrases" not in found_by(node)] if "@@" in node.get("Filter", "") else []
        return here + [t for child in node.get("Plans", ()) for t in tested(child)]

    for query in MANY_LOOKUP_QUERIES:
        with connection.cursor() as cursor:
            statement, params, _exact = match_rows(cursor, parse_query(query), "id")
            assert " INTERSECT " in statement or " UNION " in statement
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN (FORMAT JSON) " + statement, params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        assert not any(tested(plan[0]["Plan"])), plan
        if few_rows < 0:
            assert not tested(plan[0]["Plan"]), plan


def test_the_newest_rows_are_looked_up_first_only_when_it_costs_less():
    """The newest rows looked up first hold about twice the matches needed (as the
    estimate spreads them over time) and each of their rows costs too: they are looked up
    first when that costs less than half of looking up every match (else a lookup of all
    may follow for little gain)."""
    from datetime import datetime

    from articles.search.postgres import newest_moment

    bounds = [datetime(2000 + year, 1, 1, tzinfo=UTC) for year in range(21)]  # 5 % a year
    now = datetime(2030, 1, 1, tzinfo=UTC)

    def newest(rows, admitted, bounds=bounds, now=now):
        return newest_moment(rows, bounds, admitted, 2002, now)

    # 5 % of the rows hold 2,000 matches: the newest 5 %, from the start of their first day
    assert newest(1_000_000, 40_000) == datetime(2018, 12, 31, tzinfo=UTC)
    assert newest(1_000_000, 400_000) == datetime(2019, 11, 25, tzinfo=UTC)  # 0.5 %
    assert newest(1_000_000, 10_000) is None  # 200,000 rows for 2,000 matches: not cheaper
    assert newest(100_000, 10_000) == datetime(2015, 12, 30, tzinfo=UTC)  # 20 %
    assert newest(100_000, 5_000) is None  # 40 % of the rows: not half as costly
    assert newest(10_000, 3_000) is None  # two thirds
    assert newest(1_000_000, 400_000, bounds=None) is None  # never analysed
    assert newest(-1, 400_000) is None
    # A scheduled article lies beyond the last bound: no row is admitted after now, so the
    # last share of the rows lies between the bound before and now.
    assert newest(1_000_000, 400_000, now=datetime(2019, 7, 1, tzinfo=UTC)) == datetime(
        2019, 6, 12, tzinfo=UTC
    )


@postgres_only
def test_postgres_newest_rows_are_told_by_the_statistics_of_publication_times(make_article):
    """The bound comes from the histogram of publication times that ANALYZE keeps."""
    from django.utils import timezone

    from articles.search.postgres import TABLE, _publication_times, newest_moment

    now = timezone.now()
    for day in range(40):
        make_article(title_ar=f"خبر {day}", published_at=now - timedelta(days=day))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")
        rows, bounds = _publication_times(cursor)
    assert rows == 40 and len(bounds) == 40
    bound = newest_moment(rows, bounds, 40, 4, now)  # 4 matches wanted of the 40 that match
    assert bound.hour == bound.minute == bound.second == bound.microsecond == 0
    assert now - timedelta(days=5) <= bound <= now - timedelta(days=3)
    assert newest_moment(rows, bounds, 6, 4, now) is None  # two thirds of the rows


@postgres_only
def test_postgres_statistics_of_publication_times_are_read_once_a_minute(
    make_article, django_assert_num_queries, monkeypatch
):
    """The process keeps them (the pg_stats view costs about as much as a lookup among the
    newest rows), for a minute: they change only when the table is analysed."""
    from django.utils import timezone

    from articles.search.postgres import TABLE, _publication_times

    now = timezone.now()
    for day in range(3):
        make_article(title_ar=f"خبر {day}", published_at=now - timedelta(days=day))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")
    with django_assert_num_queries(1), connection.cursor() as cursor:
        first = _publication_times(cursor)
        assert _publication_times(cursor) == first and first[0] == 3
    make_article(title_ar="خبر آخر", published_at=now)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")
        assert _publication_times(cursor) == first  # within the minute
        monotonic = time.monotonic()
        monkeypatch.setattr(time, "monotonic", lambda: monotonic + 61)
        assert _publication_times(cursor)[0] == 4


@postgres_only
def test_postgres_words_index_leads_with_day_and_section_and_the_migration_makes_it(
    make_article,
):
    """A lookup among the newest rows of a section is one scan of the words' index (its
    first columns the day of publication and the section): migration 0017 makes that
    index and keeps more word frequencies, and back 0003's index and the defaults."""
    from django.utils import timezone

    from articles.search.postgres import GIN_INDEXES, MATCH_TEST_COST, PUBLISHED_DAY, TABLE

    by_day = importlib.import_module("articles.migrations.0017_h20_words_index_by_day_section")
    article = make_article(title_ar="الكهرباء")

    def definition():
        """The words' index, and the statistics targets of the words and the pairs."""
        cursor.execute(
            "SELECT pg_get_indexdef('search_document_gin'::regclass), array_agg(attstattarget "
            "ORDER BY attname) FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname IN ('document', 'phrases')",
            [TABLE],
        )
        return cursor.fetchone()

    with connection.cursor() as cursor:
        _as_before_migration_0020(cursor)
        made, targets = definition()
        assert "USING gin (date_bin('1 day'::interval, published_at" in made
        assert made.endswith("section_id, document)") and targets == [1000, 1000]
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"SET LOCAL cpu_operator_cost = {MATCH_TEST_COST}")  # as ranked() does
        # A table of one row may as well be read through the section's b-tree: without it,
        # is the words' index the one scan that answers the condition?
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s "
            "AND indexdef LIKE '%%btree (section_id)'",
            [TABLE],
        )
        cursor.execute(f"DROP INDEX {cursor.fetchone()[0]}")
        cursor.execute(
            f"EXPLAIN (FORMAT JSON) SELECT id FROM {TABLE} WHERE document @@ 'كهرباء' "
            f"AND {PUBLISHED_DAY} >= %s AND section_id = %s::bigint",
            [timezone.now() - timedelta(days=1), article.section_id],
        )
        plan = cursor.fetchone()[0]
        plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
        scan = plan["Plans"][0] if "Plans" in plan else plan  # a bitmap heap scan's index
        assert scan["Index Name"] == "search_document_gin"
        assert "date_bin" in scan["Index Cond"] and "section_id" in scan["Index Cond"]
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks: indexes may build
        with connection.schema_editor() as editor:
            by_day.index_words_alone(None, editor)
            alone, defaults = definition()
            assert alone.endswith("USING gin (document)") and defaults in ([-1, -1], [None, None])
            by_day.index_words_by_day(None, editor)
        assert definition() == (made, targets)
        cursor.execute(GIN_INDEXES["search_document_gin"].replace("search_document_gin", "copy"))
        cursor.execute("SELECT pg_get_indexdef('copy'::regclass)")
        assert cursor.fetchone()[0] == made.replace("search_document_gin", "copy")


def _index_names(node) -> set[str]:
    here = {node["Index Name"]} if "Index Name" in node else set()
    return here.union(*(_index_names(child) for child in node.get("Plans", ())))


@postgres_only
def test_postgres_a_phrase_s_buckets_are_looked_up_each_in_its_range_s_index(make_article):
    """A row's pair buckets are split by range over eight columns, each with its GIN index
    (a large load builds them two at a time, each faster for its fewer keys): a phrase's
    buckets are each looked up in their column's index, and the planner estimates a lookup
    from that column's statistics, since where a search looks depends on it."""
    from articles.search.postgres import TABLE, _plan, lookup_sql

    article = make_article(title_ar="مقال")
    first, last = 5, (7 << 21) + 5  # in the first column and in the last
    condition, params = lookup_sql("phrases", [[last, first], [first]])
    assert condition == (
        f"(({TABLE}.phrases_0 @> %s::int[] AND {TABLE}.phrases_7 @> %s::int[]) "
        f"OR ({TABLE}.phrases_0 @> %s::int[]))"
    )
    assert params == [[first], [last], [first]]
    with connection.cursor() as cursor:
        # 1,000 rows (one per made-up language): two in ten with the first bucket, one in
        # ten of them with the last too.
        cursor.execute(
            f"INSERT INTO {TABLE} (article_id, language, section_id, status, document, "
            f"{', '.join(PAIR_FIELDS)}) SELECT a.id, 'x' || n, a.section_id, 'published', '', "
            "CASE WHEN n %% 10 < 2 THEN %s ELSE '{1}' END::int[], "
            + "'{}', "
            * 6
            + "CASE WHEN n %% 10 = 0 THEN %s ELSE '{}' END::int[] "
            "FROM articles_article AS a, generate_series(1, 1000) AS n WHERE a.id = %s",
            [[first], [last], article.pk],
        )
        cursor.execute(f"ANALYZE {TABLE}")
        found = {}
        lookups = {"both": [[first, last]], "first": [[first]], "last": [[last]]}
        for name, phrases in lookups.items():
            condition, params = lookup_sql("phrases", phrases)
            cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE {condition}", params)
            found[name] = (cursor.fetchone()[0], _plan(cursor, condition, params)["Plan Rows"])
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = _plan(cursor, *lookup_sql("phrases", [[first, last]]))
    assert [count for count, _estimate in found.values()] == [100, 200, 100]
    assert 100 <= found["first"][1] <= 400 and 50 <= found["last"][1] <= 200
    assert _index_names(plan) <= {"search_phrases_0_gin", "search_phrases_7_gin"}
    assert _index_names(plan)


@postgres_only
def test_postgres_migration_0020_splits_the_pairs_by_range_and_back_joins_them(make_article):
    """Migration 0020 writes each row's buckets into the column of their range (as the live
    index writes them), builds each column's index (again when a concurrent build cut short
    left it invalid) and drops migration 0018's indexes in parts and their statistics;
    back, one column of every bucket in order, indexed in parts again."""
    from articles.search.postgres import GIN_INDEXES, PAIR_STATISTICS_TARGET, TABLE

    by_range = importlib.import_module("articles.migrations.0020_h20_pairs_by_range")
    make_article(title_ar="مجلس الوزراء", body_ar="<p>فيس بوك و٩٥مرشحاً في عبد الله</p>")
    make_article(title_ar="Council of ministers", body_ar="<p>الموازنة العامة للدولة</p>")
    fields = ", ".join(PAIR_FIELDS)

    def rows():
        cursor.execute(f"SELECT article_id, language, {fields} FROM {TABLE} ORDER BY 1, 2")
        return cursor.fetchall()

    def state():
        """The pairs' indexes, whether each is valid, and the table's extended statistics."""
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid), indisvalid "
            "FROM pg_index WHERE indrelid = %s::regclass "
            "AND indexrelid::regclass::text LIKE 'search_phrases%%' ORDER BY 1",
            [TABLE],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT stxname FROM pg_statistic_ext WHERE stxrelid = %s::regclass", [TABLE]
        )
        return indexes, [row[0] for row in cursor.fetchall()]

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks: indexes may build
        written, made = rows(), state()
        assert [name for name, _definition, _valid in made[0]] == sorted(
            f"search_{field}_gin" for field in PAIR_FIELDS
        )
        assert all(valid for _name, _definition, valid in made[0]) and made[1] == []
        for name, definition, _valid in made[0]:  # as a load builds them again
            cursor.execute(GIN_INDEXES[name].replace(name, "copy"))
            cursor.execute("SELECT pg_get_indexdef('copy'::regclass)")
            assert cursor.fetchone()[0] == definition.replace(name, "copy")
            cursor.execute("DROP INDEX copy")
        _as_before_migration_0020(cursor)  # back
        cursor.execute(f"SELECT phrases FROM {TABLE} ORDER BY article_id, language")
        joined = [row[0] for row in cursor.fetchall()]
        assert joined == [[b for column in row[2:] for b in column] for row in written]
        assert all(buckets == sorted(buckets) and buckets for buckets in joined)
        parts = [f"search_phrases_gin_{part}" for part in range(3)]
        assert [name for name, _definition, _valid in state()[0]] == sorted(
            [*parts, *(name for name, _definition, _valid in made[0])]
        )
        assert state()[1] == ["search_pair_part"]
        # Forward from the state before: the columns as added (empty), without indexes.
        cursor.execute(f"UPDATE {TABLE} SET " + ", ".join(f"{f} = '{{}}'" for f in PAIR_FIELDS))
        for name, _definition, _valid in made[0]:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:  # one left invalid (only a superuser may mark it)
            cursor.execute(GIN_INDEXES["search_phrases_3_gin"])
            cursor.execute(
                "UPDATE pg_index SET indisvalid = false "
                "WHERE indexrelid = 'search_phrases_3_gin'::regclass"
            )
        with connection.schema_editor() as editor:
            by_range.split_pairs(None, editor)
        assert rows() == written
        assert state() == made
        cursor.execute(
            "SELECT DISTINCT attstattarget FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname = ANY(%s)",
            [TABLE, list(PAIR_FIELDS)],
        )
        assert cursor.fetchall() == [(PAIR_STATISTICS_TARGET,)]  # as a load restores it


@postgres_only
def test_postgres_ranks_the_newest_matches_only(make_article, monkeypatch):
    """Ranking reads each match's whole vector: only the newest RANKED are ranked by
    relevance, the others follow them, newest first; every match stays reachable."""
    from django.utils import timezone

    from articles.search import search

    now = timezone.now()
    in_body = [
        make_article(
            title_ar=f"خبر {n}", body_ar="<p>الكهرباء</p>", published_at=now - timedelta(hours=n)
        )
        for n in (1, 2, 3)
    ]
    in_title = make_article(title_ar="الكهرباء تعود", published_at=now - timedelta(hours=4))

    def found():
        return [article.pk for article in search("الكهرباء", language="ar")[:10]]

    assert found()[0] == in_title.pk  # the title outranks the body
    monkeypatch.setattr("articles.search.postgres.RANKED", 2)
    clear_cache()  # the ranking is kept
    assert found() == [in_body[0].pk, in_body[1].pk, in_body[2].pk, in_title.pk]


def test_a_plan_testing_vectors_outside_an_index_is_seen_in_any_node():
    """Such a plan is replaced by the set form of the query (`match_rows`)."""
    from articles.search.postgres import _tests_vectors

    bitmaps = {"Node Type": "Bitmap Heap Scan", "Recheck Cond": "(document @@ 'x'::tsquery)"}
    assert not _tests_vectors({"Node Type": "Aggregate", "Plans": [bitmaps]})
    filtered = {**bitmaps, "Filter": "(document @@ 'y'::tsquery)"}
    assert _tests_vectors({"Node Type": "Aggregate", "Plans": [bitmaps, filtered]})
    assert not _tests_vectors({"Node Type": "Index Scan", "Filter": "(section_id = 2)"})


@sqlite_only
def test_sqlite_migration_0019_makes_the_fts_table_again_with_its_wholes_column(make_article):
    from types import SimpleNamespace

    from django.apps import apps

    from articles.search import search

    whole_keys = importlib.import_module("articles.migrations.0019_h20_whole_keys")
    article = make_article(title_ar="شركة فورد تفتتح وكالة جديدة")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE articles_search_fts")  # the table as migration 0003 made it
        cursor.execute(
            "CREATE VIRTUAL TABLE articles_search_fts USING fts5("
            "title, summary, body, variants, tokenize = 'unicode61 remove_diacritics 0')"
        )
        editor = SimpleNamespace(connection=connection, execute=cursor.execute)
        whole_keys.add_fts_wholes_column(apps, editor)
        whole_keys.reindex_articles(apps, editor)
        cursor.execute("SELECT title, wholes FROM articles_search_fts")
        assert cursor.fetchall() == [("شرك ورد تفتتح كال جديد", "فورد وكال")]
    clear_cache()
    assert list(search("فورد", language="ar")[:5]) == [article]
    article.delete()  # the delete trigger still follows the search rows
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM articles_search_fts")
        assert cursor.fetchone()[0] == 0


@postgres_only
def test_postgres_migration_0019_writes_rows_in_its_own_one_column_of_pairs(make_article):
    """Migration 0019 rewrites every search row with today's text pipeline but its own
    model, which keeps every bucket in one column (0020 splits it): the rows it writes have
    the buckets today's columns hold, in order, whether written with COPY or the ORM (and
    today's columns, which that model does not know, their database default: code older
    than migration 0020 still writes rows while it runs)."""
    from django.db.migrations.executor import MigrationExecutor

    from articles.models import Article
    from articles.search import index_rows

    articles = [
        make_article(title_ar="مجلس الوزراء", body_ar="<p>فيس بوك و٩٥مرشحاً</p>"),
        make_article(title_ar="الموازنة العامة", body_ar="<p>عبد الله في الوزارة</p>"),
    ]
    state = MigrationExecutor(connection).loader.project_state(("articles", "0019_h20_whole_keys"))
    model = state.apps.get_model("articles", "ArticleSearch")
    query = f"SELECT article_id, phrases FROM {ArticleSearch._meta.db_table} ORDER BY 1, 2"
    with connection.cursor() as cursor:
        _as_before_migration_0020(cursor)  # the column, with every row's buckets
        cursor.execute(query)
        joined = cursor.fetchall()
        for written in ([a.pk for a in articles], [articles[0].pk]):  # COPY, then the ORM
            cursor.execute("UPDATE articles_articlesearch SET phrases = '{}'")
            index_rows(Article.objects.filter(pk__in=written), model=model)
            cursor.execute(query)
            rows = [row for row in cursor.fetchall() if row[0] in written]
            assert rows == [row for row in joined if row[0] in written]
    assert all(len(buckets) >= 3 for _id, buckets in joined)
