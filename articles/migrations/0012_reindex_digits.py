from django.db import migrations


def reindex_articles(apps, schema_editor):
    """The text pipeline now splits digits from letters (٩٥مرشحاً is ٩٥ and مرشحاً): every
    search row is written again in the new form."""
    from articles.search import index_rows

    if schema_editor.connection.vendor == "sqlite":
        return  # 0019 writes every row again, in the FTS5 table's newer layout
    Article = apps.get_model("articles", "Article")
    ArticleSearch = apps.get_model("articles", "ArticleSearch")
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        index_rows(
            Article.objects.filter(pk__in=ids[start : start + 1000]),
            model=ArticleSearch,
            connection=schema_editor.connection,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_provenance_feeds"),
    ]

    operations = [
        migrations.RunPython(reindex_articles, migrations.RunPython.noop),
    ]
