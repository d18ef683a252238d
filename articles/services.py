"""Writes to articles that more than one caller needs (admin actions, commands, importers)."""

from django.utils import timezone

from articles import search
from articles.models import Article


def publish_articles(queryset, *, when=None) -> int:
    """Make the articles public at `when` (now by default); already public ones keep
    their original publication time. Returns how many changed."""
    when = when or timezone.now()
    pending = queryset.exclude(status=Article.Status.PUBLISHED, published_at__lte=when)
    ids = list(pending.values_list("pk", flat=True))
    changed = Article.objects.filter(pk__in=ids).update(
        status=Article.Status.PUBLISHED, published_at=when, updated_at=when
    )
    search.sync_status(ids)
    return changed


def unpublish_articles(queryset) -> int:
    """Take the articles off the site (back to draft), published or scheduled alike."""
    ids = list(queryset.filter(status=Article.Status.PUBLISHED).values_list("pk", flat=True))
    changed = Article.objects.filter(pk__in=ids).update(
        status=Article.Status.DRAFT, updated_at=timezone.now()
    )
    search.sync_status(ids)
    return changed
