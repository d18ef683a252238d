"""Writes to articles that more than one caller needs (admin actions, commands, importers)."""

from django.utils import timezone

from articles.cache import articles_changed
from articles.models import Article


def publish_articles(queryset, *, when=None) -> int:
    """Make the articles public at `when` (now by default); already public ones keep
    their original publication time. Returns how many changed."""
    when = when or timezone.now()
    pending = queryset.exclude(status=Article.Status.PUBLISHED, published_at__lte=when)
    count = pending.update(status=Article.Status.PUBLISHED, published_at=when, updated_at=when)
    if count:
        articles_changed()  # update() sends no signals
    return count


def unpublish_articles(queryset) -> int:
    """Take the articles off the site (back to draft), published or scheduled alike."""
    count = queryset.filter(status=Article.Status.PUBLISHED).update(
        status=Article.Status.DRAFT, updated_at=timezone.now()
    )
    if count:
        articles_changed()  # update() sends no signals
    return count
