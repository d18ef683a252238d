from django.db import migrations

SEARCH = "articles_articlesearch"
# The bucket key of a stored pair key "_first_second": "_" and the hex of
# `articles.search.index.pair_bucket` of the two words' hashes (migration 0016 made the keys
# integers).
WORD_HASH = "('x' || left(md5(split_part(pair, '_', {part})), 8))::bit(32)::bigint"
BUCKET = (
    f"'_' || to_hex(mod({WORD_HASH.format(part=2)} * 1000003 + {WORD_HASH.format(part=3)}, "
    "16777216)::int)"
)


def pairs_to_buckets(apps, schema_editor):
    """PostgreSQL: the word-pair keys become bucket keys (`pair_bucket`). Rewritten in place,
    with the index built again after (not updated row by row). Going back needs the
    older code's `manage.py rebuild_search_index`: a bucket cannot be turned back into
    its pair."""
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite keeps no pairs: FTS5 matches phrases itself
    schema_editor.execute("DROP INDEX IF EXISTS search_phrases_gin")
    schema_editor.execute(
        f"UPDATE {SEARCH} SET phrases = (SELECT array_to_tsvector(array_agg(DISTINCT {BUCKET})) "
        "FROM unnest(phrases) AS p(pair, positions, weights)) WHERE phrases <> ''::tsvector"
    )
    schema_editor.execute(f"CREATE INDEX search_phrases_gin ON {SEARCH} USING gin (phrases)")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_h20_tag_link_time"),
    ]

    operations = [migrations.RunPython(pairs_to_buckets, migrations.RunPython.noop)]
