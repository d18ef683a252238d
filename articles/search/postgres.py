"""The PostgreSQL backend: GIN lookups on the search rows' words and word pairs.

`where` is the SQL of the rows a reader may see (compiled from the QuerySet, see
results.py); it names the table `articles_articlesearch`, so every statement here reads the
table, or a CTE, under that name.
"""

import json
from datetime import UTC

from articles.search.index import PAIR_FIELDS, pair_column, phrase_bucket, quote_lexeme
from articles.search.query import ParsedQuery, Phrase
from newsroom.cache import process_memo

TABLE = "articles_articlesearch"
MATCH_TEST_COST = 0.5  # cpu_operator_cost while ranking (PostgreSQL's default: 0.0025)
# The words' GIN index leads with each row's day of publication and section (btree_gin
# columns), so that one lookup finds a word's matches among the newest rows, or in one
# section, only: not every match of a common word (migration 0017).
PUBLISHED_DAY = "date_bin('1 day', published_at, TIMESTAMPTZ '2000-01-01 00:00+00')"
# The pairs' buckets are split by range over PAIR_FIELDS, each with an index (see
# `articles.search.index.PAIR_COLUMNS`): a large load builds them two at a time, and a
# bucket is looked up in its range's index alone.
GIN_INDEXES = {
    "search_document_gin": f"CREATE INDEX search_document_gin ON {TABLE} "
    f"USING gin (({PUBLISHED_DAY}), section_id, document)",
    **{
        f"search_{field}_gin": f"CREATE INDEX search_{field}_gin ON {TABLE} USING gin ({field})"
        for field in PAIR_FIELDS
    },
}
# ANALYZE keeps the frequencies of ten times this many buckets of each pairs' column (10,000
# in all, as of the one column before them; migration 0020 sets it).
PAIR_STATISTICS_TARGET = 1000 // len(PAIR_FIELDS)
# ANALYZE of the search table, in one transaction: its pairs' columns apart, over the 37,500
# rows their target asks for. With the words' (whose target samples 300,000 rows) they would
# be read from all of those rows: at a million articles 63.5 s for the table, against 30.7.
ANALYZE_SEARCH = (
    f"ALTER TABLE {TABLE} {', '.join(f'ALTER {f} SET STATISTICS 0' for f in PAIR_FIELDS)}; "
    f"ANALYZE {TABLE}; "
    f"ALTER TABLE {TABLE} "
    + ", ".join(f"ALTER {f} SET STATISTICS {PAIR_STATISTICS_TARGET}" for f in PAIR_FIELDS)
    + f"; ANALYZE {TABLE} ({', '.join(PAIR_FIELDS)})"
)
# The newest rows looked up first hold about this many times the matches needed...
WINDOW_MARGIN = 2
# ...and each row of them costs this share of a match found, kept and counted (the index
# reads a day's entries whole). Measured at a million articles whose ids follow their
# times, as an archive grows: about 50 ns a row against about 4 µs a match (with times
# scattered over the table, about 500 ns against 3 to 5 µs).
WINDOW_ROW_COST = 0.02
# Rows a statement may test against the query outside the indexes (reading their vectors).
FEW_ROWS = 200
# Matches ranked by relevance, the newest (ranking reads each one's vector: 1,000 took 30 to
# 150 ms); those after them, up to RANK_CAP, follow newest first. Ten pages of results.
RANKED = 200
# How long a process keeps the statistics of publication times.
STATISTICS_SECONDS = 60


