"""Sitemaps: an index at /sitemap.xml over articles (one sitemap per language edition,
in pages of 10,000 URLs), sections and tags, with hreflang alternates; and a
Google News sitemap of the last 48 hours at /sitemap-news.xml."""

import math
from datetime import timedelta
from functools import partial
from html import escape
from urllib.parse import quote

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language, override
from django.views.decorators.http import require_safe

from articles.feeds import xml_text
from articles.models import Article, Section, Tag, localized
from newsroom.pagecache import page_query
from newsroom.site import site_name

NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000  # Google News reads at most this many URLs per sitemap
URL_SAFE = "!$&'()*+,;=/~:@"  # what reverse() leaves unquoted in a path


def _languages():
    return [code for code, _name in settings.LANGUAGES]


def _has_language(language):
    """True where the article has a headline and body in `language` (see in_language)."""
    return ExpressionWrapper(
        Q(**{f"{localized('title', language)}__gt": ""})
        & Q(**{f"{localized('body', language)}__gt": ""}),
        output_field=BooleanField(),
    )


class _LanguagePairs:
    """(article, language) pairs over a queryset, sliced in the database: the
    paginator never loads more than one page of articles."""

    def __init__(self, queryset, language, count):
        self.queryset, self.language, self._count = queryset, language, count

    def count(self):
        return self._count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        return [(article, self.language) for article in self.queryset[index]]


class I18nSitemap(Sitemap):
    """Each URL with hreflang alternates for the languages the item exists in, and an
    x-default pointing at the default (Arabic) edition."""

    i18n = True
    alternates = True
    x_default = True

    def get_languages_for_item(self, item):
        return [code for code in _languages() if getattr(item, f"has_{code}", True)]

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        for url in urls:
            # Django derives x-default by deleting "/<default language>/" from the URL;
            # our default edition has no prefix, so take its address as it is.
            by_language = {alt["lang_code"]: alt for alt in url["alternates"]}
            if "x-default" in by_language:
                default = by_language[settings.LANGUAGE_CODE]["location"]
                by_language["x-default"]["location"] = default
        return urls


class ArticleSitemap(I18nSitemap):
    """The public articles of one language edition, oldest first so pages stay stable.

    The protocol allows 50,000 URLs and 50 MB a file. Arabic slugs are percent-encoded
    (six bytes a letter) and every URL carries three hreflang links, about 1.2 kB in
    all: 50,000 of them came to 59 MB. Pages of 10,000 stay near 12 MB."""

    limit = 10_000
    changefreq = None
    priority = None

    def __init__(self, language):
        self.language = language
        self.languages = [language]
        self._section_urls, self._locations = {}, {}

    def queryset(self):
        return (
            Article.objects.public(self.language)
            .select_related("section")
            .only("pk", "updated_at", "section__slug", *(f"slug_{c}" for c in _languages()))
            .annotate(**{f"has_{code}": _has_language(code) for code in _languages()})
            .order_by("pk")
        )

    def items(self):
        return self.queryset()

    def _items(self):
        return _LanguagePairs(self.queryset(), self.language, lambda: self.stats()["count"])

    def stats(self):
        """How many and the latest update, in one pass (the index needs both)."""
        if not hasattr(self, "_stats"):
            self._stats = Article.objects.public(self.language).aggregate(
                count=Count("pk"), latest=Max("updated_at")
            )
        return self._stats

    def lastmod(self, article):
        return article.updated_at

    def get_latest_lastmod(self):
        return self.stats()["latest"]

    def location(self, article):
        """The article's address, as get_absolute_url() spells it, with reverse() once per
        language and section instead of once per URL and alternate (30,000 times a page)."""
        language = get_language()
        key = (language, article.pk)
        if key not in self._locations:
            section = (language, article.section.slug)
            if section not in self._section_urls:
                self._section_urls[section] = reverse(
                    "articles:section", kwargs={"slug": section[1]}
                )
            slug = quote(article.slug or "-", safe=URL_SAFE)
            self._locations[key] = f"{self._section_urls[section]}{article.pk}/{slug}/"
        return self._locations[key]


