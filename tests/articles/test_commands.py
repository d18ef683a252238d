from datetime import timedelta
from io import StringIO
from itertools import accumulate

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import Article, Section


def test_generate_articles_creates_public_arabic_articles_in_bulk(db):
    out = StringIO()
    call_command("generate_articles", count=120, seed=7, batch_size=50, stdout=out)
    assert Article.objects.public("ar").count() == 120
    assert "Created 120 articles" in out.getvalue()
    article = Article.objects.first()
    assert article.slug_ar and article.section_id and article.tags.exists()
    lengths = [len(body.split()) for body in Article.objects.values_list("body_ar", flat=True)]
    assert sum(lengths) / len(lengths) > 150 and min(lengths) > 60  # about 300 words a story
    # As an archive grows: a higher id is a newer article, 140 a day to a minute ago.
    times = list(Article.objects.order_by("pk").values_list("published_at", flat=True))
    assert times == sorted(times) and len(set(times)) == 120
    assert timedelta(hours=20) < times[-1] - times[0] < timedelta(hours=21)
    assert timedelta(seconds=60) < timezone.now() - times[-1] < timedelta(minutes=15)


def test_generate_articles_is_repeatable_with_a_seed(db):
    call_command("generate_articles", count=5, seed=3, stdout=StringIO())
    first = sorted(Article.objects.values_list("title_ar", flat=True))
    Article.objects.all().delete()
    call_command("generate_articles", count=5, seed=3, stdout=StringIO())
    assert sorted(Article.objects.values_list("title_ar", flat=True)) == first


def test_generated_archives_of_any_length_end_with_the_same_newest_articles(db):
    """Batches are counted from the newest article, so a seed's newest articles are the same
    at every archive length: pages compared across lengths show the same stories (and the
    same related news, ticker and teasers), only the depth of the archive differs."""
    fields = ("title_ar", "section_id", "author_id", "is_breaking", "body_ar")

    def newest(count):
        Article.objects.all().delete()
        call_command("generate_articles", count=count, seed=6, batch_size=8, stdout=StringIO())
        times = list(Article.objects.order_by("pk").values_list("published_at", flat=True))
        assert times == sorted(times)  # ids still follow publication times
        return [
            (*(getattr(article, name) for name in fields), {tag.pk for tag in article.tags.all()})
            for article in Article.objects.order_by("-pk")[:20]
        ]

    assert newest(20) == newest(45) == newest(37)


def test_generate_articles_refuses_a_bad_count(db):
    with pytest.raises(CommandError):
        call_command("generate_articles", count=0, stdout=StringIO())
    with pytest.raises(CommandError, match="--per-day"):
        call_command("generate_articles", count=5, per_day=0, stdout=StringIO())


def test_loaddemo_is_idempotent_and_creates_staff_accounts(db, django_user_model):
    out = StringIO()
    call_command("loaddemo", stdout=out)
    counts = (Section.objects.count(), Article.objects.count())
    assert counts[0] >= 2 and counts[1] >= 25
    assert Section.objects.filter(slug="news", name_ar="أخبار").exists()
    assert Section.objects.filter(slug="opinions", name_ar="آراء").exists()
    assert "password" in out.getvalue()
    assert Article.objects.public("ar").count() >= 20
    assert Article.objects.public("en").exists()
    assert Article.objects.filter(status=Article.Status.DRAFT).exists()
    assert Article.objects.exclude(main_image=None).count() == Article.objects.count()

    second = StringIO()
    call_command("loaddemo", stdout=second)
    assert (Section.objects.count(), Article.objects.count()) == counts
    assert "Articles: 0 created" in second.getvalue()
    admin = django_user_model.objects.get(username="admin")
    assert admin.is_superuser
    assert django_user_model.objects.get(username="writer").groups.filter(name="Writers").exists()


def test_generated_text_has_a_real_archive_s_long_tail(db):
    """Hundreds of thousands of words with Zipf's frequencies: a few very common, most rare
    (the old generator's 230 words made every word common and the search index tiny)."""
    from collections import Counter

    from articles.management.commands.generate_articles import vocabulary
    from articles.text import analyze

    words, _weights = vocabulary()
    assert len(words) > 250_000
    call_command("generate_articles", count=40, seed=5, stdout=StringIO())
    counts = Counter(
        term.key for article in Article.objects.all() for term in analyze(article.body_ar)
    )
    assert len(counts) > 3000  # distinct words in 40 articles of about 300 words
    once = sum(1 for count in counts.values() if count == 1)
    assert once > len(counts) / 3  # the long tail: many words are seen once


def test_the_guide_table_draws_the_words_random_choices_would():
    """Words drawn through the guide table are those random.choices draws from the same
    random numbers (a seed's text stays the same), at every edge of a slot or of a word's
    share, with a vocabulary of ranked words or a few words of any weights."""
    import math
    import random
    from bisect import bisect_right

    from articles.management.commands.generate_articles import GUIDE_SLOTS, Draws, vocabulary

    class Numbers:
        def __init__(self, numbers):
            self.numbers = iter(numbers)

        def random(self):
            return next(self.numbers)

    _words, ranked = vocabulary()
    for weights in (ranked, list(accumulate([5.0, 0.25, 1e-9, 3.0, 0.5])), [2.0]):
        draw = Draws(weights)
        total = weights[-1] + 0.0
        for seed in range(3):
            expected = random.Random(seed).choices(
                range(len(weights)), cum_weights=weights, k=20_000
            )
            assert draw(random.Random(seed), 20_000) == expected
        edges = [*weights, *(slot * total / GUIDE_SLOTS for slot in range(0, GUIDE_SLOTS, 97))]
        numbers = [
            number
            for edge in edges
            for number in (
                edge / total,
                math.nextafter(edge / total, 0),
                math.nextafter(edge / total, 1),
            )
            if 0 <= number < 1
        ]
        last = len(weights) - 1
        assert draw(Numbers(numbers), len(numbers)) == [
            bisect_right(weights, number * total, 0, last) for number in numbers
        ]


