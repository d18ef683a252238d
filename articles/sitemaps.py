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
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language, override
from django.views.decorators.http import require_safe

from articles.feeds import xml_text
from articles.models import Article, Section, Tag, localized
from newsroom.cache import cached_value
from newsroom.pagecache import page_query
from newsroom.site import site_name

NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000  # Google News reads at most this many URLs per sitemap
URL_SAFE = "!$&'()*+,;=/~:@"  # what reverse() leaves unquoted in a path


class _Quoted(dict):
    """str.translate's table for quote(text, safe=URL_SAFE), filled a character at a time:
    the same text, at C speed (quote() was a third of a 10,000-URL page)."""

    def __missing__(self, code):
        self[code] = quote(chr(code), safe=URL_SAFE)
        return self[code]


_QUOTED = _Quoted()


def quote_path(text: str) -> str:
    return text.translate(_QUOTED)


def _languages():
    return [code for code, _name in settings.LANGUAGES]


def _has_language(language):
    """True where the article has a headline and body in `language` (see in_language: the
    body is compared with "=", which reads its length, not its whole compressed text)."""
    body = localized("body", language)
    return ExpressionWrapper(
        Q(**{f"{localized('title', language)}__gt": ""})
        & Q(**{f"{body}__isnull": False})
        & ~Q(**{body: ""}),
        output_field=BooleanField(),
    )


