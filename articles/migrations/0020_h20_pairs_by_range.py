import importlib

from django.db import migrations

import articles.models

SEARCH = "articles_articlesearch"
# Eight columns of the buckets (2 ** 24 of them) by range: a bucket's column is its top bits
# (articles.search.index.PAIR_COLUMNS; fixed here, as this migration wrote them).
COLUMNS = 8
COLUMN_BITS = 21
FIELDS = [f"phrases_{column}" for column in range(COLUMNS)]
BATCH = 10_000  # articles a transaction
# ANALYZE keeps the frequencies of ten times this many buckets of each column: 10,000 in all,
# as migration 0017 kept of the one column (buckets are spread evenly over the ranges). More
# would slow the analysis, which a large load waits for: at 1,000, 15.3 s for the eight
# columns at 100,000 articles, against 1.9 s for the one column.
STATISTICS_TARGET = 1000 // COLUMNS
# Migration 0018's indexes in parts and the statistics of its parts' expression.
IN_PARTS = "articles.migrations.0018_h20_pairs_index_in_parts"
WHOLE_KEYS = "articles.migrations.0019_h20_whole_keys"


# Each row's buckets, by range, in one pass over them.
SPLIT = (
    f"UPDATE {SEARCH} SET ({', '.join(FIELDS)}) = (SELECT "
    + ", ".join(
        f"coalesce(array_agg(bucket ORDER BY bucket) FILTER (WHERE bucket >> {COLUMN_BITS} = "
        f"{column}), '{{}}')"
        for column in range(COLUMNS)
    )
    + " FROM unnest(phrases) AS bucket) WHERE article_id >= %s AND article_id < %s"
)


def _batches(schema_editor, sql):
    """Run `sql` for the search rows of BATCH articles at a time (each statement its own
    transaction when the migration runs outside one), with migration 0019's session: each
    row written again enters the GIN indexes through their pending lists."""
    session = importlib.import_module(WHOLE_KEYS).POSTGRES_SESSION
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT min(article_id), max(article_id) FROM {SEARCH}")
        low, high = cursor.fetchone()
        if low is None:
            return
        for name, value in session.items():
            cursor.execute(f"SET {name} TO '{value}'")
        try:
            for start in range(low, high + 1, BATCH):
                cursor.execute(sql, [start, start + BATCH])
        finally:
            for name in session:
                cursor.execute(f"RESET {name}")


def split_pairs(apps, schema_editor):
    """PostgreSQL: each row's pair buckets are split by range over eight columns, each with
    its own GIN index, and migration 0018's indexes in parts go with the one column.
    PostgreSQL 15 builds a GIN index in one process, in a tree of its keys in memory that
    misses the processor's caches at every insertion once it holds millions of keys; an
    index of an eighth of the keys builds for far less a key (articles.search.index)."""
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite keeps no pairs: FTS5 matches phrases itself
    in_parts = importlib.import_module(IN_PARTS)
    _batches(schema_editor, SPLIT)
    for field in FIELDS:
        schema_editor.execute(
            f"ALTER TABLE {SEARCH} ALTER COLUMN {field} SET STATISTICS {STATISTICS_TARGET}"
        )
        in_parts._create_index(schema_editor, f"search_{field}_gin", f"({field})")
    for part in range(in_parts.PARTS):
        in_parts._drop_index(schema_editor, in_parts._part(part))
    schema_editor.execute(f"DROP STATISTICS IF EXISTS {in_parts.STATISTICS}")
    schema_editor.execute(f"ANALYZE {SEARCH}")


def join_pairs(apps, schema_editor):
    """Back: one column of every bucket (the ranges in order keep them sorted), indexed in
    parts as migration 0018 made it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    in_parts = importlib.import_module(IN_PARTS)
    _batches(
        schema_editor,
        f"UPDATE {SEARCH} SET phrases = {' || '.join(FIELDS)} "
        "WHERE article_id >= %s AND article_id < %s",
    )
    schema_editor.execute(f"ALTER TABLE {SEARCH} ALTER COLUMN phrases SET STATISTICS 1000")
    in_parts.index_pairs_in_parts(apps, schema_editor)


def keep_fts_delete_trigger(apps, schema_editor):
    """SQLite: adding or removing a column of the search table makes the table again, without
    the trigger that deletes a row's FTS5 row with it (migration 0003): made again after."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS articles_search_fts_delete AFTER DELETE ON {SEARCH} "
            "BEGIN DELETE FROM articles_search_fts WHERE rowid = old.id; END"
        )


class Migration(migrations.Migration):
    # Outside a transaction: the rows are rewritten a batch at a time and the indexes built
    # concurrently, so a large archive stays searchable and writable meanwhile (a migration
    # cut short is run again whole).
    atomic = False

    dependencies = [
        ("articles", "0019_h20_whole_keys"),
    ]

    # The trigger is made again last either way (the first operation is the last backwards).
    operations = [
        migrations.RunPython(keep_fts_delete_trigger, keep_fts_delete_trigger),
        *(
            migrations.AddField(
                model_name="articlesearch",
                name=field,
                field=articles.models.PairBucketsField(blank=True, default="{}", db_default="{}"),
            )
            for field in FIELDS
        ),
        migrations.RunPython(split_pairs, join_pairs),
        migrations.RemoveField(model_name="articlesearch", name="phrases"),
        migrations.RunPython(keep_fts_delete_trigger, keep_fts_delete_trigger),
    ]
