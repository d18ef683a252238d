from django.db import migrations

BATCH = 1000
# Each batch's deletes and inserts update the GIN indexes through their pending lists: a
# larger list and the memory to sort it when it is merged (as an import's sessions set).
POSTGRES_SESSION = {
    "synchronous_commit": "off",
    "gin_pending_list_limit": "64MB",
    "work_mem": "64MB",
}


FTS_TABLE = "articles_search_fts"


def add_fts_wholes_column(apps, schema_editor):
    """SQLite: the FTS5 table gets a column for the whole keys, which ranking gives no weight
    (FTS5 cannot add a column: the table is made again; its rows are written below). Its
    delete trigger, on the search table, names it and stays."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE {FTS_TABLE}")
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, summary, body, variants, "
            "wholes, tokenize = 'unicode61 remove_diacritics 0')"
        )


def reindex_articles(apps, schema_editor):
    """A word that begins with و or ف is now also indexed whole (text.Term.wholes), and a
    query for such a word looks for that key: every search row is written again, newest
    articles first (the ones most searched for), and cached search results are dropped."""
    from articles.cache import articles_changed
    from articles.search import index_rows

    connection = schema_editor.connection
    Article = apps.get_model("articles", "Article")
    ArticleSearch = apps.get_model("articles", "ArticleSearch")
    ids = list(Article.objects.order_by("-pk").values_list("pk", flat=True))
    if not ids:
        return
    session = POSTGRES_SESSION if connection.vendor == "postgresql" else {}
    with connection.cursor() as cursor:
        for name, value in session.items():
            cursor.execute(f"SET {name} TO '{value}'")
        try:
            for start in range(0, len(ids), BATCH):
                index_rows(
                    Article.objects.filter(pk__in=ids[start : start + BATCH]),
                    model=ArticleSearch,
                    connection=connection,
                )
        finally:
            for name in session:
                cursor.execute(f"RESET {name}")
    articles_changed()


class Migration(migrations.Migration):
    # Each batch is its own transaction: a large archive stays searchable and writable
    # meanwhile (a migration cut short is run again whole).
    atomic = False

    dependencies = [
        ("articles", "0018_h20_pairs_index_in_parts"),
        ("newsroom", "0001_issue18_content_versions"),  # where articles_changed() writes
    ]

    # Backwards, the rows and the FTS5 table stay: the older code reads and writes them.
    operations = [
        migrations.RunPython(add_fts_wholes_column, migrations.RunPython.noop),
        migrations.RunPython(reindex_articles, migrations.RunPython.noop),
    ]
