"""Every page costs a constant, small number of queries, whatever is on it.

Two numbers per page: *cold*, the first render after a content change (the shared
widgets — section navigation, ticker, social links, the next publication time — are
fetched again), and *warm*, a render when only the page itself is not cached (the page
cache is off in tests; see tests/test_pagecache.py for cached pages, which cost none).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ads.models import Ad, Placement
from articles.models import Tag
from tests.caches import clear_cache

# page: (cold, warm). Cold pays for the shared widgets, each cached until its content
# changes: next publication time, social links, section navigation, ticker, the ad list.
# The Arabic edition has breaking news, so its ticker is one query; the English one has
# none and falls back to the latest headlines (a second query).
EXPECTED_QUERIES = {
    # latest, section blocks + 5 shared
    "home": (7, 1),
    # section, count, the page's articles + 5 shared
    "section": (8, 2),
    # article, its tags, related news (manual picks, then the newest of the same section or
    # tags) + 5 shared
    "article": (9, 4),
    # without manual picks (the article query says so), one query less
    "article-without-picks": (8, 3),
    # tag, count, the page's articles + 5 shared
    "tag": (8, 2),
    "author": (8, 2),
    # latest, section blocks + 5 shared + the ticker's fallback
    "english-home": (8, 1),
}


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
        made += [
            make_article(section=opinions, tags=tags, author=author, is_breaking=True)
            for _ in range(count)
        ]
        for article in made[:3]:
            article.related.set(made[3:6])
        return made

    return add


@pytest.mark.parametrize("page", EXPECTED_QUERIES)
def test_query_count_is_exact_and_constant(client, grow, news, author, page):
    first = grow(4)
    urls = {
        "home": "/",
        "section": news.get_absolute_url(),
        "article": first[0].get_absolute_url(),
        "article-without-picks": first[-1].get_absolute_url(),
        "tag": first[0].tags.first().get_absolute_url(),
        "author": author.get_absolute_url(),
        "english-home": "/en/",
    }

    def cold_and_warm():
        clear_cache()
        return queries_for(client, urls[page]), queries_for(client, urls[page])

    small = cold_and_warm()
    grow(30)
    large = cold_and_warm()
    assert small == large == EXPECTED_QUERIES[page]
    assert large[1] <= 6  # the budget of a page render once the shared widgets are cached


def test_every_widget_is_cached_until_an_article_changes(client, make_article, news):
    article = make_article()
    queries_for(client, "/")
    warm = queries_for(client, "/")
    article.title_ar = "عنوان جديد"
    article.save()
    assert queries_for(client, "/") > warm
    assert queries_for(client, "/") == warm