def lookups(parsed: ParsedQuery) -> list[list[tuple[str, str | list, str | None]]]:
    """The query as an AND of ORs of (column, query, check) GIN lookups: words (a tsquery)
    against `document` (check None), phrases (a list of the buckets of each one's pairs)
    against the pairs' columns, with `check` the phrases as words in a row, which confirms
    a row found against its `document` (a bucket may hold other pairs). The clauses of
    words alone make one lookup (an AND inside its tsquery)."""

    def word_sql(item):
        if isinstance(item, Phrase):  # a quoted single word
            return quote_lexeme(item.keys[0])
        if item.prefix:
            return quote_lexeme(next(iter(item.alternatives))) + ":*"
        return "(" + " | ".join(quote_lexeme(a) for a in sorted(item.alternatives)) + ")"

    def buckets(item):
        return [phrase_bucket(a, b) for a, b in zip(item.keys, item.keys[1:], strict=False)]

    def words_in_a_row(item):
        return "(" + " <-> ".join(quote_lexeme(key) for key in item.keys) + ")"

    word_only, clauses = [], []
    for clause in parsed.clauses:
        words = [i for i in clause if not _is_phrase(i)]
        phrases = [i for i in clause if _is_phrase(i)]
        if not phrases:
            word_only.append("(" + " | ".join(map(word_sql, words)) + ")")
            continue
        either = [("document", " | ".join(map(word_sql, words)), None)] if words else []
        either.append(
            ("phrases", list(map(buckets, phrases)), " | ".join(map(words_in_a_row, phrases)))
        )
        clauses.append(either)
    if word_only:
        clauses.insert(0, [("document", " & ".join(word_only), None)])
    return clauses


def lookup_sql(column: str, query) -> tuple[str, list]:
    """The condition of one GIN lookup and its parameters: a tsquery against `document`, or
    phrases against the pairs' columns (a row has a phrase when it has all of its buckets,
    each in its range's column)."""
    if column == "document":
        return f"{TABLE}.document @@ %s::tsquery", [query]
    tests, params = [], []
    for buckets in query:
        by_column = {}
        for bucket in sorted(set(buckets)):
            by_column.setdefault(pair_column(bucket), []).append(bucket)
        tests.append(
            "(" + " AND ".join(f"{TABLE}.{PAIR_FIELDS[c]} @> %s::int[]" for c in by_column) + ")"
        )
        params += by_column.values()
    return "(" + " OR ".join(tests) + ")", params


def _is_phrase(item) -> bool:
    """Whether a query item is looked up as word pairs (a quoted single word is a word)."""
    return isinstance(item, Phrase) and len(item.keys) > 1


def has_phrases(parsed: ParsedQuery) -> bool:
    """Whether the query's GIN lookups find candidates to confirm (see `lookups`)."""
    return any(map(_is_phrase, parsed.items()))


def match(parsed: ParsedQuery, *, exact: bool = False) -> tuple[str, list]:
    """The WHERE condition of `lookups()`: the GIN lookups alone (candidates), or `exact`,
    each phrase's lookup confirmed by its words in a row (which reads the row's vector)."""
    conditions, params = [], []
    for either in lookups(parsed):
        parts = []
        for column, query, check in either:
            sql, sql_params = lookup_sql(column, query)
            if exact and check:
                parts.append(f"({sql} AND {TABLE}.document @@ %s::tsquery)")
                params += [*sql_params, check]
            else:
                parts.append(sql)
                params += sql_params
        conditions.append(parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")")
    return " AND ".join(conditions), params


