"""Every page costs a constant, small number of queries, whatever is on it."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Tag


def queries_for(client, url):
    """The uncached cost: widgets that cache their data (ads) start cold each time."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def grow(make_article, opinions):
    """Adds articles with tags and manual related picks, to see that cost stays flat."""

    def add(count):
        tags = [
            Tag.objects.create(slug=f"t{Tag.objects.count()}-{i}", name_ar="وسم") for i in range(3)
        ]
        made = [make_article(tags=tags, is_featured=(i == 0)) for i in range(count)]
        made += [make_article(section=opinions, tags=tags) for _ in range(count)]
        for article in made[:3]:
            article.related.set(made[3:6])
        return made

    return add


@pytest.mark.parametrize("page", ["home", "section", "article", "tag"])
def test_query_count_is_constant_and_within_budget(client, grow, news, page):
    first = grow(4)
    urls = {
        "home": "/",
        "section": news.get_absolute_url(),
        "article": first[0].get_absolute_url(),
        "tag": first[0].tags.first().get_absolute_url(),
    }
    small = queries_for(client, urls[page])
    grow(30)
    large = queries_for(client, urls[page])
    assert small == large
    assert large <= 10
