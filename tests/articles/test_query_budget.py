"""Every page costs a constant, small number of queries, whatever is on it.

Three numbers per page, the page cache being off (tests/test_pagecache.py: cached pages
cost none):
- *empty cache*: the first render after a deploy or a Redis restart; every widget (labels
  and section navigation, ticker, social links, ad list, next publication time) and every
  teaser is made again;
- *after a publish*: the first render once an article has been published; what depends on
  the list of articles (lists, ticker, related news, next publication time) is made again,
  the rest (navigation, social links, ads, the teasers of other articles) is not;
- *warm*: a render when only the page itself is not cached.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ads.models import Ad, Placement
from articles.models import Article, DailyReads, Tag
from articles.services import image_create
from tests.caches import clear_cache
from tests.conftest import jpeg_bytes

# page: (empty cache, after a publish, warm). The Arabic edition has breaking news, so its
# ticker is one query; the English one has none and falls back to the latest headlines.
# The next publication time is found by the publishing process, after its commit; when the
# cache is empty, by the first reader. "Labels" are the sections, sources and footer pages
# (one query) and the authors (one more), kept until one of them changes; the navigation,
# the footer and the section and author of a list page are made from them. Most read (24
# hours and 7 days) is one query, kept a few minutes and not made again by a publish; on
# an article page its teasers are read with those of related news ("teaser rows").
EXPECTED_QUERIES = {
    # front page (latest, section blocks), teaser rows, ticker,
    # + next publication, social links, labels, ads, most read when empty
    "home": (10, 4, 0),
    # count, the page's articles, teaser rows, ticker, + 7 when empty (next publication,
    # social links, labels, ads, most read and its teasers' rows; the section is among the
    # labels)
    "section": (11, 4, 0),
    # the article's row; its tags and teaser rows when its cached content is stale (after a
    # publish it is not); related news (manual picks, then the newest of the same section or
    # tags), ticker, + 6 when empty
    "article": (12, 5, 1),
    "article-without-picks": (12, 5, 1),
    # + the pictures of all its inline figures (one query, however many) when its cached
    # content is stale
    "article-with-figures": (13, 5, 1),
    # the tag (until a label changes), count, the page's articles, teaser rows, ticker; no
    # most read here: + 5 when empty
    "tag": (10, 4, 0),
    # the author is among the labels
    "author": (9, 4, 0),
    # the ticker's fallback: one more
    "english-home": (11, 5, 0),
}


FIGURES_TITLE = "خبر بالصور من البصرة"


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def grow(make_article, opinions, author):
    """Adds articles with tags, authors, translations and manual related picks, and ads
    in every slot, to see that cost stays flat."""
    slots = [
        Placement.objects.create(key=key, name_ar=key, width=300, height=250, max_ads=2)
        for key in ("header", "sidebar-1", "sidebar-2")
    ]

    def add(count):
        for index in range(count):
            ad = Ad.objects.create(
                name=f"ad {Ad.objects.count()}",
                kind=Ad.Kind.HTML,
                html_code=f"<p>ad {index}</p>",
                advertiser="Advertiser",
                starts_at=timezone.now() - timedelta(days=1),
            )
            ad.placements.set(slots)
        tags = [
            Tag.objects.create(slug=f"t{Tag.objects.count()}-{i}", name_ar="وسم") for i in range(3)
        ]
        english = {"title_en": "Water in Basra", "body_en": "<p>Text.</p>"}
        made = [
            make_article(tags=tags, author=author, is_featured=(i == 0), **english)
            for i in range(count)
        ]
        # The last story shows a figure per article of this batch, from the library.
        pictures = [
            image_create(file=SimpleUploadedFile("p.jpg", jpeg_bytes()), texts={"ar": {"alt": "x"}})
            for _ in range(count)
        ]
        figures = "".join(f'<figure data-image="{picture.pk}"></figure>' for picture in pictures)
        with_figures = Article.objects.filter(title_ar=FIGURES_TITLE).first()
        if with_figures is None:
            with_figures = make_article(title_ar=FIGURES_TITLE, tags=tags, author=author)
        with_figures.body_ar += figures
        with_figures.save()
        made += [
            make_article(section=opinions, tags=tags, author=author, is_breaking=True)
            for _ in range(count)
        ]
        for article in made[:3]:
            article.related.set(made[3:6])
        # Readers, today and earlier this week: both most read lists are full.
        for days, article in enumerate(made):
            DailyReads.objects.create(
                article=article, day=timezone.localdate() - timedelta(days=days % 3), reads=days + 1
            )
        return made

    return add


@pytest.mark.parametrize("page", EXPECTED_QUERIES)
def test_query_count_is_exact_and_constant(
    client, grow, news, author, make_article, django_capture_on_commit_callbacks, page
):
    first = grow(4)
    urls = {
        "home": "/",
        "section": news.get_absolute_url(),
        "article": first[0].get_absolute_url(),
        "article-without-picks": first[-1].get_absolute_url(),
        "article-with-figures": Article.objects.get(title_ar=FIGURES_TITLE).get_absolute_url(),
        "tag": first[0].tags.first().get_absolute_url(),
        "author": author.get_absolute_url(),
        "english-home": "/en/",
    }

    def three_states():
        clear_cache()
        empty = queries_for(client, urls[page])
        # A new story in the same section, with the same tags and author, in both languages.
        with django_capture_on_commit_callbacks(execute=True):
            make_article(
                tags=first[0].tags.all(),
                author=author,
                title_en="New",
                body_en="<p>N</p>",
                published_at=timezone.now(),
            )
        return empty, queries_for(client, urls[page]), queries_for(client, urls[page])

    small = three_states()
    grow(30)
    large = three_states()
    assert small == large == EXPECTED_QUERIES[page]
    assert large[1] <= 6  # the budget of a page that is not cached
    assert large[2] <= 1  # a page render once its pieces are cached


def test_every_widget_is_cached_until_an_article_changes(client, make_article, news):
    article = make_article()
    queries_for(client, "/")
    warm = queries_for(client, "/")
    article.title_ar = "عنوان جديد"
    article.save()
    assert queries_for(client, "/") > warm
    assert queries_for(client, "/") == warm
