"""Full-text search over articles: the index writer and the query side.

One search row per article and language (`ArticleSearch`) holds copies of the columns that
search filters on, so scans never touch the wide article rows. Its text comes from
`articles.text.analyze` — the same pipeline for documents and queries — and is stored:

- on PostgreSQL as a `tsvector` written by Python (title weight A, summary B, body C, variants
  D at the word's position) plus one position-less key per adjacent word pair, so a quoted
  phrase is an index lookup instead of a position check of every candidate; GIN-indexed;
- on SQLite in an FTS5 table (columns title, summary, body, variants) whose rowid is the
  search row's id; quoted phrases use FTS5's own phrase search.

Ranking: relevance (title above summary above body) times a recency boost that halves over a
week (score × (1 + 1 / (1 + age_in_weeks))). On PostgreSQL only the newest `RANK_CAP` matches
are ranked and the planner is steered away from its slow plans (see `_pg_ids`).
"""

import html
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection as default_connection
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from articles.text import (
    WORD_RE,
    Term,
    analyze,
    analyze_word,
    clean,
    highlight_keys,
    joined_alternatives,
    prefix_key,
    query_alternatives,
    split_pairs,
)

FTS_TABLE = "articles_search_fts"
FIELDS = (("title", "A"), ("summary", "B"), ("body", "C"))
MAX_QUERY_LENGTH = 200  # characters kept of a query
MAX_QUERY_CLAUSES = 10
MAX_PHRASE_WORDS = 8
RANK_CAP = 1000  # matches ranked per query; also the last reachable result
DENSE_MATCHES = 20_000  # above this, the newest matches are found by walking the date index
MAX_POSITIONS = 16383  # PostgreSQL's largest word position
RECENCY_WEEK_SECONDS = 7 * 86400
GENERATION_KEY = "search:generation"
SANE_YEARS = range(1900, 3000)  # date filters outside these are ignored (no datetime overflow)


def languages():
    return [code for code, _name in settings.LANGUAGES]


def plain_text(value: str) -> str:
    """Text of stored HTML: tags dropped (block ends become spaces), entities decoded."""
    value = re.sub(r"<(?:/p|br|/h\d|/li|/blockquote)\b[^>]*>", " ", value or "")
    return re.sub(r"\s+", " ", html.unescape(strip_tags(value))).strip()


def phrase_key(first: str, second: str) -> str:
    """The index key of two adjacent words (never clashes with a word: words have no "_")."""
    return f"_{first}_{second}"


# --- Writing the index ----------------------------------------------------------------------


def _quote_lexeme(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_text(fields: dict[str, list[Term]]) -> tuple[str, str]:
    """The text forms of the article's two tsvectors (cast by PostgreSQL on insert): its
    words with positions and weights, and the keys of its adjacent word pairs. Pairs live
    apart so that ranking, which reads the words of every candidate, never reads them."""
    positions = defaultdict(list)
    pairs = set()
    position = 0
    for name, weight in FIELDS:
        previous = None
        for term in fields[name]:
            position = min(position + 1, MAX_POSITIONS)
            positions[term.key].append(f"{position}{weight}")
            for variant in term.variants:
                positions[variant].append(f"{position}D")
            if previous is not None:
                for first in (previous.key, *previous.variants):
                    pairs.add(phrase_key(first, term.key))
            previous = term
    words = " ".join(
        f"{_quote_lexeme(lexeme)}:{','.join(spots[:256])}" for lexeme, spots in positions.items()
    )
    return words, " ".join(_quote_lexeme(pair) for pair in pairs)


def _fields(title, summary, body) -> dict[str, list[Term]]:
    return {
        "title": analyze(title or ""),
        "summary": analyze(plain_text(summary)),
        "body": analyze(plain_text(body)),
    }


def _article_values(article) -> dict:
    values = {
        "pk": article.pk,
        "section_id": article.section_id,
        "status": article.status,
        "published_at": article.published_at,
    }
    for language in languages():
        for name in ("title", "summary", "body"):
            values[f"{name}_{language}"] = getattr(article, f"{name}_{language}", "")
    return values


def index_rows(articles, *, model=None, connection=None) -> int:
    """(Re)build the search rows of `articles` (model instances or a queryset); returns the
    number of rows written. Used by Article.save(), bulk commands and the migration."""
    from articles.models import ArticleSearch

    model = model or ArticleSearch
    connection = connection or default_connection
    if hasattr(articles, "values"):
        names = [f"{n}_{code}" for code in languages() for n in ("title", "summary", "body")]
        rows = list(articles.values("pk", "section_id", "status", "published_at", *names))
    else:
        rows = [_article_values(article) for article in articles]
    if not rows:
        return 0
    is_pg = connection.vendor == "postgresql"
    objects, texts = [], []
    for row in rows:
        for language in languages():
            title, body = row[f"title_{language}"], row[f"body_{language}"]
            if not (title and body):
                continue
            fields = _fields(title, row[f"summary_{language}"], body)
            document, phrases = tsvector_text(fields) if is_pg else ("", "")
            objects.append(
                model(
                    article_id=row["pk"],
                    language=language,
                    section_id=row["section_id"],
                    status=row["status"],
                    published_at=row["published_at"],
                    document=document,
                    phrases=phrases,
                )
            )
            texts.append(fields)
    with transaction.atomic(using=connection.alias):
        model.objects.using(connection.alias).filter(
            article_id__in=[row["pk"] for row in rows]
        ).delete()
        model.objects.using(connection.alias).bulk_create(objects, batch_size=1000)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body, variants) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    [
                        (
                            obj.pk,
                            *(" ".join(t.key for t in fields[name]) for name, _w in FIELDS),
                            " ".join(
                                v for name, _w in FIELDS for t in fields[name] for v in t.variants
                            ),
                        )
                        for obj, fields in zip(objects, texts, strict=True)
                    ],
                )
    bump_generation()
    return len(objects)