def _latest_change():
    """The latest change of any published article, all editions (one index lookup): the
    last modification the sitemap index gives each sitemap."""
    return (
        Article.objects.published()
        .order_by("-updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )


class _IndexEntry:
    def __init__(self, count, num_pages):
        self.count, self.num_pages = count, num_pages


class _PageLayout:
    """What the sitemap index needs of an article sitemap, without reading its articles:
    the number of pages (from the cached layout) and whether it has any article at all
    (an index lookup)."""

    def __init__(self, sitemap):
        self.sitemap = sitemap

    @property
    def num_pages(self):
        return len(self.sitemap.layout())

    @property
    def count(self):
        return int(Article.objects.public(self.sitemap.language).exists())


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
    """The public articles of one language edition, in id order (the oldest first) so pages
    stay stable.

    The protocol allows 50,000 URLs and 50 MB a file. Arabic slugs are percent-encoded
    (six bytes a letter) and every URL carries three hreflang links, about 1.2 kB in
    all: 50,000 of them came to 59 MB. Pages of 10,000 stay near 12 MB.

    A page is a range of ids (keyset paging, never an OFFSET): the cached layout holds the
    first id of each page, found once an hour from the narrow search table. The ranges
    cover every id, so a layout grown old still lists every public article exactly once
    (the last page takes the newest); only the pages' sizes drift until it is made again.
    A page reads only the columns of its addresses and is written without model objects."""

    limit = 10_000
    changefreq = None
    priority = None
    layout_seconds = 3600

    def __init__(self, language):
        self.language = language
        self.languages = [language]
        self._section_urls, self._locations = {}, {}

    def items(self):
        return Article.objects.public(self.language).order_by("pk")

    @property
    def paginator(self):
        return _PageLayout(self)

    def layout(self) -> list[int]:
        """The first article id of each page but the first (which starts at the start)."""
        return cached_value(
            "sitemap:layout",
            [self.language, self.limit],
            self._find_layout,
            versions=[],
            timeout=self.layout_seconds,
        )

    def _find_layout(self):
        from articles.models import ArticleSearch

        public = ArticleSearch.objects.public(self.language).order_by().values("article_id")
        sql, params = public.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT article_id FROM (SELECT s.article_id, ROW_NUMBER() OVER "
                f"(ORDER BY s.article_id) AS n FROM ({sql}) s) numbered "
                "WHERE n > 1 AND (n - 1) %% %s = 0 ORDER BY article_id",
                [*params, self.limit],
            )
            return [0, *(row[0] for row in cursor.fetchall())]

    def lastmod(self, article):
        return article.updated_at

    def get_latest_lastmod(self):
        return _latest_change()

    def get_urls(self, page=1, site=None, protocol=None):
        """Page `page`'s URLs, as Django's i18n sitemap spells them (see I18nSitemap)."""
        protocol, domain = self.get_protocol(protocol), self.get_domain(site)
        try:
            number = int(page)
        except (TypeError, ValueError):
            raise PageNotAnInteger(page) from None
        starts = self.layout()
        if not 1 <= number <= len(starts):
            raise EmptyPage(page)
        rows = Article.objects.public(self.language).filter(pk__gte=starts[number - 1])
        if number < len(starts):
            rows = rows.filter(pk__lt=starts[number])
        languages = _languages()
        rows = (
            rows.order_by("pk")
            .annotate(**{f"has_{code}": _has_language(code) for code in languages})
            .values_list(
                "pk",
                "updated_at",
                "section__slug",
                *(f"slug_{code}" for code in languages),
                *(f"has_{code}" for code in languages),
            )
        )
        base = f"{protocol}://{domain}"
        urls, latest = [], None
        for pk, updated_at, section, *rest in rows:
            slugs = dict(zip(languages, rest[: len(languages)], strict=True))
            has = [code for code, yes in zip(languages, rest[len(languages) :], strict=True) if yes]
            address = {
                code: f"{base}{self._section_url(code, section)}{pk}/"
                f"{quote_path(slugs[code] or '-')}/"
                for code in {*has, self.language}
            }
            alternates = [{"location": address[code], "lang_code": code} for code in has]
            if settings.LANGUAGE_CODE in has:
                alternates.append(
                    {"location": address[settings.LANGUAGE_CODE], "lang_code": "x-default"}
                )
            urls.append(
                {
                    "location": address[self.language],
                    "lastmod": updated_at,
                    "alternates": alternates,
                }
            )
            latest = updated_at if latest is None or updated_at > latest else latest
        if latest is not None:
            self.latest_lastmod = latest
        return urls

    def _section_url(self, language, slug):
        key = (language, slug)
        if key not in self._section_urls:
            with override(language):
                self._section_urls[key] = reverse("articles:section", kwargs={"slug": slug})
        return self._section_urls[key]

    def location(self, article):
        """The article's address, as get_absolute_url() spells it, with reverse() once per
        language and section instead of once per URL and alternate (30,000 times a page)."""
        language = get_language()
        key = (language, article.pk)
        if key not in self._locations:
            slug = quote(article.slug or "-", safe=URL_SAFE)
            self._locations[key] = (
                f"{self._section_url(language, article.section.slug)}{article.pk}/{slug}/"
            )
        return self._locations[key]


class _ListingSitemap(I18nSitemap):
    """Sections or tags, in each language where they list at least one public article.

    Sections are worked out with index lookups that stop at the first article found (a
    grouped query over the articles took 0.2 s at 100,000 articles and grew with them);
    tags, many and each with few articles, with a probe per tag for each language and
    their latest changes from the latest changed articles (see _items_grouped)."""

    model = None
    relation = None
    per_item = False

    def items(self):
        if not hasattr(self, "_items_list"):
            self._items_list = self._find_items()
        return self._items_list

    def _find_items(self):
        return self._items_per_item() if self.per_item else self._items_grouped()

    def _items_per_item(self):
        """One query: for each item, its latest change (the first published article of it
        in the update-time index) and whether it lists a public article in each language (an
        index probe each). For few items with many articles each (sections): its cost does
        not grow with the archive, while a rare tag would walk the whole update-time index."""
        newest = (
            Article.objects.published()
            .filter(**{self.relation: OuterRef("pk")})
            .order_by("-updated_at")
            .values("updated_at")[:1]
        )
        items = (
            self.model.objects.order_by("pk")
            .annotate(
                latest=Subquery(newest),
                **{
                    f"has_{code}": Exists(
                        Article.objects.public(code).filter(**{self.relation: OuterRef("pk")})
                    )
                    for code in _languages()
                },
            )
            .filter(latest__isnull=False)
        )
        return [item for item in items if any(getattr(item, f"has_{c}") for c in _languages())]

    # How many of the latest changed articles the tag sitemap reads for its tags' latest
    # changes; a tag with none of them falls back to its own articles (see _items_grouped).
    recent_window = 5000

    def _items_grouped(self):
        """For many items, each with few articles (tags), in at most four queries whose cost
        does not grow with the archive:

        - the tags of the `recent_window` latest changed published articles (a range of the
          update-time index, each article's tags by the article index): a tag among them
          has its latest change there, since every article left out changed earlier;
        - every tag, with whether it lists a public article in each language (an index
          probe of its articles, stopping at the first public one);
        - the latest change of the tags not found in the window (rare or old tags), from
          those tags' articles only (by the tag index, then by primary key).

        Grouped queries over all the articles took 4.3 s at 1,000,000 articles."""
        through = self.model.articles.through
        recent = Article.objects.published().order_by("-updated_at").values("pk")
        latest = {}
        for tag, changed in through.objects.filter(
            article_id__in=recent[: self.recent_window]
        ).values_list("tag_id", "article__updated_at"):
            if tag not in latest or changed > latest[tag]:
                latest[tag] = changed
        items = list(
            self.model.objects.order_by("pk").annotate(
                **{
                    f"has_{code}": Exists(
                        Article.objects.public(code).filter(**{self.relation: OuterRef("pk")})
                    )
                    for code in _languages()
                }
            )
        )
        items = [item for item in items if any(getattr(item, f"has_{c}") for c in _languages())]
        missing = [item.pk for item in items if item.pk not in latest]
        if missing:
            # Their links first, then those articles by primary key: joined in one query,
            # PostgreSQL expected thousands of links and read every article to hash them.
            links = list(
                through.objects.filter(tag_id__in=missing).values_list("article_id", "tag_id")
            )
            changes = dict(
                Article.objects.published()
                .filter(pk__in={article for article, _tag in links})
                .values_list("pk", "updated_at")
            )
            for article, tag in links:
                if article in changes and (tag not in latest or changes[article] > latest[tag]):
                    latest[tag] = changes[article]
        for item in items:
            item.latest = latest.get(item.pk)  # None: unpublished since the probe
        return [item for item in items if item.latest is not None]

    def lastmod(self, item):
        return item.latest

    # The index asks only whether there is a page and how many: known without the items.
    for_index = False

    @property
    def paginator(self):
        if not self.for_index:
            return super().paginator
        listed = Article.objects.published().filter(**{f"{self.relation}__isnull": False})
        pairs = self.model.objects.count() * len(_languages())  # at most
        return _IndexEntry(int(listed.exists()), max(1, math.ceil(pairs / self.limit)))

    def get_latest_lastmod(self):
        if self.for_index:
            return _latest_change()
        return max((item.latest for item in self.items()), default=None)


class SectionSitemap(_ListingSitemap):
    model = Section
    relation = "section"
    per_item = True


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
    for sitemap in sitemaps.values():
        sitemap.for_index = True
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
    zone = timezone.get_current_timezone()
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
        'schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    ]
    for url in urls:
        parts.append(f"<url><loc>{escape(url['location'])}</loc>")
        if url.get("lastmod"):
            day = url["lastmod"]
            if getattr(day, "tzinfo", None) is not None and day.utcoffset() is not None:
                day = day.astimezone(zone)
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