class _ListingSitemap(I18nSitemap):
    """Sections or tags, in each language where they list at least one public article.

    Worked out with one grouped query per language over the articles rather than a
    subquery per section or tag: with 100,000 articles the difference is seconds."""

    model = None
    relation = None

    def items(self):
        if not hasattr(self, "_items_list"):
            self._items_list = self._find_items()
        return self._items_list

    def _find_items(self):
        languages = {
            code: set(
                Article.objects.public(code)
                .filter(**{f"{self.relation}__isnull": False})
                .order_by()
                .values_list(self.relation, flat=True)
                .distinct()
            )
            for code in _languages()
        }
        latest = dict(
            Article.objects.published()
            .filter(**{f"{self.relation}__isnull": False})
            .order_by()
            .values_list(self.relation)
            .annotate(latest=Max("updated_at"))
        )
        items = []
        for item in self.model.objects.order_by("pk"):
            if item.pk in latest:
                for code, listed in languages.items():
                    setattr(item, f"has_{code}", item.pk in listed)
                item.latest = latest[item.pk]
                if any(item.pk in listed for listed in languages.values()):
                    items.append(item)
        return items

    def lastmod(self, item):
        return item.latest

    def get_latest_lastmod(self):
        return max((item.latest for item in self.items()), default=None)


class SectionSitemap(_ListingSitemap):
    model = Section
    relation = "section"


class TagSitemap(_ListingSitemap):
    model = Tag
    relation = "tags"


# Classes (or partials), not instances: the views make a fresh sitemap per request.
SITEMAPS = {
    **{f"articles-{code}": partial(ArticleSitemap, code) for code in _languages()},
    "sections": SectionSitemap,
    "tags": TagSitemap,
}


@require_safe
def index(request):
    # One instance each for the whole request; empty sitemaps are left out of the index.
    sitemaps = {name: make() for name, make in SITEMAPS.items()}
    sitemaps = {name: sitemap for name, sitemap in sitemaps.items() if sitemap.paginator.count}
    return sitemap_views.index(request, sitemaps, sitemap_url_name="sitemap-section")


@require_safe
def section(request, section):
    page = request.GET.get("p", "")
    if page.isdigit():
        # The page cache stores only the canonical spelling of a sitemap page.
        page_query(request, p=int(page))
    response = sitemap_views.sitemap(request, SITEMAPS, section=section)
    # The XML of Django's sitemap template, written directly: the template engine spent
    # half of a 10,000-URL page's render on it.
    response.content = urlset_xml(response.context_data["urlset"])
    return response


def urlset_xml(urls) -> str:
    """What Django's sitemap.xml template makes of `urls` (see the test that compares)."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
        'schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    ]
    for url in urls:
        parts.append(f"<url><loc>{escape(url['location'])}</loc>")
        if url.get("lastmod"):
            day = url["lastmod"]
            if hasattr(day, "tzinfo") and timezone.is_aware(day):
                day = timezone.localtime(day)
            parts.append(f"<lastmod>{day:%Y-%m-%d}</lastmod>")
        if url.get("changefreq"):
            parts.append(f"<changefreq>{escape(str(url['changefreq']))}</changefreq>")
        if url.get("priority"):
            parts.append(f"<priority>{escape(str(url['priority']))}</priority>")
        for alternate in url.get("alternates", ()):
            parts.append(
                f'<xhtml:link rel="alternate" hreflang="{escape(alternate["lang_code"])}" '
                f'href="{escape(alternate["location"])}"/>'
            )
        parts.append("</url>")
    parts.append("\n</urlset>\n")
    return "".join(parts)


@require_safe
def news(request):
    """Google News: every public article of the last 48 hours, once per language."""
    now = timezone.now()
    since = now - NEWS_WINDOW
    entries = []
    for code in _languages():
        articles = (
            Article.objects.public(code)
            .filter(published_at__gte=since)
            .select_related("section")
            .only("pk", "published_at", "section__slug", f"slug_{code}", f"title_{code}")
        )
        with override(code):
            name = site_name()
            for article in articles[:NEWS_LIMIT]:
                entries.append(
                    {
                        "location": request.build_absolute_uri(article.get_absolute_url()),
                        "language": code,
                        "name": name,
                        "published_at": timezone.localtime(article.published_at).replace(
                            microsecond=0
                        ),
                        "title": xml_text(getattr(article, localized("title", code))),
                    }
                )
    entries.sort(key=lambda entry: entry["published_at"], reverse=True)
    response = TemplateResponse(
        request,
        "articles/sitemap_news.xml",
        {"entries": entries[:NEWS_LIMIT]},
        content_type="application/xml",
    )
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    if entries:
        # The oldest entry leaves the 48-hour window with no write to announce it.
        oldest = min(entry["published_at"] for entry in entries)
        seconds = (oldest + NEWS_WINDOW - now).total_seconds()
        patch_cache_control(response, max_age=max(0, math.floor(seconds)))
    return response