def match_rows(cursor, parsed: ParsedQuery, columns: str, within=("", [])):
    """The matching rows' `columns`, as a statement the GIN indexes answer alone, and
    whether they are exact (or candidates a phrase's bucket found, to confirm). `within`
    (" AND " a condition, its parameters) narrows every lookup.

    A query of words alone is one GIN lookup. A clause with a phrase (or with words a text
    may write together or apart) ORs a lookup in `document` with one of pairs: no one
    index scan answers such a condition, so the planner tests part of it on each row
    another part found, which reads that row's whole TOASTed vector (76,000 pages, 600 ms,
    for three common words at 100,000 articles).

    When every clause has words and the phrases of all clauses are in few rows (the usual
    case: a word written apart, فيس بوك, is rare), a row matches when it has the words of
    every clause (one GIN lookup) or is one of those few rows and matches (only they are
    tested). Otherwise each lookup is its own bitmap scan, which reads the narrow table
    only (at most its size per lookup), and the lookups are joined as sets: UNION for an
    OR, INTERSECT for the AND (the sets of common words are large: 115 ms for three at
    100,000 articles, against 20 ms for the one lookup). The few rows are tested exactly
    (their vectors are read anyway); the other forms give candidates when the query has
    phrases. The few rows are narrowed as they are tested (an index scan for `within`
    would read more rows than they are)."""
    narrow, narrow_params = within
    groups = lookups(parsed)
    exact = not has_phrases(parsed)
    if len(groups) == 1 and len(groups[0]) == 1:
        condition, params = match(parsed)
        return (
            f"SELECT {columns} FROM {TABLE} WHERE {condition}{narrow}",
            [*params, *narrow_params],
            exact,
        )
    words = [query for either in groups for column, query, _ in either if column == "document"]
    any_phrase, phrase_params = lookup_sql(
        "phrases",
        [buckets for either in groups for column, query, _ in either if column == "phrases"
         for buckets in query],
    )  # fmt: skip
    if len(words) == len(groups) and _few_rows(cursor, any_phrase, phrase_params):
        condition, params = match(parsed, exact=True)
        every_word = " & ".join(f"({w})" for w in words)
        # OFFSET 0: the condition is tested on the rows the phrases found, never pushed
        # down into a scan of rows that some words found. Those rows are read anyway, so
        # they also leave out what the words found: no set of matches is deduplicated.
        return (
            f"SELECT {columns} FROM {TABLE} WHERE {TABLE}.document @@ %s::tsquery{narrow} "
            f"UNION ALL SELECT {columns} FROM (SELECT * FROM {TABLE} WHERE {any_phrase} "
            f"OFFSET 0) AS {TABLE} WHERE {condition} AND NOT {TABLE}.document @@ %s::tsquery"
            f"{narrow}",
            [every_word, *narrow_params, *phrase_params, *params, every_word, *narrow_params],
            True,
        )
    sets, params = [], []
    for either in groups:
        conditions = [lookup_sql(column, query) for column, query, _check in either]
        sets.append(
            " UNION ".join(
                f"SELECT {columns} FROM {TABLE} WHERE {sql}{narrow}" for sql, _ in conditions
            )
        )
        params += [
            param for _sql, sql_params in conditions for param in [*sql_params, *narrow_params]
        ]
    if len(sets) == 1:
        return sets[0], params, exact
    return " INTERSECT ".join(f"({part})" for part in sets), params, exact


def _few_rows(cursor, condition, params) -> bool:
    """Whether at most FEW_ROWS rows meet `condition` (a bitmap scan that stops there: a
    fraction of a millisecond when none does)."""
    cursor.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {condition} LIMIT %s) found",
        [*params, FEW_ROWS + 1],
    )
    return cursor.fetchone()[0] <= FEW_ROWS


def rank_tsquery(parsed: ParsedQuery) -> str:
    words = [quote_lexeme(key) for key in sorted(parsed.exact_keys())]
    words += [quote_lexeme(p) + ":*" for p in parsed.prefixes()]
    return " | ".join(words)


