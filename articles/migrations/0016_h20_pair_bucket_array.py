from django.db import migrations

import articles.models

SEARCH = "articles_articlesearch"
# A stored bucket key "_<hex>" (migration 0015) as the integer it names.
KEY_TO_BUCKET = "('x' || lpad(substr(key, 2), 8, '0'))::bit(32)::int"
CONVERT = "articles_pair_buckets"


def _rewrite(schema_editor, function, column_type):
    """Rewrite the pairs column as `column_type` with the SQL `function` (a rewrite takes no
    subquery: the conversion is a function while it runs), its index built again after."""
    schema_editor.execute("DROP INDEX IF EXISTS search_phrases_gin")
    schema_editor.execute(f"CREATE FUNCTION {CONVERT} {function}")
    schema_editor.execute(
        f"ALTER TABLE {SEARCH} ALTER COLUMN phrases TYPE {column_type} USING {CONVERT}(phrases)"
    )
    schema_editor.execute(f"DROP FUNCTION {CONVERT}")
    schema_editor.execute(f"CREATE INDEX search_phrases_gin ON {SEARCH} USING gin (phrases)")


def keys_to_array(apps, schema_editor):
    """PostgreSQL: the pair buckets, kept as the keys of a tsvector, become an integer array
    (its GIN index compares integers, not text): one rewrite of the table."""
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite keeps no pairs: FTS5 matches phrases itself
    # An array of a few hundred integers is short enough to stay in the row, which would
    # make the narrow table's rows ten times wider (and every scan of them slower): rows
    # longer than this keep their long columns out of line.
    schema_editor.execute(f"ALTER TABLE {SEARCH} SET (toast_tuple_target = 128)")
    _rewrite(
        schema_editor,
        f"(keys tsvector) RETURNS integer[] IMMUTABLE LANGUAGE sql AS $$ SELECT ARRAY("
        f"SELECT {KEY_TO_BUCKET} FROM unnest(tsvector_to_array(keys)) AS key ORDER BY 1) $$",
        "integer[]",
    )


def array_to_keys(apps, schema_editor):
    """Back: the buckets as the keys of a tsvector again (migration 0015's form)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {SEARCH} RESET (toast_tuple_target)")
    _rewrite(
        schema_editor,
        "(buckets integer[]) RETURNS tsvector IMMUTABLE LANGUAGE sql AS $$ SELECT "
        "array_to_tsvector(ARRAY(SELECT '_' || to_hex(bucket) FROM unnest(buckets) AS bucket)) $$",
        "tsvector",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_h20_pair_buckets"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(keys_to_array, array_to_keys)],
            state_operations=[
                migrations.AlterField(
                    model_name="articlesearch",
                    name="phrases",
                    field=articles.models.PairBucketsField(blank=True, default="{}"),
                )
            ],
        )
    ]
