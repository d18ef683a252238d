"""Teasers (the items of every list of articles), each rendered once per article version,
language and form. The key holds the article's last change and the "labels" version, not
"articles": a publish leaves every other teaser in the cache. A page's teasers cost one
cache round trip (none for those the process keeps) and one query for those missing.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from articles.cache import LABELS
from articles.models import Article
from newsroom.cache import cached_many

TEMPLATE = "articles/includes/teaser.html"
# The key names the article's last change: the time to live only bounds memory.
SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class TeaserForm:
    """How a list shows its teasers."""

    heading: str = "h2"
    show_section: bool = False
    lead: bool = False


def render_teasers(entries):
    """The HTML of each (article, TeaserForm) of `entries`, in order; an article is an
    Article or a TeaserRef. A teaser whose article has been deleted is empty."""
    language = get_language()

    def parts(entry):
        article, form = entry
        return [language, form, article.pk, article.updated_at.isoformat()]

    def build(missing):
        loaded = {
            article.pk: article
            for article, _form in missing
            if isinstance(article, Article) and not article.get_deferred_fields()
        }
        unloaded = {article.pk for article, _form in missing} - loaded.keys()
        loaded |= Article.objects.for_listing().in_bulk(unloaded) if unloaded else {}
        return [
            render_to_string(TEMPLATE, {"article": loaded[article.pk], **vars(form)})
            if article.pk in loaded
            else ""
            for article, form in missing
        ]

    html = cached_many("articles:teaser", entries, parts, build, versions=[LABELS], timeout=SECONDS)
    return [mark_safe(item) for item in html]  # noqa: S308 - rendered by our own template
