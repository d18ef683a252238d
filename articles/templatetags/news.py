"""Article widgets for any page: section navigation, the ticker, teasers, related news,
dates. Each is cached as HTML: an uncached page is mostly cached pieces put together."""

from datetime import timedelta

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext

from articles.cache import ARTICLES, LABELS, labels, listing_timeout, navigable_sections
from articles.dates import format_date, format_hijri
from articles.models import Article, localized
from articles.readership import MOST_READ_SECONDS, WITHDRAWN
from articles.readership import most_read as most_read_lists
from articles.teasers import TeaserForm, render_teasers
from newsroom import images
from newsroom.cache import cached_value

register = template.Library()

TICKER_SIZE = 8
BREAKING_WINDOW = timedelta(hours=72)
RELATED_COUNT = 6
RELATED_FORM = TeaserForm(heading="h3")
# The sidebar's most read (issue 17).
MOST_READ_COUNT = 5
MOST_READ_FORM = TeaserForm(heading="h3")
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
    # The title keeps the exact time where the browser shows a relative one
    # (articles/static/articles/reader.js: "منذ 3 ساعات" for stories under a day old).
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        timezone.localtime(value).isoformat(timespec="minutes"),
        format_date(value, with_time=True),
        format_date(value, with_time=with_time),
    )


@register.simple_tag
def section_nav(current=None):
    """The navigable sections, `current` (a slug) marked; rendered once per language and
    current section, and kept until a section changes."""
    language = get_language()

    def render():
        return render_to_string(
            "articles/widgets/section_nav.html",
            {"sections": navigable_sections(), "current": current},
        )

    html = cached_value("articles:nav", [language, current], render, versions=[LABELS], memo=True)
    return mark_safe(html)  # noqa: S308 - rendered by our own template


@register.simple_tag
def ticker():
    """Breaking news of the last three days; the latest headlines when there is none.
    Rendered once per language and kept until an article changes, the next one is
    published or an item grows old."""
    language = get_language()
    built = {}

    def render():
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
        built.update(items=items, is_breaking=is_breaking)
        return render_to_string("articles/widgets/ticker.html", built)

    def timeout():
        seconds = listing_timeout()
        if built["is_breaking"]:
            oldest = min(item.published_at for item in built["items"])
            seconds = min(seconds, (oldest + BREAKING_WINDOW - timezone.now()).total_seconds())
        return seconds

    html = cached_value(
        "articles:ticker", [language], render, versions=[ARTICLES], timeout=timeout, memo=True
    )
    return mark_safe(html)  # noqa: S308 - rendered by our own template


@register.simple_tag
def teasers(articles, heading="h2", show_section=False):
    """`<li>` teasers of `articles` (articles or TeaserRefs), from the cache where they are
    (articles/teasers.py)."""
    form = TeaserForm(heading=heading, show_section=bool(show_section))
    html = render_teasers([(article, form) for article in articles])
    return mark_safe("".join(f"<li>{item}</li>" for item in html if item))  # noqa: S308


@register.simple_tag
def related_news(article, count=RELATED_COUNT):
    """ "Read more": the related articles' teasers (from the cache where they are), as one
    piece of HTML kept until an article changes or the next one is published. When it is
    made, the teasers of the sidebar's most read are looked up with these: on an empty
    cache one query reads the rows of both, and the most read widget, made next (and kept
    by itself), finds its teasers in the cache."""
    language = get_language()

    def render():
        related = Article.objects.only("pk", "updated_at").related_list(article, count, language)
        reads = [
            (ref, MOST_READ_FORM)
            for refs in most_read_lists(MOST_READ_COUNT).values()
            for ref in refs
        ]
        teasers = render_teasers([*((item, RELATED_FORM) for item in related), *reads])
        teasers = [html for html in teasers[: len(related)] if html]
        if not teasers:
            return ""
        return render_to_string("articles/widgets/related_news.html", {"teasers": teasers})

    html = cached_value(
        "articles:related",
        [article.pk, language, count],
        render,
        versions=[ARTICLES],
        timeout=listing_timeout,
    )
    return mark_safe(html)  # noqa: S308 - rendered by our own template


# Issue 17: the sidebar's most read, the footer, columnists' photos.


@register.simple_tag
def most_read(teasers=None):
    """ "Most read" in the last 24 hours and 7 days. The home page passes the teasers it
    rendered with its own (one lookup for the whole page); other pages get them here."""
    if teasers is not None:
        return render_to_string("articles/widgets/most_read.html", {"most_read_teasers": teasers})

    def render():
        lists = most_read_lists(MOST_READ_COUNT)
        html = iter(
            render_teasers([(ref, MOST_READ_FORM) for refs in lists.values() for ref in refs])
        )
        found = {name: [next(html) for _ in refs] for name, refs in lists.items()}
        return render_to_string("articles/widgets/most_read.html", {"most_read_teasers": found})

    # Kept by the process as the lists are: section and article pages pay no round trip.
    language = get_language()
    html = cached_value(
        "articles:most-read",
        [language],
        render,
        versions=[ARTICLES, WITHDRAWN],
        timeout=MOST_READ_SECONDS,
        memo=True,
    )
    return mark_safe(html)  # noqa: S308 - rendered by our own template


@register.simple_tag
def site_footer():
    """The footer's sections, site pages and feeds; kept until a section or page changes.
    The pages come with the labels (the same query as the sections)."""
    language = get_language()

    def render():
        # Only the pages written for this edition.
        pages = [page for page in labels().pages if getattr(page, localized("title"))]
        return render_to_string(
            "articles/widgets/footer.html", {"sections": navigable_sections(), "pages": pages}
        )

    html = cached_value("articles:footer", [language], render, versions=[LABELS], memo=True)
    return mark_safe(html)  # noqa: S308 - rendered by our own template


AVATAR_PIXELS = 96  # shown at 48 CSS pixels: sharp on high-density screens


@register.inclusion_tag("articles/widgets/avatar.html")
def author_photo(author, size=48):
    """The author's photo, cropped square (made once, then found in the cache); nothing
    when they have none."""
    photo = getattr(author, "photo", None)
    found = None
    if photo:
        found = images.rendition(photo, AVATAR_PIXELS, AVATAR_PIXELS, directory="authors")
    return {"rendition": found, "size": size}


@register.simple_tag
def hijri_date(value):
    """The Hijri date of `value`, when the site shows Hijri dates."""
    text = format_hijri(value)
    return format_html('<span class="hijri-date">{}</span>', text) if text else ""


@register.simple_tag
def masthead_dates():
    """Today in both calendars, for the masthead."""
    now = timezone.localtime()
    hijri = format_hijri(now)
    gregorian = format_html(
        '<time datetime="{}">{}</time>', now.date().isoformat(), format_date(now, with_time=False)
    )
    if not hijri:
        return gregorian
    return format_html(
        '{} <span aria-hidden="true">·</span> <span class="hijri-date">{}</span>', gregorian, hijri
    )


# A save this long after publication is a change readers are told about; quicker ones are
# the publishing desk's last touches.
@register.simple_tag
def updated_time(article):
    """ "Updated <time>" for a published story that an editor corrected after publication
    (its `corrected_at`, set when a correction is published); nothing otherwise."""
    if article.published_at is None or article.corrected_at is None:
        return ""
    return format_html(
        '<span class="updated">{} {}</span>',
        pgettext("time", "Updated"),
        news_time(article.corrected_at),
    )
