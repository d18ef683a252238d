from django.db import migrations

LINKS = "articles_article_tags"
ARTICLES = "articles_article"

FORWARD = [
    f"ALTER TABLE {LINKS} ADD COLUMN published_at timestamp with time zone",
    f"UPDATE {LINKS} AS link SET published_at = article.published_at FROM {ARTICLES} AS article "
    "WHERE article.id = link.article_id AND article.published_at IS NOT NULL",
    f"CREATE INDEX article_tags_time_idx ON {LINKS} "
    "(tag_id, published_at DESC NULLS LAST, article_id DESC)",
    # Whoever writes a link (the ORM, an import's COPY), it takes its article's time...
    "CREATE FUNCTION articles_link_time() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"NEW.published_at := (SELECT published_at FROM {ARTICLES} WHERE id = NEW.article_id); "
    "RETURN NEW; END $$",
    f"CREATE TRIGGER articles_link_time BEFORE INSERT OR UPDATE OF article_id ON {LINKS} "
    "FOR EACH ROW EXECUTE FUNCTION articles_link_time()",
    # ...and whatever changes an article's time (a save, a queryset update) changes theirs.
    "CREATE FUNCTION articles_article_time() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"UPDATE {LINKS} SET published_at = NEW.published_at WHERE article_id = NEW.id; "
    "RETURN NULL; END $$",
    f"CREATE TRIGGER articles_article_time AFTER UPDATE OF published_at ON {ARTICLES} "
    "FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at) "
    "EXECUTE FUNCTION articles_article_time()",
]
BACKWARD = [
    f"DROP TRIGGER articles_article_time ON {ARTICLES}",
    "DROP FUNCTION articles_article_time()",
    f"DROP TRIGGER articles_link_time ON {LINKS}",
    "DROP FUNCTION articles_link_time()",
    f"ALTER TABLE {LINKS} DROP COLUMN published_at",
]


def add_link_time(apps, schema_editor):
    """PostgreSQL: each article–tag link carries its article's publication time, kept by
    the database itself, and an index orders a tag's links by it (see
    `ArticleQuerySet.tagged`). Django does not know the column: it writes links as before."""
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def drop_link_time(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_article_updated_idx"),
    ]

    operations = [migrations.RunPython(add_link_time, drop_link_time)]