def sync_status(article_ids) -> None:
    """Copy status and publication time after a bulk update of articles (no text change)."""
    from django.db.models import OuterRef, Subquery

    from articles.models import Article, ArticleSearch

    source = Article.objects.filter(pk=OuterRef("article_id")).order_by()
    ArticleSearch.objects.filter(article_id__in=list(article_ids)).update(
        status=Subquery(source.values("status")[:1]),
        published_at=Subquery(source.values("published_at")[:1]),
    )
    bump_generation()


def bump_generation() -> None:
    """Invalidate every cached related-news list (they are keyed by this number)."""
    if cache.add(GENERATION_KEY, 1, timeout=None):
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # expired between add and incr
        cache.add(GENERATION_KEY, 1, timeout=None)


def generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


# --- Parsing queries ------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    alternatives: frozenset
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    """Words in a row. `split` marks the halves of a query word that the text may write as
    two words (فيسبوك → فيس بوك): only the pair is highlighted, never each half alone."""

    keys: tuple
    split: bool = False


OR_WORDS = {"OR", "أو", "او", "|"}
_CHUNK_RE = re.compile(r'"([^"]*)(?:"|$)|(\S+)')


@dataclass
class ParsedQuery:
    """An AND of clauses, each an OR of words and phrases."""

    text: str
    clauses: list

    def __bool__(self):
        return bool(self.clauses)

    def items(self):
        return [item for clause in self.clauses for item in clause]

    def exact_keys(self) -> set:
        keys = set()
        for item in self.items():
            if isinstance(item, Phrase):
                if not item.split:
                    keys.update(item.keys)
            elif not item.prefix:
                keys.update(item.alternatives)
        return keys

    def split_pairs(self) -> set:
        return {i.keys for i in self.items() if isinstance(i, Phrase) and i.split}

    def prefixes(self) -> list:
        return [
            next(iter(i.alternatives)) for i in self.items() if isinstance(i, Word) and i.prefix
        ]


def _item(chunk: str, *, quoted: bool):
    prefix = not quoted and chunk.endswith("*")
    terms = [term for word in WORD_RE.findall(chunk) if (term := analyze_word(word)) is not None]
    if not terms:
        return None
    if len(terms) == 1:
        term = terms[0]
        if prefix and len(prefix_key(term)) >= 2:
            return Word(frozenset([prefix_key(term)]), prefix=True)
        return Word(frozenset(query_alternatives(term)))
    return Phrase(tuple(term.key for term in terms[:MAX_PHRASE_WORDS]))


def _single_word(chunk: str) -> str | None:
    """The word of a bare chunk that is one plain word (no prefix star, no digits)."""
    words = WORD_RE.findall(chunk)
    if len(words) == 1 and "*" not in chunk and words[0].isalpha():
        return words[0]
    return None


