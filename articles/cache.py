"""What invalidates cached article pages and listings.

Every write to articles and the things they show bumps the "articles" content version
(see newsroom/cache.py). Writes that send no signals (`QuerySet.update()`,
`bulk_create()`) call `articles_changed()` themselves: see services.py and the
generate_articles command. A scheduled article becomes public with no write at all, so
anything that lists articles is cached no longer than until the next publication time.
"""

import math
from datetime import datetime

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from newsroom.cache import DEFAULT_TIMEOUT, bump_version, get_versions, make_key

ARTICLES = "articles"


def articles_changed(**_kwargs) -> None:
    bump_version(ARTICLES)


def next_publication() -> datetime | None:
    """When the next scheduled article becomes public (None when none is scheduled).
    Cached until an article changes or that time comes: one query per change."""
    now = timezone.now()
    key = make_key("articles:next-publication", [], get_versions([ARTICLES]))
    entry = cache.get(key)
    if entry is not None and (entry[0] is None or entry[0] > now):
        return entry[0]
    from articles.models import Article

    upcoming = (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    seconds = DEFAULT_TIMEOUT if upcoming is None else (upcoming - now).total_seconds()
    cache.set(key, (upcoming,), max(1, math.ceil(min(DEFAULT_TIMEOUT, seconds))))
    return upcoming


def listing_timeout(default: int = DEFAULT_TIMEOUT) -> float:
    """Seconds a listing of public articles may be cached: the default, or less when a
    scheduled article becomes public sooner."""
    upcoming = next_publication()
    if upcoming is None:
        return default
    return max(0.0, min(default, (upcoming - timezone.now()).total_seconds()))


def connect_signals() -> None:
    from articles.models import Article, Author, Section, Source, Tag

    for model in (Article, Section, Tag, Author, Source):
        uid = f"articles-changed-{model._meta.model_name}"
        post_save.connect(articles_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(articles_changed, sender=model, dispatch_uid=f"{uid}-delete")
    for through in (Article.tags.through, Article.related.through):
        m2m_changed.connect(
            articles_changed, sender=through, dispatch_uid=f"articles-changed-{through.__name__}"
        )