def test_the_generator_makes_search_rows_as_the_live_index_from_each_word_s_number():
    """The generator makes an article's search row from what it worked out once for each
    word (by the word's number): the columns `search_columns` gives for the terms of the
    article's text, words with variants and whole keys among them, rare words too."""
    from datetime import UTC, datetime

    from articles.html import plain_text
    from articles.management.commands.generate_articles import RARE_WORDS, Batches
    from articles.search.index import search_columns
    from articles.text import analyze

    batches = Batches(
        seed=9, sections=[1, 2], tags=[1, 2, 3, 4], authors=[1], count=300, batch_size=300,
        now=datetime(2026, 12, 1, tzinfo=UTC), per_day=140,
    )  # fmt: skip
    rare_keys = {term.key for word in RARE_WORDS for term in analyze(word)}
    extras = rare = 0
    for values, numbers, _tags in batches.articles(0, 300):
        terms = {
            "title": analyze(values["title"]),
            "summary": analyze(values["summary"]),
            "body": analyze(plain_text(values["body"])),
        }
        assert batches.text.search_columns(numbers) == search_columns(terms)
        every = [term for field in terms.values() for term in field]
        extras += sum(1 for term in every if term.variants or term.wholes)
        rare += sum(1 for term in every if term.key in rare_keys)
    assert extras > 1000 and rare > 0


def _schema():
    """Every index, constraint, trigger and column statistics target set of the database, as
    PostgreSQL describes them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace "
            "UNION ALL SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE NOT tgisinternal "
            "UNION ALL SELECT attrelid::regclass::text || '.' || attname, attstattarget::text "
            "FROM pg_attribute WHERE attstattarget >= 0 AND attnum > 0 "
            "AND attrelid::regclass::text LIKE 'articles_%%'"
        )
        return sorted(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fails", [False, True])
def test_a_large_load_leaves_every_index_as_it_found_it(monkeypatch, fails):
    """A large load drops the indexes no constraint needs and builds them after, even when
    it fails on the way; tag links still get their article's time."""
    from django.db import connection

    from articles.management.commands import generate_articles

    if connection.vendor != "postgresql":
        pytest.skip("indexes are dropped on PostgreSQL only")
    before = _schema()
    monkeypatch.setattr(generate_articles, "REINDEX_FROM", 10)
    if fails:
        real = generate_articles.Batches.copy

        def copy(self, cursor, number, first_id, size):
            if number == 0:  # the second batch written (the oldest goes first)
                raise RuntimeError("cut short")
            return real(self, cursor, number, first_id, size)

        monkeypatch.setattr(generate_articles.Batches, "copy", copy)
    options = {"count": 20, "seed": 2, "batch_size": 10, "workers": 1, "stdout": StringIO()}
    if fails:
        with pytest.raises(RuntimeError):
            call_command("generate_articles", **options)
    else:
        call_command("generate_articles", **options)
    assert _schema() == before
    assert Article.objects.count() == (10 if fails else 20)
    if not fails:  # every column analysed, the pairs' apart (ANALYZE_SEARCH)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stats WHERE tablename = 'articles_articlesearch' "
                "AND attname LIKE 'phrases_%%'"
            )
            assert cursor.fetchone()[0] == 8
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM articles_article_tags AS link JOIN articles_article AS article "
            "ON article.id = link.article_id WHERE link.published_at = article.published_at"
        )
        assert cursor.fetchone()[0] == Article.tags.through.objects.count() > 0


def _search_rows():
    """Every search row as the database holds it (on SQLite with its FTS5 text)."""
    from django.db import connection

    from articles.models import ArticleSearch
    from articles.search.index import FTS_TABLE, PAIR_FIELDS

    rows = {
        (row[0], row[1]): row[2:]
        for row in ArticleSearch.objects.values_list(
            "article_id", "language", "id", "section_id", "status", "published_at", "document",
            *PAIR_FIELDS,
        )
    }  # fmt: skip
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid, title, summary, body, variants FROM {FTS_TABLE}")
            fts = {row[0]: row[1:] for row in cursor.fetchall()}
        rows = {key: (*value[1:], fts[value[0]]) for key, value in rows.items()}
    else:
        rows = {key: value[1:] for key, value in rows.items()}
    return rows


def test_generated_articles_are_searchable_and_indexed_as_the_live_index_does(db):
    """The bulk writer's search rows are those Article.save() writes, one per article."""
    from articles.models import Author, Tag
    from articles.search import index_rows, search
    from articles.text import analyze

    call_command("generate_articles", count=30, seed=4, batch_size=7, per_day=2, stdout=StringIO())
    articles = list(Article.objects.order_by("pk"))
    assert len(articles) == 30
    written = _search_rows()
    assert len(written) == 30
    assert index_rows(Article.objects.all()) == 30  # what the live index writes
    assert _search_rows() == written
    assert {a.section_id for a in articles} <= set(Section.objects.values_list("pk", flat=True))
    assert Author.objects.filter(articles__in=articles).exists()
    assert Tag.objects.filter(articles__in=articles).exists()
    span = articles[-1].published_at - articles[0].published_at
    assert timedelta(days=14) < span < timedelta(days=15)  # 30 articles, 2 a day
    for article in articles[:5]:
        word = next(w for w in article.title_ar.split() if analyze(w))
        assert article in search(word, language="ar")[0:100]