def ranked(
    cursor, parsed, where, params, *, section, now, week_seconds, cap
) -> tuple[int, list[int]]:
    """(number of matches, counted up to `cap` + 1 at least when many match; the article
    ids of the newest `cap` matches: the newest RANKED best first, the others newest
    first), of the rows `where` admits in `section` (an id, or None for all), after planner
    estimates. Each lookup keeps to the section (it is a column of the words' index).

    A query that many rows match is looked up first among the newest rows that should hold
    a few times `cap` of its matches (its GIN lookup then reads no older match): when they
    hold more than `cap`, the newest `cap` are among them and the count is a floor.
    Otherwise, and for fewer matches, every match is looked up. Only the newest RANKED are
    ranked: ranking reads each one's whole vector."""
    # Testing a row against the query reads its whole TOASTed vector, thousands of times
    # the default cost of an operator: priced so, the planner intersects the GIN lookups of
    # a query's clauses (BitmapAnd of BitmapOrs) instead of testing the other clauses on
    # every row one of them found (600 ms for two common words at 100,000 articles, 30 ms
    # so). Parallel workers cost more to start than these scans take, and so would JIT
    # (the raised costs would compile every plan). One statement: one round trip.
    cursor.execute(
        "SELECT set_config('enable_seqscan', 'off', true), "
        "set_config('cpu_operator_cost', %s, true), "
        "set_config('max_parallel_workers_per_gather', '0', true), "
        "set_config('jit', 'off', true)",
        [str(MATCH_TEST_COST)],
    )
    within = (" AND section_id = %s::bigint", [section]) if section is not None else ("", [])
    condition, match_params = match(parsed)
    plan = _plan(cursor, condition + within[0], match_params + within[1])
    # Only the newest RANKED are ranked (ranking reads each one's whole vector), the others
    # follow them newest first; `newest` is a row's place by date.
    order = (
        "ORDER BY n.newest > %s, CASE WHEN n.newest <= %s THEN "
        f"ts_rank((SELECT document FROM {TABLE} WHERE id = n.id), %s::tsquery) * "
        "(1.0 + 1.0 / (1.0 + EXTRACT(EPOCH FROM (%s - n.published_at)) / %s)) END DESC, "
        "n.published_at DESC, n.article_id DESC",
        [RANKED, RANKED, rank_tsquery(parsed), now, week_seconds],
    )

    def newest_matches(within):
        return _newest_matches(cursor, parsed, plan, where, params, cap, order, within)

    if plan["Plan Rows"] > WINDOW_MARGIN * (cap + 1):
        admitted = _plan(
            cursor, f"{where} AND {condition}{within[0]}", [*params, *match_params, *within[1]]
        )["Plan Rows"]
        rows, bounds = _publication_times(cursor)
        # An estimate may be wrong (a word's spellings are ORed, each estimated alone): when
        # the newest rows hold too few matches, four times as many are looked up once more.
        for margin in (WINDOW_MARGIN, 4 * WINDOW_MARGIN):
            newest = newest_moment(rows, bounds, admitted, margin * (cap + 1), now)
            if newest is None:
                break
            recent = (f"{within[0]} AND {PUBLISHED_DAY} >= %s", [*within[1], newest])
            found = newest_matches(recent)
            if found[0] > cap:
                return found
    return newest_matches(within)


def _newest_matches(cursor, parsed, plan, where, params, cap, order, within):
    """`ranked()`'s result from one statement: every match `within` (" AND " a condition,
    its parameters) found by the GIN indexes, kept (a MATERIALIZED CTE keeps the planner
    from testing the query on rows found another way, which reads their vectors), then the
    newest `cap` of those `where` admits, ranked."""
    columns = "id, article_id, language, status, section_id, published_at"
    condition, match_params = match(parsed)
    if has_phrases(parsed) or _tests_vectors(plan):
        rows, rows_params, exact_rows = match_rows(cursor, parsed, columns, within)
    else:  # the GIN lookups intersected as bitmaps (BitmapAnd): fewer rows read
        rows, rows_params = (
            f"SELECT {columns} FROM {TABLE} WHERE {condition}{within[0]}",
            [*match_params, *within[1]],
        )
        exact_rows = True
    confirmed, confirmed_params = "", []
    if not exact_rows:
        # The candidates are confirmed newest first, until `cap` + 1 are (then the count
        # is a floor).
        exact, exact_params = match(parsed, exact=True)
        confirmed = (
            "c AS MATERIALIZED (SELECT * FROM (SELECT * FROM f ORDER BY published_at DESC, "
            f"id DESC OFFSET 0) AS f WHERE EXISTS (SELECT 1 FROM {TABLE} "
            f"WHERE {TABLE}.id = f.id AND {exact}) LIMIT %s), "
        )
        confirmed_params = [*exact_params, cap + 1]
    found = "c" if confirmed else "f"
    cursor.execute(
        f"WITH m AS MATERIALIZED ({rows}), "
        f"f AS MATERIALIZED (SELECT id, article_id, published_at FROM m AS {TABLE} "
        f"WHERE {where}), {confirmed}"
        # The newest `cap` first (a bounded sort, not a sort of every match), then numbered.
        "n AS (SELECT *, row_number() OVER (ORDER BY published_at DESC, id DESC) AS newest "
        f"FROM (SELECT * FROM {found} ORDER BY published_at DESC, id DESC LIMIT %s) AS f) "
        f"SELECT (SELECT count(*) FROM {found}), n.article_id FROM n {order[0]}",
        [*rows_params, *params, *confirmed_params, cap, *order[1]],
    )
    rows = cursor.fetchall()
    return (rows[0][0] if rows else 0), [row[1] for row in rows]


