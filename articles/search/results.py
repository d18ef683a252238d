"""Running a search: which rows (the QuerySet's "public"), in which order, one page at a time."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from articles.cache import ARTICLES, LABELS, listing_timeout
from articles.search import postgres, sqlite
from articles.search.index import plain_text
from articles.search.query import parse_query
from articles.search.snippets import make_snippet
from newsroom.cache import cached_many, cached_value

RANK_CAP = 1000  # matches ranked per query; also the last reachable result
RECENCY_WEEK_SECONDS = 7 * 86400
RESULT_SECONDS = 3600  # a result is kept per article version (it cannot go stale)
SANE_YEARS = range(1900, 3000)  # date filters outside these are ignored (no datetime overflow)


def backend(connection):
    return postgres if connection.vendor == "postgresql" else sqlite


def _day_start(day, *, next_day=False):
    moment = timezone.make_aware(datetime.combine(day, time.min))
    return moment + timedelta(days=1) if next_day else moment


class SearchResults:
    """Lazy results for Django's Paginator: `count()` is the number reachable (at most
    RANK_CAP), `total` the number of matches; slicing returns articles with a `.snippet`."""

    def __init__(self, parsed, *, language, section=None, date_from=None, date_to=None):
        self.parsed = parsed
        self.language = language
        self.section = section
        self.date_from = date_from
        self.date_to = date_to
        self.now = timezone.now()
        self._ranked = None

    def rows(self):
        """The search rows a reader of this edition may see, narrowed by the date filters
        (the section filter is the backends' own: PostgreSQL finds it in the words' index)."""
        from articles.models import ArticleSearch

        rows = ArticleSearch.objects.public(self.language)
        if self.date_from and self.date_from.year in SANE_YEARS:
            rows = rows.filter(published_at__gte=_day_start(self.date_from))
        if self.date_to and self.date_to.year in SANE_YEARS:
            rows = rows.filter(published_at__lt=_day_start(self.date_to, next_day=True))
        return rows

    def _where(self, connection):
        """The SQL of `rows()`'s conditions, for the backends' own statements."""
        query = self.rows().query
        sql, params = query.get_compiler(connection=connection).compile(query.where)
        return sql, list(params)

    @property
    def total(self) -> int:
        return self._matches()[0]

    def count(self):
        return min(self.total, RANK_CAP)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("SearchResults supports slices only.")
        start, stop = index.start or 0, min(index.stop or RANK_CAP, RANK_CAP)
        if stop <= start or not self.parsed:
            return []
        return self._articles(self._matches()[1][start:stop])

    @property
    def ids(self) -> list[int]:
        """The reachable articles' ids, best first: what a Paginator needs, without reading
        an article."""
        return self._matches()[1]

    def rendered(self, ids, render) -> list[str]:
        """The HTML of each result of `ids` (a page of them), `render(article)` made once per
        article version, query and language: a publish that leaves a result on the page does
        not make it again. The page's list is kept until an article or a label changes, and
        in the process too: a page seen again reads nothing and renders nothing."""
        if not ids:
            return []
        return cached_value(
            "search:rendered",
            [self.language, get_language(), self.parsed.key(), *ids],
            lambda: self._render_each(ids, render),
            versions=[ARTICLES, LABELS],
            memo=True,
        )

    def _render_each(self, ids, render) -> list[str]:
        from articles.models import Article

        # What finds each result's kept HTML: the article and its last change, in rank order.
        refs = {ref.pk: ref for ref in Article.objects.filter(pk__in=ids).order_by().teaser_refs()}
        items = [refs[pk] for pk in ids if pk in refs]
        language = get_language()

        def parts(ref):
            return [self.language, language, self.parsed.key(), ref.pk, ref.updated_at.isoformat()]

        def build(missing):
            found = {article.pk: article for article in self._articles([ref.pk for ref in missing])}
            return [render(found[ref.pk]) if ref.pk in found else "" for ref in missing]

        html = cached_many(
            "search:result", items, parts, build, versions=[LABELS], timeout=RESULT_SECONDS
        )
        return [mark_safe(item) for item in html if item]  # noqa: S308 - our own template

    @property
    def is_capped(self) -> bool:
        """True when there are more matches than can be shown (the total is then a floor)."""
        return self.total > RANK_CAP

    def _matches(self) -> tuple[int, list[int]]:
        """(number of matches, ids of the reachable ones best first): counted and ranked
        once per query and filters, and cached until an article changes, so that every page
        of the results (page 5 as page 1) is a slice of one list."""
        if self._ranked is None:
            self._ranked = (0, [])
            if self.parsed:
                self._ranked = cached_value(
                    "search:ranked",
                    self._key(),
                    self._rank,
                    versions=[ARTICLES],
                    timeout=listing_timeout,
                    memo=True,
                )
        return self._ranked

    def _key(self):
        return [
            self.language,
            self.section.pk if self.section else "",
            self.date_from or "",
            self.date_to or "",
            self.parsed.key(),
        ]

    def _rank(self):
        connection = default_connection
        where, params = self._where(connection)
        with transaction.atomic(), connection.cursor() as cursor:
            return backend(connection).ranked(
                cursor,
                self.parsed,
                where,
                params,
                section=self.section.pk if self.section else None,
                now=connection.ops.adapt_datetimefield_value(self.now),
                week_seconds=RECENCY_WEEK_SECONDS,
                cap=RANK_CAP,
            )

    def _articles(self, ids):
        """The articles of `ids` that are still there, in that order, each with its snippet."""
        from articles.models import Article

        found = Article.objects.for_listing().in_bulk(ids)
        articles = [found[pk] for pk in ids if pk in found]
        for article in articles:
            article.snippet = mark_safe(self._snippet(article))  # noqa: S308 - made escaped
        return articles

    def _snippet(self, article):
        """From the summary when it shows a match, else from the body when that does."""
        summary = plain_text(getattr(article, f"summary_{self.language}", "") or "")
        snippet = make_snippet(summary, self.parsed) if summary else ""
        if "<mark>" in snippet:
            return snippet
        body = make_snippet(plain_text(getattr(article, f"body_{self.language}")), self.parsed)
        if "<mark>" in body or not snippet:
            return body
        return snippet


def search(
    query: str, *, language=None, section=None, date_from=None, date_to=None
) -> SearchResults:
    """Public articles of one language edition matching `query`, best first."""
    from django.utils.translation import get_language

    language = (language or get_language() or settings.LANGUAGE_CODE)[:2]
    return SearchResults(
        parse_query(query),
        language=language,
        section=section,
        date_from=date_from,
        date_to=date_to,
    )


def matching_article_ids(query: str, *, limit: int = 2000) -> list[int]:
    """Any article (any status, any language) whose text matches: for the admin's search."""
    parsed = parse_query(query)
    if not parsed:
        return []
    with transaction.atomic(), default_connection.cursor() as cursor:
        return backend(default_connection).matching_ids(cursor, parsed, limit=limit)