def parse_query(text: str) -> ParsedQuery:
    """Words are ANDed; `OR`/`أو` between two joins them; "quotes" make a phrase; word* is a
    prefix. Anything else is ignored, so no input can make a bad query.

    Names and loanwords are written together or apart (عبد الله/عبدالله, فيس بوك/فيسبوك):
    two plain words in a row also match as one word, and one plain word also matches as
    two adjacent words (through the index of word pairs)."""
    text = clean((text or "")[: MAX_QUERY_LENGTH * 4])[:MAX_QUERY_LENGTH]
    clauses, join_next = [], False
    previous = None  # (word, clause index, item index) of the last plain word
    for match in _CHUNK_RE.finditer(text):
        quoted, bare = match.group(1), match.group(2)
        if bare is not None and bare.upper() in OR_WORDS:
            join_next, previous = bool(clauses), None
            continue
        item = _item(quoted if bare is None else bare, quoted=bare is None)
        if item is None:
            previous = None
            continue
        if join_next:
            clauses[-1].append(item)
        elif len(clauses) < MAX_QUERY_CLAUSES:
            clauses.append([item])
        else:
            break
        join_next = False
        word = _single_word(bare) if bare is not None and isinstance(item, Word) else None
        if word is None:
            previous = None
            continue
        here = (len(clauses) - 1, len(clauses[-1]) - 1)
        clauses[here[0]] += [Phrase(pair, split=True) for pair in sorted(split_pairs(word))]
        if previous is not None:
            joined = joined_alternatives(previous[0], word)
            for index, position in (previous[1:], here):
                old = clauses[index][position]
                clauses[index][position] = Word(old.alternatives | joined)
        previous = (word, *here)
    return ParsedQuery(text=text, clauses=clauses)


def _pg_match(parsed: ParsedQuery) -> tuple[str, list]:
    """The WHERE condition for PostgreSQL: words against `document`, phrases (as pair keys)
    against `phrases`; each a GIN lookup without rechecking positions."""

    def word_sql(item):
        if isinstance(item, Phrase):  # a quoted single word
            return _quote_lexeme(item.keys[0])
        if item.prefix:
            return _quote_lexeme(next(iter(item.alternatives))) + ":*"
        return "(" + " | ".join(_quote_lexeme(a) for a in sorted(item.alternatives)) + ")"

    def phrase_sql(item):
        pairs = [phrase_key(a, b) for a, b in zip(item.keys, item.keys[1:], strict=False)]
        return "(" + " & ".join(_quote_lexeme(p) for p in pairs) + ")"

    word_only, conditions, params = [], [], []
    for clause in parsed.clauses:
        words = [i for i in clause if not (isinstance(i, Phrase) and len(i.keys) > 1)]
        phrases = [i for i in clause if isinstance(i, Phrase) and len(i.keys) > 1]
        if not phrases:
            word_only.append("(" + " | ".join(map(word_sql, words)) + ")")
            continue
        parts = []
        if words:
            parts.append("s.document @@ %s::tsquery")
            params.append(" | ".join(map(word_sql, words)))
        parts.append("s.phrases @@ %s::tsquery")
        params.append(" | ".join(map(phrase_sql, phrases)))
        conditions.append("(" + " OR ".join(parts) + ")")
    if word_only:
        conditions.insert(0, "s.document @@ %s::tsquery")
        params.insert(0, " & ".join(word_only))
    return " AND ".join(conditions), params


def _rank_tsquery(parsed: ParsedQuery) -> str:
    words = [_quote_lexeme(key) for key in sorted(parsed.exact_keys())]
    words += [_quote_lexeme(p) + ":*" for p in parsed.prefixes()]
    return " | ".join(words)


def _fts_match(parsed: ParsedQuery) -> str:
    def item_sql(item):
        if isinstance(item, Phrase):
            return '"' + " ".join(item.keys) + '"'
        if item.prefix:
            return '"' + next(iter(item.alternatives)) + '"*'
        return "(" + " OR ".join(f'"{a}"' for a in sorted(item.alternatives)) + ")"

    return " AND ".join("(" + " OR ".join(map(item_sql, c)) + ")" for c in parsed.clauses)


# --- Running queries ------------------------------------------------------------------------


def _day_start(day, *, next_day=False):
    moment = timezone.make_aware(datetime.combine(day, time.min))
    return moment + timedelta(days=1) if next_day else moment


