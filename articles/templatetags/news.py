"""Article widgets for any page: section navigation, the ticker, related news, dates."""

from datetime import timedelta

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language

from articles.cache import ARTICLES, listing_timeout
from articles.dates import format_date
from articles.models import Article, Section, localized
from newsroom.cache import cached_value

register = template.Library()

TICKER_SIZE = 8
BREAKING_WINDOW = timedelta(hours=72)
RELATED_COUNT = 6
# What a headline link needs, in every language (the ticker caches no bodies).
HEADLINE_FIELDS = [
    "pk",
    "published_at",
    *(localized(field, code) for code, _name in settings.LANGUAGES for field in ("title", "slug")),
]


@register.filter
def newsdate(value, with_time=True):
    return format_date(value, with_time=bool(with_time))


@register.simple_tag
def news_time(value, with_time=True):
    """A <time> element with a machine-readable value and the site's date convention."""
    if value is None:
        return ""
    return format_html(
        '<time datetime="{}">{}</time>',
        timezone.localtime(value).isoformat(timespec="minutes"),
        format_date(value, with_time=with_time),
    )


@register.inclusion_tag("articles/widgets/section_nav.html", takes_context=True)
def section_nav(context, current=None):
    sections = cached_value(
        "articles:nav",
        [],
        lambda: list(Section.objects.filter(in_navigation=True)),
        versions=[ARTICLES],
    )
    return {
        "sections": sections,
        "current": current,
        "request": context.get("request"),
    }


@register.inclusion_tag("articles/widgets/ticker.html")
def ticker():
    """Breaking news of the last three days; the latest headlines when there is none.
    Cached until an article changes, the next one is published or an item grows old."""
    language = get_language()
    built = {}

    def build():
        public = (
            Article.objects.public(language)
            .select_related("section")
            .only(*HEADLINE_FIELDS, "section__slug")
        )
        since = timezone.now() - BREAKING_WINDOW
        items = list(public.filter(is_breaking=True, published_at__gte=since)[:TICKER_SIZE])
        is_breaking = bool(items)
        if not is_breaking:
            items = list(public[:TICKER_SIZE])
        built["value"] = {"items": items, "is_breaking": is_breaking}
        return built["value"]

    def timeout():
        seconds = listing_timeout()
        value = built["value"]
        if value["is_breaking"]:
            oldest = min(item.published_at for item in value["items"])
            seconds = min(seconds, (oldest + BREAKING_WINDOW - timezone.now()).total_seconds())
        return seconds

    return cached_value("articles:ticker", [language], build, versions=[ARTICLES], timeout=timeout)


@register.inclusion_tag("articles/widgets/related_news.html")
def related_news(article, count=RELATED_COUNT):
    return {"articles": Article.objects.for_listing().related_list(article, count)}
