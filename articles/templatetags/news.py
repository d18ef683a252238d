"""Article widgets for any page: section navigation, the ticker, related news, dates."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html

from articles.dates import format_date
from articles.models import Article, Section

register = template.Library()

TICKER_SIZE = 8
BREAKING_WINDOW = timedelta(hours=72)
RELATED_COUNT = 6


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
    return {
        "sections": Section.objects.filter(in_navigation=True),
        "current": current,
        "request": context.get("request"),
    }


@register.inclusion_tag("articles/widgets/ticker.html")
def ticker():
    """Breaking news of the last three days; the latest headlines when there is none."""
    public = Article.objects.public().select_related("section")
    items = list(
        public.filter(is_breaking=True, published_at__gte=timezone.now() - BREAKING_WINDOW)[
            :TICKER_SIZE
        ]
    )
    is_breaking = bool(items)
    if not is_breaking:
        items = list(public[:TICKER_SIZE])
    return {"items": items, "is_breaking": is_breaking}


@register.inclusion_tag("articles/widgets/related_news.html")
def related_news(article, count=RELATED_COUNT):
    return {"articles": Article.objects.related_to(article).for_listing()[:count]}
