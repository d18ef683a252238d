"""How each database stores the index (vendor-specific by nature)."""

import pytest
from django.db import connection

from articles.models import ArticleSearch

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the tsvector and GIN index exist on PostgreSQL only"
)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the FTS5 table exists on SQLite only"
)


@postgres_only
def test_postgres_document_is_a_weighted_tsvector_with_gin_indexes(make_article):
    article = make_article(
        title_ar="مجلس الوزراء", summary_ar="الموازنة", body_ar="<p>المرأة والأمن</p>"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT document::text, phrases::text FROM articles_articlesearch "
            "WHERE article_id = %s",
            [article.pk],
        )
        document, phrases = cursor.fetchone()
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'articles_articlesearch' "
            "AND indexdef LIKE '%%USING gin%%' ORDER BY indexname"
        )
        indexes = [row[0] for row in cursor.fetchall()]
    assert "'مجلس':1A" in document and "'مواز':3B" in document and "'امن':5C" in document
    assert "'_مجلس_زراء'" in phrases
    assert indexes == ["search_document_gin", "search_phrases_gin"]


@sqlite_only
def test_sqlite_fts_rows_follow_the_search_rows(make_article):
    article = make_article(title_ar="مجلس الوزراء", body_ar="<p>لمجلس المحافظة</p>")
    row = ArticleSearch.objects.get(article=article)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT title, body, variants FROM articles_search_fts WHERE rowid = %s", [row.pk]
        )
        assert cursor.fetchone() == ("مجلس زراء", "لمجلس محافظ", "مجلس")
        article.delete()
        cursor.execute("SELECT count(*) FROM articles_search_fts WHERE rowid = %s", [row.pk])
        assert cursor.fetchone()[0] == 0
