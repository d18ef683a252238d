"""How each database stores the index (vendor-specific by nature)."""

import importlib
import json
from datetime import timedelta

import pytest
from django.db import connection

from articles.models import ArticleSearch
from articles.search.index import phrase_bucket
from tests.caches import clear_cache

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the tsvector and GIN index exist on PostgreSQL only"
)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the FTS5 table exists on SQLite only"
)


@postgres_only
def test_postgres_document_is_a_weighted_tsvector_with_gin_indexes(make_article):
    article = make_article(
        title_ar="مجلس الوزراء", summary_ar="الموازنة", body_ar="<p>المرأة والأمن</p>"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT document::text, phrases FROM articles_articlesearch WHERE article_id = %s",
            [article.pk],
        )
        document, phrases = cursor.fetchone()
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'articles_articlesearch' "
            "AND indexdef LIKE '%%USING gin%%' ORDER BY indexname"
        )
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'articles_articlesearch'")
        options = cursor.fetchone()[0]
    assert "'مجلس':1A" in document and "'مواز':3B" in document and "'امن':5C" in document
    assert phrase_bucket("مجلس", "زراء") in phrases and phrases == sorted(phrases)
    assert indexes == ["search_document_gin", "search_phrases_gin"]
    assert "toast_tuple_target=128" in options  # the pairs are kept out of the narrow row


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
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks: ALTER may run
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
@pytest.mark.parametrize("plan", ["lookups", "sets", "dates"])
def test_postgres_a_phrase_found_through_its_bucket_is_confirmed_by_its_words(
    make_article, monkeypatch, plan
):
    """With every pair in one bucket, each row with a pair is a candidate for every phrase:
    only the rows with the phrase's words in a row are found, whichever form the query
    takes (the few rows of phrases tested, the lookups as sets, a walk of the date index)."""
    from articles.search import search

    monkeypatch.setattr("articles.search.index.BUCKET_MASK", 0)  # one bucket
    if plan == "sets":
        monkeypatch.setattr("articles.search.postgres.FEW_ROWS", -1)
    elif plan == "dates":
        monkeypatch.setattr("articles.search.postgres.DENSE_MATCHES", -1)
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


@sqlite_only
def test_sqlite_fts_rows_follow_the_search_rows(make_article):
    article = make_article(title_ar="مجلس الوزراء", body_ar="<p>لمجلس المحافظة</p>")
    row = ArticleSearch.objects.get(article=article)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT title, body, variants FROM articles_search_fts WHERE rowid = %s", [row.pk]
        )
        assert cursor.fetchone() == ("مجلس زراء", "لمجلس محافظ", "مجلس")
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
def test_postgres_match_rows_are_the_rows_the_condition_matches(
    make_article, few_rows, monkeypatch
):
    """Both forms of a query of several lookups (every clause's words in one lookup plus
    the few rows holding a phrase, tested; or each GIN lookup alone, joined by UNION and
    INTERSECT) find exactly what its WHERE condition finds."""
    from articles.search import parse_query
    from articles.search.postgres import TABLE, match, match_rows

    monkeypatch.setattr("articles.search.postgres.FEW_ROWS", few_rows)

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
    for title, summary in texts:
        make_article(title_ar=title, summary_ar=summary, body_ar=f"<p>{title}</p>")
    with connection.cursor() as cursor:
        for query in MANY_LOOKUP_QUERIES:
            parsed = parse_query(query)
            condition, params = match(parsed)
            cursor.execute(f"SELECT id FROM {TABLE} WHERE {condition}", params)
            expected = {row[0] for row in cursor.fetchall()}
            statement, params, _exact = match_rows(cursor, parsed, "id")
            cursor.execute(statement, params)
            found = [row[0] for row in cursor.fetchall()]
            assert expected, query
            assert sorted(found) == sorted(expected), query


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


@postgres_only
def test_postgres_walks_the_date_index_only_when_it_costs_less(make_article):
    """The walk tests each row it passes (reading its vector), the lookup handles every
    match: the walk is chosen for words in a large share of a large archive (as measured
    fastest at a million articles), less often when a filter leaves most rows out, never
    for a small table."""
    from articles.search.postgres import _walking_dates_is_cheaper

    class Stats:
        def __init__(self, rows):
            self.row = (rows,)

        def execute(self, sql, params=None):
            assert "pg_class" in sql

        def fetchone(self):
            return self.row

    def walks(rows, matches, admitted=None):
        admitted = matches if admitted is None else admitted
        return _walking_dates_is_cheaper(Stats(rows), matches, admitted, 1000)

    assert not walks(10_000, 9_000)  # every match of a small table
    assert not walks(1_000_000, 30_000)  # two common words: 59 ms, 537 walking
    assert not walks(1_000_000, 120_000)  # 114 ms, 157 walking
    assert walks(1_000_000, 150_000)  # 146 ms, 82 walking
    assert walks(1_000_000, 300_000)  # 253 ms, 31 walking
    assert not walks(1_000_000, 120_000, 19_000)  # in one section: 97 ms, 235 walking
    assert walks(1_000_000, 500_000, 100_000)  # in one section: 210 ms, 82 walking
    assert walks(-1, 50_000)  # never analysed


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
