"""Writing the search rows: one per article and language edition (see the package's notes)."""

from bisect import bisect_left
from itertools import chain, compress, repeat
from operator import attrgetter

from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction

from articles.html import plain_text
from articles.text import Term, analyze, word_hash

FTS_TABLE = "articles_search_fts"
FIELDS = (("title", "A"), ("summary", "B"), ("body", "C"))
MAX_POSITIONS = 16383  # PostgreSQL's largest word position


def languages():
    return [code for code, _name in settings.LANGUAGES]


# Adjacent word pairs are indexed as one of this many buckets, not as themselves: a long-
# tailed vocabulary makes nearly every pair a key of its own (300 million at a million
# articles, an 11 GB index), buckets bound the keys. A bucket may hold other pairs too, so
# a lookup finds candidates that the word positions confirm (`postgres.py`). A row keeps its
# buckets as an integer array: its GIN index compares integers, not text, and builds in
# about 60 % of the time (migrations 0015 and 0016 rewrote older forms).
PAIR_BUCKETS = 1 << 24
BUCKET_MASK = PAIR_BUCKETS - 1  # x % PAIR_BUCKETS, a power of 2
PAIR_MULTIPLIER = 1_000_003
# A row's buckets are split by range over PAIR_COLUMNS arrays, each with a GIN index of its
# own. PostgreSQL 15 builds a GIN index in one process, in a tree of its keys in memory
# whose every insertion misses the processor's caches once it holds millions of keys: at a
# million articles the eight (2 ** 21 keys each) built in 652 s of one core, where three
# indexes of every bucket took about 850 s on the same machine; a load builds two at a time.
PAIR_COLUMNS = 8
PAIR_FIELDS = tuple(f"phrases_{column}" for column in range(PAIR_COLUMNS))
_COLUMN_BITS = (PAIR_BUCKETS // PAIR_COLUMNS).bit_length() - 1
_COLUMN_STARTS = [column << _COLUMN_BITS for column in range(1, PAIR_COLUMNS)]
ROW_FIELDS = (
    "article_id", "language", "section_id", "status", "published_at", "document", *PAIR_FIELDS
)  # fmt: skip


def pair_bucket(first: int, second: int) -> int:
    """The bucket of two adjacent words, from their `word_hash`es."""
    return (first * PAIR_MULTIPLIER + second) & BUCKET_MASK


def phrase_bucket(first: str, second: str) -> int:
    """The bucket of two adjacent words (search keys)."""
    return pair_bucket(word_hash(first), word_hash(second))


def pair_column(bucket: int) -> int:
    """The index of the array (of PAIR_FIELDS) that holds `bucket`."""
    return bucket >> _COLUMN_BITS


def quote_lexeme(lexeme: str) -> str:
    if "\\" in lexeme or "'" in lexeme:
        lexeme = lexeme.replace("\\", "\\\\").replace("'", "''")
    return "'" + lexeme + "'"


# What follows a key in a document, for each weight and position ("':7A '": its position
# and weight, then the next entry's opening quote): a document is "'" + key + spot + key + …
_SPOTS = {}


def _spots(weight: str) -> list[str]:
    if weight not in _SPOTS:
        _SPOTS[weight] = [f"':{p}{weight} '" for p in range(MAX_POSITIONS + 1)]
    return _SPOTS[weight]


def _field_spots(weight: str, first: int, count: int) -> list[str]:
    """The spots of `count` words from position `first`: words past the largest share it."""
    spots = _spots(weight)
    field = spots[first : first + count]
    return field + spots[-1:] * (count - len(field))


def _escaped(keys: list[str]) -> list[str]:
    """Keys as they go between quotes; at C speed when none holds a quote or a backslash
    (the rule)."""
    joined = "\0".join(keys)
    if "'" in joined or "\\" in joined:
        return [quote_lexeme(key)[1:-1] for key in keys]
    return keys


_KEY = attrgetter("key")
_KEY_HASH = attrgetter("key_hash")
_WHOLES = attrgetter("wholes")
_VARIANTS = attrgetter("variants")


def search_columns(fields: dict[str, list[Term]]) -> tuple[str, list[str]]:
    """The text forms of the article's search columns (cast by PostgreSQL on insert): the
    tsvector of its words with positions and weights, and the arrays of the buckets of its
    adjacent word pairs (see `pair_bucket`), in order, one for each of PAIR_FIELDS. Pairs
    live apart so that ranking, which reads the words of every candidate, never reads them.
    See `columns_of_keys`."""
    return columns_of_keys((weight, *_field_keys(fields[name])) for name, weight in FIELDS)


def term_extras(term: Term) -> tuple[list[str], list[str], list[int]] | None:
    """What a term is indexed under besides its key: its whole keys and its variants, as
    they go between quotes, and the variants' `word_hash`es; None when it has neither."""
    if not (term.wholes or term.variants):
        return None
    variants = list(term.variants)
    return _escaped(list(term.wholes)), _escaped(variants), [word_hash(v) for v in variants]


def _field_keys(terms: list[Term]):
    """(keys as they go between quotes, key hashes, [(index, term_extras)]) of a field."""
    with_extras = {
        *compress(range(len(terms)), map(_WHOLES, terms)),
        *compress(range(len(terms)), map(_VARIANTS, terms)),
    }
    return (
        _escaped(list(map(_KEY, terms))),
        list(map(_KEY_HASH, terms)),
        [(index, term_extras(terms[index])) for index in sorted(with_extras)],
    )


def columns_of_keys(fields) -> tuple[str, list[str]]:
    """`search_columns` from each field's (weight, keys as they go between quotes, their
    `word_hash`es, [(index, `term_extras`) of its terms that have any, in order]), in
    FIELDS' order: the bulk generator gives them from what it worked out once per word.

    Written for speed (it is most of the cost of indexing an article): one entry per
    occurrence ('key':7A), made by C-level maps; PostgreSQL's input merges a key's entries
    into one, its positions sorted (at most 256, a position given twice keeping its
    highest weight). Words past the largest position share it, each key once a weight."""
    entries, buckets = [], set()  # entries: key, spot, key, spot, …
    position = 0  # the last position given
    for weight, keys, hashes, extras in fields:
        if not keys:
            continue
        first = position + 1
        position = min(position + len(keys), MAX_POSITIONS)
        field_spots = _field_spots(weight, first, len(keys))
        entries += chain.from_iterable(zip(keys, field_spots, strict=True))
        for index, (wholes, _variants, _hashes) in extras:
            entries += chain.from_iterable(zip(wholes, repeat(field_spots[index])))
        buckets.update(map(pair_bucket, hashes, hashes[1:]))
        if not extras:
            continue
        variant_spots = _field_spots("D", first, len(keys))
        for index, (_wholes, variants, variant_hashes) in extras:
            entries += chain.from_iterable(zip(variants, repeat(variant_spots[index])))
            if index + 1 < len(keys):
                following = hashes[index + 1]
                buckets.update(pair_bucket(variant, following) for variant in variant_hashes)
    if position == MAX_POSITIONS:  # words past it: each key once a weight
        pairs = dict.fromkeys(zip(entries[::2], entries[1::2], strict=True))
        entries = list(chain.from_iterable(pairs))
    document = "'" + "".join(entries)[:-2] if entries else ""
    ordered = sorted(buckets)
    texts = list(map(str, ordered))
    cuts = [0, *(bisect_left(ordered, start) for start in _COLUMN_STARTS), len(ordered)]
    ranges = zip(cuts, cuts[1:], strict=False)
    return document, ["{" + ",".join(texts[start:end]) + "}" for start, end in ranges]


def _fields(title, summary, body) -> dict[str, list[Term]]:
    return {
        "title": analyze(title or ""),
        "summary": analyze(plain_text(summary)),
        "body": analyze(plain_text(body)),
    }


def article_values(article) -> dict:
    """What the search rows of `article` are made of."""
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


def _fts_row(pk, fields: dict[str, list[Term]]) -> tuple:
    """A search row's FTS5 row (SQLite): each field's keys in order (phrases are matched on
    their positions), then every variant, then every whole key (`Term.wholes`)."""
    terms = [term for name, _weight in FIELDS for term in fields[name]]
    return (
        pk,
        *(" ".join(term.key for term in fields[name]) for name, _weight in FIELDS),
        " ".join(variant for term in terms for variant in term.variants),
        " ".join(whole for term in terms for whole in term.wholes),
    )


def index_rows(articles, *, model=None, connection=None) -> int:
    """(Re)build the search rows of `articles` (model instances, their `article_values` or a
    queryset); returns the number of rows written. Used by Article.save(), bulk commands
    and the migration. On PostgreSQL many rows go in with COPY, made as text."""
    from articles.bulk import insert_values
    from articles.models import ArticleSearch

    model = model or ArticleSearch
    connection = connection or default_connection
    if hasattr(articles, "values"):
        names = [f"{n}_{code}" for code in languages() for n in ("title", "summary", "body")]
        rows = list(articles.values("pk", "section_id", "status", "published_at", *names))
    else:
        rows = [item if isinstance(item, dict) else article_values(item) for item in articles]
    if not rows:
        return 0
    is_pg = connection.vendor == "postgresql"
    # Migration 0019 rewrites the rows with its own (older) model: one column of every bucket.
    one_pairs_column = not any(field.name == PAIR_FIELDS[0] for field in model._meta.fields)
    row_fields = (*ROW_FIELDS[:-PAIR_COLUMNS], "phrases") if one_pairs_column else ROW_FIELDS
    values, texts = [], []
    for row in rows:
        for language in languages():
            title, body = row[f"title_{language}"], row[f"body_{language}"]
            if not (title and body):
                continue
            fields = _fields(title, row[f"summary_{language}"], body)
            document, phrases = search_columns(fields) if is_pg else ("", [""] * PAIR_COLUMNS)
            if one_pairs_column:
                phrases = ["{" + ",".join(filter(None, (p[1:-1] for p in phrases))) + "}"]
            values.append(
                (
                    row["pk"],
                    language,
                    row["section_id"],
                    row["status"],
                    row["published_at"],
                    document,
                    *phrases,
                )
            )
            texts.append(fields)
    manager = model.objects.using(connection.alias)
    with transaction.atomic(using=connection.alias):
        manager.filter(article_id__in=[row["pk"] for row in rows]).delete()
        if is_pg and len(values) > 1:
            insert_values(model, row_fields, values, connection=connection)
            return len(values)
        objects = manager.bulk_create(
            [model(**dict(zip(row_fields, row, strict=True))) for row in values], batch_size=1000
        )
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body, variants, wholes) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    [_fts_row(obj.pk, fields) for obj, fields in zip(objects, texts, strict=True)],
                )
    return len(values)


def sync_status(article_ids) -> None:
    """Copy status and publication time after a bulk update of articles (no text change)."""
    from django.db.models import OuterRef, Subquery

    from articles.models import Article, ArticleSearch

    source = Article.objects.filter(pk=OuterRef("article_id")).order_by()
    ArticleSearch.objects.filter(article_id__in=list(article_ids)).update(
        status=Subquery(source.values("status")[:1]),
        published_at=Subquery(source.values("published_at")[:1]),
    )
