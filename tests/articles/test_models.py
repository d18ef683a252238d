from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from articles import bulk
from articles.models import Article, Section, Tag


def test_published_is_the_one_definition_of_public(make_article):
    public = make_article()
    make_article(status=Article.Status.DRAFT)
    make_article(status=Article.Status.REVIEW)
    scheduled = make_article(published_at=timezone.now() + timedelta(minutes=5))

    assert list(Article.objects.published()) == [public]
    assert scheduled.is_scheduled and not scheduled.is_public


def test_scheduled_article_appears_when_its_time_comes(make_article):
    scheduled = make_article(published_at=timezone.now() + timedelta(hours=1))
    assert scheduled not in Article.objects.published()

    Article.objects.filter(pk=scheduled.pk).update(
        published_at=timezone.now() - timedelta(seconds=1)
    )
    assert scheduled in Article.objects.published()


def test_language_edition_needs_title_and_body_in_that_language(make_article):
    arabic_only = make_article()
    bilingual = make_article(title_en="Water in Basra", body_en="<p>Text.</p>")
    title_only = make_article(title_en="Headline without a body")

    assert set(Article.objects.public("ar")) == {arabic_only, bilingual, title_only}
    assert list(Article.objects.public("en")) == [bilingual]
    with translation.override("en"):
        assert list(Article.objects.public()) == [bilingual]


def test_database_refuses_published_article_without_time(news):
    with pytest.raises(IntegrityError), transaction.atomic():
        # bulk_create skips save(), so only the database constraint stands in the way.
        Article.objects.bulk_create(
            [Article(section=news, title_ar="عنوان", body_ar="<p>نص</p>", status="published")]
        )


def test_publishing_without_time_stamps_now(news):
    article = Article.objects.create(
        section=news, title_ar="عنوان", body_ar="<p>نص</p>", status=Article.Status.PUBLISHED
    )
    assert article.published_at is not None
    assert article.published_at <= timezone.now()


def test_slug_keeps_arabic_letters_and_is_made_per_language(make_article):
    article = make_article(title_ar="المرأة والأمن والسلام", title_en="Women, peace and security")
    assert article.slug_ar == "المرأة-والأمن-والسلام"
    assert article.slug_en == "women-peace-and-security"


def test_body_is_sanitised_on_save(make_article):
    article = make_article(
        body_ar='<p onclick="steal()">نص <a href="javascript:alert(1)">رابط</a></p>'
        "<script>alert(1)</script><img src=x onerror=alert(1)><style>p{}</style>",
        body_en='<p><a href="https://example.org/" target="_blank">ok</a></p>'
        '<iframe src="//x"></iframe>',
    )
    article.refresh_from_db()
    for body in (article.body_ar, article.body_en):
        assert "script" not in body
        assert "onclick" not in body and "onerror" not in body
        assert "javascript:" not in body
        assert "<style" not in body and "<iframe" not in body
    assert '<a href="https://example.org/" rel="noopener noreferrer">ok</a>' in article.body_en


def test_reserved_section_slug_is_refused(db):
    section = Section(slug="tag", name_ar="وسوم")
    with pytest.raises(ValidationError) as error:
        section.full_clean()
    assert "slug" in error.value.message_dict


def test_related_news_manual_first_then_section_and_tags_newest_first(make_article, opinions, tag):
    article = make_article(tags=[tag])
    older_same_section = make_article(published_at=timezone.now() - timedelta(days=3))
    newer_same_section = make_article(published_at=timezone.now() - timedelta(minutes=1))
    shares_tag = make_article(section=opinions, tags=[tag])
    unrelated = make_article(
        section=opinions, title_ar="مباراة الدوري الممتازة", body_ar="<p>فاز النادي بالكأس.</p>"
    )
    picked = make_article(section=opinions, published_at=timezone.now() - timedelta(days=9))
    draft_pick = make_article(status=Article.Status.DRAFT)
    article.related.set([picked, draft_pick])

    related = Article.objects.related_list(article, 10)

    assert related[0] == picked
    assert related.index(newer_same_section) < related.index(older_same_section)
    assert shares_tag in related
    assert unrelated not in related
    assert draft_pick not in related
    assert article not in related
    assert len(related) == len(set(related))