def _plan(cursor, condition, params) -> dict:
    """The planner's plan (its top node) for the rows that meet `condition`."""
    cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {TABLE} WHERE {condition}", params)
    plan = cursor.fetchone()[0]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def _tests_vectors(node) -> bool:
    """Whether a plan tests rows against the query outside an index (reading each row's
    vector), in any of its nodes."""
    if "@@" in node.get("Filter", ""):
        return True
    return any(_tests_vectors(child) for child in node.get("Plans", ()))


def _publication_times(cursor):
    """(the search rows, as last estimated; the bounds of the histogram of their publication
    times that ANALYZE keeps, oldest first, or None), kept by the process for a minute: they
    change only when the table is analysed, and the pg_stats view cost 1.3 to 2.7 ms a
    ranking."""
    key = f"search:publication-times:{cursor.db.alias}:{cursor.db.settings_dict['NAME']}"
    found = process_memo.get(key)
    if found is None:
        cursor.execute(
            "SELECT c.reltuples, s.histogram_bounds::text::timestamptz[] FROM pg_class c "
            "LEFT JOIN pg_stats s ON s.schemaname = current_schema() "
            "AND s.tablename = c.relname AND s.attname = 'published_at' "
            f"WHERE c.oid = '{TABLE}'::regclass"
        )
        found = cursor.fetchone()
        process_memo.set(key, found, STATISTICS_SECONDS)
    return found


def newest_moment(rows, bounds, admitted, needed, now):
    """The moment from which the newest of `rows` should hold `needed` of the `admitted`
    matches (the planner's estimate, spread evenly over time), from the histogram `bounds`
    of publication times; None without them, or when looking among those rows first would
    not cost much less than looking up every match (each row among them costs too)."""
    if rows <= 0 or not bounds:
        return None
    # Worth it when it costs less than half: when the newest rows hold too few matches, the
    # lookup of every match follows.
    if 2 * (needed + WINDOW_ROW_COST * rows * needed / max(admitted, 1)) >= admitted:
        return None
    # The bounds part the rows in equal shares (none is admitted after `now`): the moment
    # below which lies the older share, as rows are spread evenly between two bounds, from
    # the start of its day (the index holds days).
    bounds = [min(bound, now) for bound in bounds]
    place = (1 - needed / admitted) * (len(bounds) - 1)
    older = bounds[int(place)]
    newer = bounds[min(int(place) + 1, len(bounds) - 1)]
    moment = older + (newer - older) * (place - int(place))
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def matching_ids(cursor, parsed, *, limit) -> list[int]:
    cursor.execute("SET LOCAL enable_seqscan = off")
    condition, match_params = match(parsed, exact=True)
    cursor.execute(
        f"SELECT DISTINCT article_id FROM {TABLE} WHERE {condition} LIMIT %s",
        [*match_params, limit],
    )
    return [row[0] for row in cursor.fetchall()]