class SearchResults:
    """Lazy results for Django's Paginator: `count()` is the number reachable (at most
    RANK_CAP), `total` the number of matches; slicing returns articles with a `.snippet`."""

    def __init__(self, parsed, *, language, section=None, date_from=None, date_to=None):
        self.parsed = parsed
        self.language = language
        self.section = section
        self.date_from = date_from
        self.date_to = date_to
        self.now = timezone.now()
        self._total = None

    def _filters(self, connection):
        adapt = connection.ops.adapt_datetimefield_value
        sql = ["s.language = %s", "s.status = %s", "s.published_at <= %s"]
        params = [self.language, "published", adapt(self.now)]
        if self.section is not None:
            sql.append("s.section_id = %s")
            params.append(self.section.pk)
        if self.date_from and self.date_from.year in SANE_YEARS:
            sql.append("s.published_at >= %s")
            params.append(adapt(_day_start(self.date_from)))
        if self.date_to and self.date_to.year in SANE_YEARS:
            sql.append("s.published_at < %s")
            params.append(adapt(_day_start(self.date_to, next_day=True)))
        return " AND ".join(sql), params

    @property
    def total(self) -> int:
        if self._total is None:
            self._total = self._count() if self.parsed else 0
        return self._total

    def count(self):
        return min(self.total, RANK_CAP)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("SearchResults supports slices only.")
        start, stop = index.start or 0, min(index.stop or RANK_CAP, RANK_CAP)
        if stop <= start or not self.parsed or not self.total:
            return []
        ids = self._ids(offset=start, limit=stop - start)
        return self._articles(ids)

    @property
    def is_capped(self) -> bool:
        """True when there are more matches than can be shown (the total is then a floor)."""
        return self.total > RANK_CAP

    def _count(self):
        connection = default_connection
        where, params = self._filters(connection)
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL enable_seqscan = off")
                match, match_params = _pg_match(self.parsed)
                cursor.execute(
                    f"EXPLAIN (FORMAT JSON) SELECT 1 FROM articles_articlesearch s WHERE {match}",
                    match_params,
                )
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                self._dense = plan[0]["Plan"]["Plan Rows"] > DENSE_MATCHES
                if self._dense:
                    # Only RANK_CAP results can be shown: stop counting just after that.
                    cursor.execute(
                        "SELECT count(*) FROM (SELECT 1 FROM articles_articlesearch s "
                        f"WHERE {where} AND {match} LIMIT %s) x",
                        [*params, *match_params, RANK_CAP + 1],
                    )
                else:
                    # Matches from the GIN index only (a MATERIALIZED CTE keeps the planner
                    # from testing the query on every row found through the date index).
                    cursor.execute(
                        "WITH m AS MATERIALIZED (SELECT s.language, s.status, s.section_id, "
                        f"s.published_at FROM articles_articlesearch s WHERE {match}) "
                        f"SELECT count(*) FROM m s WHERE {where}",
                        [*match_params, *params],
                    )
            else:
                cursor.execute(
                    f"SELECT count(*) FROM {FTS_TABLE} JOIN articles_articlesearch s "
                    f"ON s.id = {FTS_TABLE}.rowid WHERE {FTS_TABLE} MATCH %s AND {where}",
                    [_fts_match(self.parsed), *params],
                )
            return cursor.fetchone()[0]

    def _ids(self, *, offset, limit):
        connection = default_connection
        where, params = self._filters(connection)
        now = connection.ops.adapt_datetimefield_value(self.now)
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The plan depends on how many match (known from counting): for many, the
                # newest are found fastest by walking the date index; for few, from the GIN
                # index alone (a date-index walk would test every row for a rare word).
                cursor.execute("SET LOCAL enable_seqscan = off")
                match, match_params = _pg_match(self.parsed)
                rank = (
                    "ORDER BY ts_rank(c.document, %s::tsquery) * (1.0 + 1.0 / (1.0 + "
                    "EXTRACT(EPOCH FROM (%s - c.published_at)) / %s)) DESC, "
                    "c.published_at DESC, c.article_id DESC LIMIT %s OFFSET %s"
                )
                rank_params = [
                    _rank_tsquery(self.parsed),
                    now,
                    RECENCY_WEEK_SECONDS,
                    limit,
                    offset,
                ]
                if getattr(self, "_dense", False):
                    cursor.execute(
                        "SELECT c.article_id FROM (SELECT s.article_id, s.published_at, "
                        f"s.document FROM articles_articlesearch s WHERE {where} AND {match} "
                        f"ORDER BY s.published_at DESC LIMIT %s) c {rank}",
                        [*params, *match_params, RANK_CAP, *rank_params],
                    )
                else:
                    cursor.execute(
                        "WITH m AS MATERIALIZED (SELECT s.id, s.language, s.status, "
                        "s.section_id, s.published_at FROM articles_articlesearch s "
                        f"WHERE {match}), "
                        f"n AS (SELECT s.id FROM m s WHERE {where} "
                        "ORDER BY s.published_at DESC LIMIT %s) "
                        "SELECT c.article_id FROM n JOIN articles_articlesearch c ON c.id = n.id "
                        f"{rank}",
                        [*match_params, *params, RANK_CAP, *rank_params],
                    )
            else:
                cursor.execute(
                    f"SELECT s.article_id FROM {FTS_TABLE} JOIN articles_articlesearch s "
                    f"ON s.id = {FTS_TABLE}.rowid WHERE {FTS_TABLE} MATCH %s AND {where} "
                    f"ORDER BY -bm25({FTS_TABLE}, 5.0, 2.0, 1.0, 0.5) * (1.0 + 1.0 / (1.0 + "
                    "(julianday(%s) - julianday(s.published_at)) / 7.0)) DESC, "
                    "s.published_at DESC, s.article_id DESC LIMIT %s OFFSET %s",
                    [_fts_match(self.parsed), *params, now, limit, offset],
                )
            return [row[0] for row in cursor.fetchall()]

    def _articles(self, ids):
        from articles.models import Article

        found = Article.objects.for_listing().in_bulk(ids)
        articles = [found[pk] for pk in ids if pk in found]
        for article in articles:
            source = getattr(article, f"summary_{self.language}", "") or ""
            text = plain_text(source)
            snippet = make_snippet(text, self.parsed) if text else ""
            if "<mark>" in snippet:
                article.snippet = snippet
                continue
            body_snippet = make_snippet(
                plain_text(getattr(article, f"body_{self.language}")), self.parsed
            )
            # Prefer the part of the body that shows a match when the summary has none.
            article.snippet = (
                snippet if "<mark>" in snippet or "<mark>" not in body_snippet else body_snippet
            )
            article.snippet = article.snippet or body_snippet
        return articles


