"""Full-text search over articles: the index writer and the query side.

One search row per article and language (`ArticleSearch`) holds copies of the columns that
search filters on, so scans never touch the wide article rows. Its text comes from
`articles.text.analyze` — the same pipeline for documents and queries — and is stored:

- on PostgreSQL as a `tsvector` written by Python (title weight A, summary B, body C, variants
  D at the word's position, a word's whole keys (`text.Term.wholes`) at its own weight) plus
  integer arrays of the buckets of its adjacent word pairs (one of 2**24,
  `index.pair_bucket`; eight arrays, by range), so a quoted phrase is an index lookup, and
  only the rows it finds are confirmed against the word positions (newest first, until
  enough are); all GIN-indexed, the words' index led by the day of publication
  (btree_gin), so that a common word is looked up among the newest rows first
  (`postgres.py`);
- on SQLite in an FTS5 table (columns title, summary, body, variants and wholes) whose rowid
  is the search row's id; quoted phrases use FTS5's own phrase search (`sqlite.py`).

The parts: `query.py` reads what the reader typed, `index.py` writes the rows, `results.py`
runs a search (which rows are public is the QuerySet's definition, see
`ArticleSearchQuerySet.public`) and `snippets.py` shows where each result matched.

Ranking: relevance (title above summary above body) times a recency boost that halves over a
week (score × (1 + 1 / (1 + age_in_weeks))). On PostgreSQL only the newest `RANK_CAP` matches
are reachable, the newest `postgres.RANKED` of them are ranked (the others follow, newest
first), and the planner is steered away from plans that read the TOASTed vectors.
"""

from articles.search.index import index_rows, plain_text, sync_status
from articles.search.query import MAX_QUERY_LENGTH, ParsedQuery, parse_query
from articles.search.results import RANK_CAP, SearchResults, matching_article_ids, search
from articles.search.snippets import make_snippet

__all__ = [
    "MAX_QUERY_LENGTH",
    "RANK_CAP",
    "ParsedQuery",
    "SearchResults",
    "index_rows",
    "make_snippet",
    "matching_article_ids",
    "parse_query",
    "plain_text",
    "search",
    "sync_status",
]
