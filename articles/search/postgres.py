"""The PostgreSQL backend: GIN lookups on the search rows' words and word pairs.

`where` is the SQL of the rows a reader may see (compiled from the QuerySet, see
results.py); it names the table `articles_articlesearch`, so every statement here reads the
table, or a CTE, under that name.
"""

import json

from articles.search.index import phrase_bucket, quote_lexeme
from articles.search.query import ParsedQuery, Phrase

TABLE = "articles_articlesearch"
MATCH_TEST_COST = 0.5  # cpu_operator_cost while ranking (PostgreSQL's default: 0.0025)
DENSE_MATCHES = 20_000  # from this many matches, walking the date index may be cheaper
# What the walk down the date index costs, in matches of a GIN lookup (each found, kept and
# counted: about 1.2 µs): testing a row against the query (its vector read from TOAST,
# about 22 µs), and passing a row that the filters leave out (a section's, say).
WALK_TEST_COST = 20
WALK_ROW_COST = 2
# Rows a statement may test against the query outside the indexes (reading their vectors).
FEW_ROWS = 200
# Matches ranked by relevance, the newest (ranking reads each one's vector: 1,000 took 30 to
# 150 ms); those after them, up to RANK_CAP, follow newest first. Ten pages of results.
RANKED = 200


def lookups(parsed: ParsedQuery) -> list[list[tuple[str, str | list, str | None]]]:
    """The query as an AND of ORs of (column, query, check) GIN lookups: words (a tsquery)
    against `document` (check None), phrases (a list of the buckets of each one's pairs)
    against `phrases`, with `check` the phrases as words in a row, which confirms a row
    found against its `document` (a bucket may hold other pairs). The clauses of words
    alone make one lookup (an AND inside its tsquery)."""

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
    phrases against `phrases` (a row has a phrase when it has all of its buckets)."""
    if column == "document":
        return f"{TABLE}.document @@ %s::tsquery", [query]
    tests = [f"{TABLE}.phrases @> %s::int[]"] * len(query)
    return (tests[0] if len(tests) == 1 else "(" + " OR ".join(tests) + ")"), list(query)


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


def match_rows(cursor, parsed: ParsedQuery, columns: str) -> tuple[str, list, bool]:
    """The matching rows' `columns`, as a statement the GIN indexes answer alone, and
    whether they are exact (or candidates a phrase's bucket found, to confirm).

    A query of words alone is one GIN lookup. A clause with a phrase (or with words a text
    may write together or apart) ORs a lookup in `document` with one in `phrases`: no one
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
    phrases."""
    groups = lookups(parsed)
    exact = not has_phrases(parsed)
    if len(groups) == 1 and len(groups[0]) == 1:
        condition, params = match(parsed)
        return f"SELECT {columns} FROM {TABLE} WHERE {condition}", params, exact
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
            f"SELECT {columns} FROM {TABLE} WHERE {TABLE}.document @@ %s::tsquery UNION ALL "
            f"SELECT {columns} FROM (SELECT * FROM {TABLE} WHERE {any_phrase} "
            f"OFFSET 0) AS {TABLE} WHERE {condition} AND NOT {TABLE}.document @@ %s::tsquery",
            [every_word, *phrase_params, *params, every_word],
            True,
        )
    sets, params = [], []
    for either in groups:
        conditions = [lookup_sql(column, query) for column, query, _check in either]
        sets.append(
            " UNION ".join(f"SELECT {columns} FROM {TABLE} WHERE {sql}" for sql, _ in conditions)
        )
        params += [param for _sql, sql_params in conditions for param in sql_params]
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


def ranked(cursor, parsed, where, params, *, now, week_seconds, cap) -> tuple[int, list[int]]:
    """(number of matches, counted up to `cap` + 1 when many match; the article ids of the
    newest `cap` matches: the newest RANKED best first, the others newest first), in one
    statement after a planner estimate.

    For many matches, the newest are found fastest by walking the date index; for few,
    from the GIN index alone (a MATERIALIZED CTE keeps the planner from testing the query on
    every row found through the date index, which for a rare word is every row). Only the
    newest RANKED are ranked: ranking reads each candidate's whole vector."""
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
    condition, match_params = match(parsed)
    plan = _plan(cursor, condition, match_params)
    matches = plan["Plan Rows"]
    # Only the newest RANKED are ranked (ranking reads each one's whole vector), the others
    # follow them newest first; `newest` is a row's place by date.
    rank = (
        "ORDER BY {row}.newest > %s, CASE WHEN {row}.newest <= %s THEN "
        "ts_rank({document}, %s::tsquery) * (1.0 + 1.0 / (1.0 + "
        "EXTRACT(EPOCH FROM (%s - {row}.published_at)) / %s)) END DESC, "
        "{row}.published_at DESC, {row}.article_id DESC"
    )
    rank_params = [RANKED, RANKED, rank_tsquery(parsed), now, week_seconds]
    exact, exact_params = match(parsed, exact=True)
    if matches > DENSE_MATCHES and _walking_dates_is_cheaper(
        cursor,
        matches,
        _plan(cursor, f"{where} AND {condition}", [*params, *match_params])["Plan Rows"],
        cap,
    ):
        cursor.execute(
            f"WITH f AS MATERIALIZED (SELECT article_id, published_at, document FROM {TABLE} "
            f"WHERE {where} AND {exact} ORDER BY published_at DESC LIMIT %s) "
            "SELECT (SELECT count(*) FROM f), c.article_id FROM (SELECT *, row_number() OVER "
            "(ORDER BY published_at DESC, article_id DESC) AS newest FROM f "
            f"ORDER BY published_at DESC, article_id DESC LIMIT %s) c "
            + rank.format(row="c", document="c.document"),
            [*params, *exact_params, cap + 1, cap, *rank_params],
        )
    else:
        columns = "id, article_id, language, status, section_id, published_at"
        if has_phrases(parsed) or _tests_vectors(plan):
            rows, rows_params, exact_rows = match_rows(cursor, parsed, columns)
        else:  # the GIN lookups intersected as bitmaps (BitmapAnd): fewer rows read
            rows, rows_params = f"SELECT {columns} FROM {TABLE} WHERE {condition}", match_params
            exact_rows = True
        confirmed, confirmed_params = "", []
        if not exact_rows:
            # The candidates are confirmed newest first, until `cap` + 1 are (then the
            # count is a floor, as for a walk of the date index).
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
            # The newest `cap` first (a bounded sort, not a sort of every match), then
            # numbered.
            "n AS (SELECT *, row_number() OVER (ORDER BY published_at DESC, id DESC) AS newest "
            f"FROM (SELECT * FROM {found} ORDER BY published_at DESC, id DESC LIMIT %s) AS f) "
            f"SELECT (SELECT count(*) FROM {found}), n.article_id FROM n "
            + rank.format(row="n", document=f"(SELECT document FROM {TABLE} WHERE id = n.id)"),
            [*rows_params, *params, *confirmed_params, cap, *rank_params],
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


def _walking_dates_is_cheaper(cursor, matches, admitted, cap) -> bool:
    """Whether finding the newest `cap` matches by walking the date index costs less than
    the GIN lookup, which finds, keeps and counts every match (`matches`). The walk passes
    about cap / share-of-admitted-matches rows (`admitted`: the matches among the rows the
    filters let through, estimated) and tests about cap / share-of-matches of them. For
    the same shares the walk costs the same at any size of the archive and the lookup grows
    with it: without filters they cross at about 150,000 matches at a million rows, 47,000
    at 100,000 (measured fastest at a million: 120,000 by the lookup, 150,000 walking)."""
    cursor.execute(f"SELECT reltuples FROM pg_class WHERE oid = '{TABLE}'::regclass")
    (rows,) = cursor.fetchone()
    if rows <= 0:  # never analysed: no estimate to weigh
        return True
    tested = cap * max(1.0, rows / matches)
    passed = cap * max(1.0, rows / max(admitted, 1))
    return WALK_TEST_COST * tested + WALK_ROW_COST * passed < matches


def matching_ids(cursor, parsed, *, limit) -> list[int]:
    cursor.execute("SET LOCAL enable_seqscan = off")
    condition, match_params = match(parsed, exact=True)
    cursor.execute(
        f"SELECT DISTINCT article_id FROM {TABLE} WHERE {condition} LIMIT %s",
        [*match_params, limit],
    )
    return [row[0] for row in cursor.fetchall()]