def search(
    query: str, *, language=None, section=None, date_from=None, date_to=None
) -> SearchResults:
    """Public articles of one language edition matching `query`, best first."""
    from django.utils.translation import get_language

    language = (language or get_language() or settings.LANGUAGE_CODE)[:2]
    return SearchResults(
        parse_query(query),
        language=language,
        section=section,
        date_from=date_from,
        date_to=date_to,
    )


def matching_article_ids(query: str, *, limit: int = 2000) -> list[int]:
    """Any article (any status, any language) whose text matches: for the admin's search."""
    parsed = parse_query(query)
    if not parsed:
        return []
    with transaction.atomic(), default_connection.cursor() as cursor:
        if default_connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            match, match_params = _pg_match(parsed)
            cursor.execute(
                "SELECT DISTINCT s.article_id FROM articles_articlesearch s "
                f"WHERE {match} LIMIT %s",
                [*match_params, limit],
            )
        else:
            cursor.execute(
                f"SELECT DISTINCT s.article_id FROM {FTS_TABLE} JOIN articles_articlesearch s "
                f"ON s.id = {FTS_TABLE}.rowid WHERE {FTS_TABLE} MATCH %s LIMIT %s",
                [_fts_match(parsed), limit],
            )
        return [row[0] for row in cursor.fetchall()]