def test_related_news_bounded_query_finds_what_the_plain_condition_finds(
    make_article, news, opinions, tag, django_assert_num_queries
):
    """Section first through its own index, tags in a window of the newest: on a small
    archive (inside the window) exactly the newest of "same section or a shared tag", in
    one query after the picks, on either database."""
    from django.db.models import Exists, OuterRef, Q

    other_tag = Tag.objects.create(name="الموازنة", slug="budget")
    article = make_article(tags=[tag, other_tag])
    now = timezone.now()
    made = [
        make_article(
            section=opinions if n % 2 else news,
            tags=[[], [tag], [other_tag], [tag, other_tag]][n % 4],
            published_at=now - timedelta(hours=n),
        )
        for n in range(1, 17)
    ]
    through = Article.tags.through.objects
    shares = through.filter(article_id=OuterRef("pk"), tag_id__in=[tag.pk, other_tag.pk])
    for count in (1, 3, 6, 20):
        expected = list(
            Article.objects.public()
            .exclude(pk=article.pk)
            .filter(Q(section_id=article.section_id) | Exists(shares))
            .order_by("-published_at", "-pk")[:count]
        )
        with django_assert_num_queries(2):
            assert Article.objects.related_list(article, count) == expected
    assert made[0] in Article.objects.related_list(article, 3)  # opinions, shares a tag


def test_a_tags_articles_newest_first_however_written_or_redated(make_article, tag, news):
    now = timezone.now()
    saved = [make_article(tags=[tag], published_at=now - timedelta(hours=h)) for h in (3, 1, 2)]
    make_article(tags=[tag], status=Article.Status.DRAFT)  # never listed
    make_article(published_at=now - timedelta(minutes=1))  # another tag's
    # Links written in bulk (COPY on PostgreSQL), as the imports write them.
    copied = make_article(published_at=now - timedelta(minutes=90))
    bulk.insert_values(Article.tags.through, ("article_id", "tag_id"), [(copied.pk, tag.pk)])
    # Re-dated by a save and by a queryset update, after their links were written.
    saved[0].published_at = now - timedelta(minutes=5)
    saved[0].save()
    Article.objects.filter(pk=saved[1].pk).update(published_at=now - timedelta(hours=5))

    expected = sorted(
        [*saved, copied], key=lambda a: (Article.objects.get(pk=a.pk).published_at, a.pk)
    )[::-1]
    assert list(Article.objects.public().tagged(tag)) == expected
    assert list(Article.objects.public().tagged(tag)[1:3]) == expected[1:3]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_a_tags_page_reads_the_tags_links_in_order(make_article, tag):
    """Starting from the date index, a rare tag's page read the whole archive."""
    make_article(tags=[tag])
    page = Article.objects.public().tagged(tag).values_list("pk")[:20]
    sql, params = page.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # Only plans that need no sort: the one that reads the tag's links in order.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "article_tags_time_idx" in plan


def test_newest_per_section_in_one_query(make_article, news, opinions, django_assert_num_queries):
    now = timezone.now()
    made = {
        section: [
            make_article(section=section, published_at=now - timedelta(hours=hours))
            for hours in (5, 1, 3)
        ]
        for section in (news, opinions)
    }
    make_article(section=news, status=Article.Status.DRAFT)  # never listed
    empty = Section.objects.create(slug="empty", name_ar="فارغ")
    with django_assert_num_queries(1):
        blocks = Article.objects.public().newest_per_section([news, opinions, empty], 2)
    for section in (news, opinions):
        newest_first = [made[section][1], made[section][2]]
        assert [ref.pk for ref in blocks[section.pk]] == [a.pk for a in newest_first]
        assert blocks[section.pk][0].updated_at == newest_first[0].updated_at
    assert blocks[empty.pk] == []
