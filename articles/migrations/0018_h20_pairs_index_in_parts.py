from django.db import migrations

SEARCH = "articles_articlesearch"
PARTS = 3
PART = f"mod(article_id, {PARTS})"
WHOLE = "search_phrases_gin"
# What ANALYZE keeps of each part's share of the rows: without it the planner would guess a
# part's condition met by 0.5 % of them and every pairs lookup 67 times too rare.
STATISTICS = "search_pair_part"


def _part(part: int) -> str:
    return f"{WHOLE}_{part}"


def _create_index(schema_editor, name, definition):
    """Build index `name` on the search table: concurrently when the migration runs outside
    a transaction (a live site: articles stay writable while it builds), plainly inside
    one. An index of that name that a failed concurrent build left invalid is built again."""
    connection = schema_editor.connection
    concurrently = "" if connection.in_atomic_block else " CONCURRENTLY"
    with connection.cursor() as cursor:
        cursor.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name])
        found = cursor.fetchone()
    if found and found[0]:
        return
    if found:
        schema_editor.execute(f"DROP INDEX{concurrently} {name}")
    schema_editor.execute(f"CREATE INDEX{concurrently} {name} ON {SEARCH} USING gin {definition}")


def _drop_index(schema_editor, name):
    concurrently = "" if schema_editor.connection.in_atomic_block else " CONCURRENTLY"
    schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {name}")


def index_pairs_in_parts(apps, schema_editor):
    """PostgreSQL: the word pairs' GIN index becomes three partial indexes, each over the
    rows of a third of the articles. PostgreSQL 15 builds a GIN index in one process, and
    this one took 958 s of a million-article load while the other core had little to do;
    in parts, a load builds them on two connections at once (articles.search.postgres)."""
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite keeps no pairs: FTS5 matches phrases itself
    schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} ON ({PART}) FROM {SEARCH}")
    schema_editor.execute(f"ANALYZE {SEARCH}")
    for part in range(PARTS):
        _create_index(schema_editor, _part(part), f"(phrases) WHERE {PART} = {part}")
    _drop_index(schema_editor, WHOLE)


def index_pairs_whole(apps, schema_editor):
    """Back: the one index of migration 0016."""
    if schema_editor.connection.vendor != "postgresql":
        return
    _create_index(schema_editor, WHOLE, "(phrases)")
    for part in range(PARTS):
        _drop_index(schema_editor, _part(part))
    schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    # Outside a transaction: the indexes are built concurrently (see _create_index).
    atomic = False

    dependencies = [
        ("articles", "0017_h20_words_index_by_day_section"),
    ]

    operations = [migrations.RunPython(index_pairs_in_parts, index_pairs_whole)]
