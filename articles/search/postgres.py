"""The PostgreSQL backend: GIN lookups on the search rows' tsvectors.

`where` is the SQL of the rows a reader may see (compiled from the QuerySet, see
results.py); it names the table `articles_articlesearch`, so every statement here reads the
table, or a CTE, under that name.
"""

import json

from articles.search.index import phrase_key, quote_lexeme
from articles.search.query import ParsedQuery, Phrase

TABLE = "articles_articlesearch"
DENSE_MATCHES = 20_000  # below this, never walk the date index (see `ranked`)
# What reading one row's vector costs (walking the date index tests each row it passes)
# against reading one row found by the GIN index (the narrow row, no vector), measured.
VECTOR_READ_COST = 15


def match(parsed: ParsedQuery) -> tuple[str, list]:
    """The WHERE condition: words against `document`, phrases (as pair keys) against
    `phrases`; each a GIN lookup without rechecking positions."""

    def word_sql(item):
        if isinstance(item, Phrase):  # a quoted single word
            return quote_lexeme(item.keys[0])
        if item.prefix:
            return quote_lexeme(next(iter(item.alternatives))) + ":*"
        return "(" + " | ".join(quote_lexeme(a) for a in sorted(item.alternatives)) + ")"

    def phrase_sql(item):
        pairs = [phrase_key(a, b) for a, b in zip(item.keys, item.keys[1:], strict=False)]
        return "(" + " & ".join(quote_lexeme(p) for p in pairs) + ")"

    word_only, conditions, params = [], [], []
    for clause in parsed.clauses:
        words = [i for i in clause if not (isinstance(i, Phrase) and len(i.keys) > 1)]
        phrases = [i for i in clause if isinstance(i, Phrase) and len(i.keys) > 1]
        if not phrases:
            word_only.append("(" + " | ".join(map(word_sql, words)) + ")")
            continue
        parts = []
        if words:
            parts.append(f"{TABLE}.document @@ %s::tsquery")
            params.append(" | ".join(map(word_sql, words)))
        parts.append(f"{TABLE}.phrases @@ %s::tsquery")
        params.append(" | ".join(map(phrase_sql, phrases)))
        conditions.append("(" + " OR ".join(parts) + ")")
    if word_only:
        conditions.insert(0, f"{TABLE}.document @@ %s::tsquery")
        params.insert(0, " & ".join(word_only))
    return " AND ".join(conditions), params


def rank_tsquery(parsed: ParsedQuery) -> str:
    words = [quote_lexeme(key) for key in sorted(parsed.exact_keys())]
    words += [quote_lexeme(p) + ":*" for p in parsed.prefixes()]
    return " | ".join(words)


def ranked(cursor, parsed, where, params, *, now, week_seconds, cap) -> tuple[int, list[int]]:
    """(number of matches, counted up to `cap` + 1 when many match; the article ids of the
    newest `cap` matches, best first), in one statement after a planner estimate.

    For a word in a large share of the rows, the newest are found fastest by walking the
    date index (see `_walk_dates`); otherwise from the GIN index alone (a MATERIALIZED CTE
    keeps the planner from testing the query on every row found through the date index,
    which for a rare word is every row). Only the newest `cap` are ranked: ranking reads
    each candidate's whole vector."""
    cursor.execute("SET LOCAL enable_seqscan = off")
    condition, match_params = match(parsed)
    cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {TABLE} WHERE {condition}", match_params)
    plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    rank = (
        "ORDER BY ts_rank(c.document, %s::tsquery) * (1.0 + 1.0 / (1.0 + "
        "EXTRACT(EPOCH FROM (%s - c.published_at)) / %s)) DESC, "
        "c.published_at DESC, c.article_id DESC"
    )
    rank_params = [rank_tsquery(parsed), now, week_seconds]
    if _walk_dates(cursor, where, params, plan[0]["Plan"]["Plan Rows"], cap):
        cursor.execute(
            f"WITH f AS MATERIALIZED (SELECT article_id, published_at, document FROM {TABLE} "
            f"WHERE {where} AND {condition} ORDER BY published_at DESC LIMIT %s) "
            "SELECT (SELECT count(*) FROM f), c.article_id FROM "
            f"(SELECT * FROM f ORDER BY published_at DESC LIMIT %s) c {rank}",
            [*params, *match_params, cap + 1, cap, *rank_params],
        )
    else:
        cursor.execute(
            f"WITH m AS MATERIALIZED (SELECT id, language, status, section_id, published_at "
            f"FROM {TABLE} WHERE {condition}), "
            f"f AS MATERIALIZED (SELECT id, published_at FROM m AS {TABLE} WHERE {where}), "
            "n AS (SELECT id FROM f ORDER BY published_at DESC LIMIT %s) "
            f"SELECT (SELECT count(*) FROM f), c.article_id FROM n JOIN {TABLE} c "
            f"ON c.id = n.id {rank}",
            [*match_params, *params, cap, *rank_params],
        )
    rows = cursor.fetchall()
    return (rows[0][0] if rows else 0), [row[1] for row in rows]


def _walk_dates(cursor, where, params, matches, cap) -> bool:
    """Whether walking the date index finds the newest `cap` matches sooner than reading
    every match found by the GIN index: the walk reads about cap / density vectors, the GIN
    plan every match's row. So only for words in a large share of the rows (at 100,000
    articles, above about 40 %; at a million, above about 12 %)."""
    if matches <= DENSE_MATCHES:
        return False
    cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {TABLE} WHERE {where}", params)
    plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    rows = max(plan[0]["Plan"]["Plan Rows"], 1)
    return matches * matches >= VECTOR_READ_COST * (cap + 1) * rows


def matching_ids(cursor, parsed, *, limit) -> list[int]:
    cursor.execute("SET LOCAL enable_seqscan = off")
    condition, match_params = match(parsed)
    cursor.execute(
        f"SELECT DISTINCT article_id FROM {TABLE} WHERE {condition} LIMIT %s",
        [*match_params, limit],
    )
    return [row[0] for row in cursor.fetchall()]
