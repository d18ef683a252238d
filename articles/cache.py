"""What invalidates cached article pages and listings: every write to articles and what
they show bumps "articles" (writes without signals call `articles_changed()`); a scheduled
article becomes public with no write, so listings are kept no longer than until then.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from newsroom.cache import DEFAULT_TIMEOUT, bump_version, cached_value

ARTICLES = "articles"
# Sections, tags, authors and sources as articles show them. An article's own pieces are
# kept under its last change and this version: a new article leaves the others' in place.
LABELS = "labels"

_bulk = ContextVar("articles_bulk_changes", default=False)


def articles_changed(**_kwargs) -> None:
    bump_version(ARTICLES)
    if not _bulk.get():
        # The writer finds the next publication time once the write is committed, so that
        # the readers of the new version need not.
        transaction.on_commit(next_publication)


@contextmanager
def bulk_changes():
    """For writers of many articles (imports): each write still makes its changes seen at
    once, but the next publication time is found once, at the end, not after every one."""
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)
        articles_changed()


def labels_changed(sender, created=False, **_kwargs) -> None:
    """A section, tag, author or source was saved or deleted. A new tag, author or source
    is on no article yet (imports create many): only the lists may change."""
    from articles.models import Section

    if sender is Section or not created:
        bump_version(LABELS)
    articles_changed()


def article_tags_changed(instance, action, reverse, pk_set, **_kwargs) -> None:
    """An article shows its tags: changing them changes the article (its `updated_at`,
    which keys its cached pieces), from whichever side the change is made."""
    from articles.models import Article

    if not reverse and action in ("post_add", "post_remove", "post_clear"):
        ids = [instance.pk]
    elif reverse and action in ("post_add", "post_remove"):
        ids = list(pk_set)
    elif reverse and action == "pre_clear":
        ids = list(instance.articles.values_list("pk", flat=True))
    else:
        return
    now = timezone.now()
    Article.objects.filter(pk__in=ids).update(updated_at=now)
    if not reverse:
        instance.updated_at = now


def next_publication() -> datetime | None:
    """When the next scheduled article becomes public (None when none is), found once
    per change and kept until then."""
    from articles.models import Article

    found = []

    def find():
        public_later = Article.objects.filter(
            status=Article.Status.PUBLISHED, published_at__gt=timezone.now()
        )
        found.append(
            public_later.order_by("published_at").values_list("published_at", flat=True).first()
        )
        return found[0]

    return cached_value(
        "articles:next-publication",
        [],
        find,
        versions=[ARTICLES],
        timeout=lambda: seconds_until(found[0]),
        memo=True,
    )


def seconds_until(when: datetime | None, default: float = DEFAULT_TIMEOUT) -> float:
    if when is None:
        return default
    return max(0.0, min(default, (when - timezone.now()).total_seconds()))


def listing_timeout(default: int = DEFAULT_TIMEOUT) -> float:
    """Seconds a listing of public articles may be kept: until the next publication."""
    return seconds_until(next_publication(), default)


@dataclass(frozen=True)
class Labels:
    """Every section, author and source, by id; the site pages the footer links to."""

    sections: dict
    authors: dict
    sources: dict
    pages: tuple = ()


def labels() -> Labels:
    """The sections, authors and sources an article shows and the footer's site pages, read
    in two queries and kept until one changes (a new author or source may be missing: its
    article loads it itself)."""
    from articles.models import Author, Section

    def read():
        sections, sources, pages = Section.objects.with_sources_and_pages()
        return Labels(
            sections={section.pk: section for section in sections},
            authors={author.pk: author for author in Author.objects.all()},
            sources={source.pk: source for source in sources},
            pages=tuple(pages),
        )

    return cached_value("articles:labels", [], read, versions=[LABELS], memo=True)


def navigable_sections():
    """The sections shown in the navigation, in their order."""
    sections = labels().sections.values()
    return sorted(
        (section for section in sections if section.in_navigation),
        key=lambda section: (section.order, section.pk),
    )


def connect_signals() -> None:
    from articles.models import Article, Author, Section, Source, Tag

    for model in (Article, Section, Tag, Author, Source):
        receiver = articles_changed if model is Article else labels_changed
        uid = f"articles-changed-{model._meta.model_name}"
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-delete")
    for through in (Article.tags.through, Article.related.through):
        m2m_changed.connect(
            articles_changed, sender=through, dispatch_uid=f"articles-changed-{through.__name__}"
        )
    m2m_changed.connect(
        article_tags_changed, sender=Article.tags.through, dispatch_uid="article-tags-touch"
    )
