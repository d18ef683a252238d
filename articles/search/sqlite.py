"""The SQLite backend: the FTS5 table whose rowids are the search rows' ids.

`where` is the SQL of the rows a reader may see (compiled from the QuerySet, see
results.py), on the table `articles_articlesearch`.
"""

from articles.search.index import FTS_TABLE
from articles.search.query import ParsedQuery, Phrase
from articles.text import CONJUNCTIONS

TABLE = "articles_articlesearch"
JOIN = f"{FTS_TABLE} JOIN {TABLE} ON {TABLE}.id = {FTS_TABLE}.rowid"


def _key_sql(key: str) -> str:
    """A word's whole key (`text.Term.wholes`) is kept in a column that bm25 gives no weight;
    the stem it was made of is in the word's own column (title, summary or body): where it
    is found there ranks the row, as for any other word (the same rows match)."""
    if key[0] in CONJUNCTIONS and len(key) > 1:
        return f'("{key}" OR (wholes : "{key}" AND "{key[1:]}"))'
    return f'"{key}"'


def match(parsed: ParsedQuery) -> str:
    def item_sql(item):
        if isinstance(item, Phrase):
            return '"' + " ".join(item.keys) + '"'
        if item.prefix:
            return '"' + next(iter(item.alternatives)) + '"*'
        return "(" + " OR ".join(map(_key_sql, sorted(item.alternatives))) + ")"

    return " AND ".join("(" + " OR ".join(map(item_sql, c)) + ")" for c in parsed.clauses)


def ranked(
    cursor, parsed, where, params, *, section, now, week_seconds, cap
) -> tuple[int, list[int]]:
    """(number of matches; the article ids of the best `cap`, best first), of the rows
    `where` admits in `section` (an id, or None for all)."""
    condition = match(parsed)
    if section is not None:
        where, params = f"{where} AND {TABLE}.section_id = %s", [*params, section]
    cursor.execute(
        f"SELECT count(*) FROM {JOIN} WHERE {FTS_TABLE} MATCH %s AND {where}",
        [condition, *params],
    )
    total = cursor.fetchone()[0]
    if not total:
        return 0, []
    cursor.execute(
        f"SELECT {TABLE}.article_id FROM {JOIN} WHERE {FTS_TABLE} MATCH %s AND {where} "
        f"ORDER BY -bm25({FTS_TABLE}, 5.0, 2.0, 1.0, 0.5, 0.0) * (1.0 + 1.0 / (1.0 + "
        f"(julianday(%s) - julianday({TABLE}.published_at)) * 86400.0 / %s)) DESC, "
        f"{TABLE}.published_at DESC, {TABLE}.article_id DESC LIMIT %s",
        [condition, *params, now, week_seconds, cap],
    )
    return total, [row[0] for row in cursor.fetchall()]


def matching_ids(cursor, parsed, *, limit) -> list[int]:
    cursor.execute(
        f"SELECT DISTINCT {TABLE}.article_id FROM {JOIN} WHERE {FTS_TABLE} MATCH %s LIMIT %s",
        [match(parsed), limit],
    )
    return [row[0] for row in cursor.fetchall()]