def related_candidates(article, *, language, limit: int = 40) -> dict[int, float]:
    """{article id: score} for related news, in one query: one point per tag shared with
    `article`, plus 0–1 for textual similarity to its headline and summary (from the search
    index), plus the newest of its section at 0 to fill up."""
    from articles.models import Article

    title = getattr(article, f"title_{language}", "") or ""
    summary = plain_text(getattr(article, f"summary_{language}", "") or "")
    keys = list(dict.fromkeys(term.key for term in analyze(f"{title} {summary}")))[:12]
    connection = default_connection
    adapt = connection.ops.adapt_datetimefield_value
    where = "s.language = %s AND s.status = %s AND s.published_at <= %s AND s.article_id <> %s"
    where_params = [language, "published", adapt(timezone.now()), article.pk]
    tags = connection.ops.quote_name(Article.tags.through._meta.db_table)
    parts, params = [], []
    if keys:
        if connection.vendor == "postgresql":
            query = " | ".join(_quote_lexeme(key) for key in keys)
            text = (
                "SELECT c.article_id, ts_rank(c.document, %s::tsquery) AS r FROM ("
                f"SELECT s.article_id, s.document FROM articles_articlesearch s WHERE {where} "
                "AND s.document @@ %s::tsquery ORDER BY s.published_at DESC LIMIT 300) c "
                "ORDER BY r DESC LIMIT 30"
            )
            text_params = [query, *where_params, query]
        else:
            text = (
                f"SELECT s.article_id, -bm25({FTS_TABLE}, 5.0, 2.0, 1.0, 0.5) AS r "
                f"FROM {FTS_TABLE} JOIN articles_articlesearch s ON s.id = {FTS_TABLE}.rowid "
                f"WHERE {FTS_TABLE} MATCH %s AND {where} ORDER BY r DESC LIMIT 30"
            )
            text_params = [" OR ".join(f'"{key}"' for key in keys), *where_params]
        parts.append(
            "SELECT t.article_id, CAST(COALESCE(t.r / NULLIF(MAX(t.r) OVER (), 0), 0) AS REAL) "
            f"AS score FROM ({text}) t"
        )
        params += text_params
    parts.append(
        "SELECT g.article_id, CAST(g.shared AS REAL) AS score FROM (SELECT a.article_id, "
        f"COUNT(*) AS shared FROM {tags} a WHERE a.tag_id IN (SELECT b.tag_id FROM {tags} b "
        "WHERE b.article_id = %s) AND a.article_id <> %s GROUP BY a.article_id "
        "ORDER BY shared DESC, a.article_id DESC LIMIT 90) g"
    )
    params += [article.pk, article.pk]
    parts.append(
        "SELECT f.article_id, CAST(0 AS REAL) AS score FROM (SELECT s.article_id "
        f"FROM articles_articlesearch s WHERE {where} AND s.section_id = %s "
        "ORDER BY s.published_at DESC LIMIT 10) f"
    )
    params += [*where_params, article.section_id]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.article_id, SUM(u.score) AS total FROM ("
            + " UNION ALL ".join(parts)
            + ") u GROUP BY u.article_id ORDER BY total DESC, u.article_id DESC LIMIT %s",
            [*params, limit],
        )
        return {pk: float(score) for pk, score in cursor.fetchall()}


# --- Snippets -------------------------------------------------------------------------------

SNIPPET_WORDS = 36
SNIPPET_LEAD = 8


def _word_start(window, index):
    """`index` moved back to the first part of a written word (٩٥مرشحاً is two parts)."""
    while index > 0 and window[index][0] == window[index - 1][1]:
        index -= 1
    return index


def make_snippet(text: str, parsed: ParsedQuery) -> str:
    """A window of whole words of plain `text` around the first match, escaped, with matching
    words in <mark>. Never cuts a word, never carries markup from the text. Reads the text
    only as far as the window needs."""
    exact, prefixes = parsed.exact_keys(), tuple(parsed.prefixes())
    pairs, previous = parsed.split_pairs(), set()

    def entry(start, end, keys):
        """[start, end, marked] of a word; a word that ends a split pair marks its partner."""
        nonlocal previous
        marked = bool(keys & exact) or bool(prefixes and any(k.startswith(prefixes) for k in keys))
        if pairs and any((first, second) in pairs for first in previous for second in keys):
            marked = window[-1][2] = True
        previous = keys
        return [start, end, marked]

    window, first_hit, more, trimmed = [], None, False, False
    for start, end, keys in highlight_keys(text):
        if first_hit is None:
            window.append(entry(start, end, keys))
            if window[-1][2]:
                # The word before is marked only when the two make a split pair.
                first_hit = len(window) - (2 if len(window) > 1 and window[-2][2] else 1)
                if first_hit > SNIPPET_LEAD:
                    cut = _word_start(window, first_hit - SNIPPET_LEAD)
                    window, trimmed = window[cut:], True
                    first_hit -= cut
            elif len(window) > SNIPPET_WORDS * 8:  # no match early on: show the opening
                break
        elif len(window) < SNIPPET_WORDS or start == window[-1][1]:
            window.append(entry(start, end, keys))
        else:
            more = True
            break
    if not window:
        return ""
    if len(window) > SNIPPET_WORDS:
        end = _word_start(window, SNIPPET_WORDS)
        window, more = window[:end] if end else window[:SNIPPET_WORDS], True
    out = ["… " if trimmed else ""]
    cursor = window[0][0] if trimmed else 0
    for start, end, marked in window:
        out.append(escape(text[cursor:start]))
        piece = escape(text[start:end])
        out.append(f"<mark>{piece}</mark>" if marked else piece)
        cursor = end
    out.append(" …" if more else escape(text[cursor:]))
    return mark_safe("".join(out))
