from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.encoding import escape_uri_path
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import get_language, override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, TemplateView

from articles.cache import ARTICLES, LABELS, labels, listing_timeout, navigable_sections
from articles.forms import SearchForm
from articles.models import Article, Author, LegacyURL, Page, Section, Tag, localized
from articles.readership import most_read, record_read
from articles.search import search
from articles.teasers import TeaserForm, render_teasers
from newsroom.cache import cached_value
from newsroom.pagecache import page_query

ARTICLES_PER_SECTION_BLOCK = 4
# Six cards fill the grid of one, two or three columns.
LATEST_COUNT = 6
MOST_READ_COUNT = 5
LEAD_FORM = TeaserForm(lead=True, show_section=True)
LATEST_FORM = TeaserForm(heading="h3", show_section=True)
BLOCK_FORM = TeaserForm(heading="h3")


class HomeView(TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        page = cached_value(
            "articles:front-page",
            [get_language()],
            lambda: Article.objects.public().front_page(
                navigable_sections(), latest=LATEST_COUNT, per_section=ARTICLES_PER_SECTION_BLOCK
            ),
            versions=[ARTICLES],
            timeout=listing_timeout,
        )
        reads = most_read(MOST_READ_COUNT)
        # Every teaser of the page in one lookup (and at most one query for new ones).
        lead = [(page["lead"], LEAD_FORM)] if page["lead"] else []
        latest = [(ref, LATEST_FORM) for ref in page["latest"]]
        blocks = [(ref, BLOCK_FORM) for _section, refs in page["section_blocks"] for ref in refs]
        read = [(ref, BLOCK_FORM) for refs in reads.values() for ref in refs]
        html = iter(render_teasers([*lead, *latest, *blocks, *read]))
        lead_html = next(html) if lead else ""
        latest_html = [next(html) for _ in latest]
        section_blocks = [
            (section, [next(html) for _ in refs]) for section, refs in page["section_blocks"]
        ]
        # Opinion sections go to the sidebar, beside the most read.
        return super().get_context_data(
            lead=lead_html,
            latest=latest_html,
            section_blocks=[block for block in section_blocks if not block[0].is_opinion],
            opinion_blocks=[block for block in section_blocks if block[0].is_opinion],
            most_read_teasers={name: [next(html) for _ in refs] for name, refs in reads.items()},
            **kwargs,
        )


class MostReadView(TemplateView):
    """/most-read/: the most read stories of the last 24 hours and 7 days."""

    template_name = "articles/most_read.html"
    count = 10

    def get_context_data(self, **kwargs):
        reads = most_read(self.count)
        return super().get_context_data(
            most_read_teasers={
                name: render_teasers([(ref, LATEST_FORM) for ref in refs])
                for name, refs in reads.items()
            },
            **kwargs,
        )


class PageView(DetailView):
    """A site page (about, contact)."""

    model = Page
    template_name = "articles/page.html"
    context_object_name = "page"

    def get_queryset(self):
        # Only in the editions it was written for.
        return Page.objects.filter(**{f"{localized('title')}__gt": ""})


@csrf_exempt  # sent by cached pages, which carry no token; it changes no one's data
@require_POST
def read_beacon(request, pk):
    """One read of article `pk`, from the page's beacon (articles/static/articles/reader.js).
    Always 204 for the browser: nothing to show, whether or not it was counted."""
    origin = request.headers.get("Origin")
    if origin and origin != f"{request.scheme}://{request.get_host()}":
        return HttpResponseForbidden()
    record_read(article_id=pk, user_agent=request.headers.get("User-Agent", ""))
    return HttpResponse(status=204)


class CachedPaginator(Paginator):
    """Counting a section of a large archive reads all of it, and a page far down reads all
    the rows above it: the count and each page's TeaserRefs are cached until an article
    changes (`list_key` names the list).

    With `near_page` (the page asked for), the count stops after the block of
    `COUNT_BLOCK` pages that page is in, plus one article: the first pages cost the same
    whatever the archive's size (a publish makes the count again). `exact` tells whether
    the count reached the end of the list; when it did not, the last page counted links to
    the next, where the count goes one block further. A page past the end is still
    refused (its block's count does reach the end). With `count_in_order` the count reads
    the list in its own order (see `_count`)."""

    COUNT_BLOCK = 50

    def __init__(self, *args, list_key, near_page=None, count_in_order=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.list_key = list_key
        self.count_in_order = count_in_order
        self.count_limit = None
        if near_page is not None and near_page < 2**31:  # beyond, the whole count
            blocks = max(near_page - 1, 0) // self.COUNT_BLOCK + 1
            self.count_limit = blocks * self.COUNT_BLOCK * self.per_page + 1

    @cached_property
    def count(self):
        return cached_value(
            "articles:count",
            [*self.list_key, self.count_limit or "all"],
            self._count,
            versions=[ARTICLES],
            timeout=listing_timeout,
            memo=True,
        )

    def _count(self):
        if self.count_limit is None:
            return Paginator.count.func(self)
        # Any `count_limit` rows will do: no order, so the narrowest index can find them,
        # unless the list's own order is that index's (a tag's links, by time: with no
        # order PostgreSQL read every link of a large tag, in parallel workers, 15 to 34 ms
        # at a million articles against 5 to 6 for the first `count_limit` in order).
        rows = self.object_list if self.count_in_order else self.object_list.order_by()
        return rows[: self.count_limit].count()

    @property
    def exact(self):
        return self.count_limit is None or self.count < self.count_limit

    def page(self, number):
        page = super().page(number)
        page.object_list = cached_value(
            "articles:page",
            [*self.list_key, page.number],
            page.object_list.teaser_refs,
            versions=[ARTICLES],
            timeout=listing_timeout,
        )
        return page


class ArticleListView(ListView):
    """A paginated list of public articles narrowed to one section, tag or author."""

    paginate_by = 20
    paginator_class = CachedPaginator
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    filter_model = None
    filter_field = None
    count_in_order = False  # see CachedPaginator._count

    def get_queryset(self):
        self.subject = self.get_subject()
        return self.narrow(Article.objects.public())

    def narrow(self, articles):
        return articles.filter(**{self.filter_field: self.subject})

    def get_subject(self):
        """The section, tag or author: cached until one changes (a missing one is not).
        Sections and authors are among the labels every page reads: no query of its own
        (a new author is not among them yet: read then)."""
        model, slug = self.filter_model, self.kwargs["slug"]
        if model in (Section, Author):
            known = labels().sections if model is Section else labels().authors
            found = next((item for item in known.values() if item.slug == slug), None)
            if found is not None:
                return found
        return cached_value(
            "articles:subject",
            [model._meta.label, slug],
            lambda: get_object_or_404(model, slug=slug),
            versions=[LABELS],
            memo=True,
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        key = [self.filter_field, self.subject.pk, get_language()]
        # A section, tag or author with no public article in this edition has no page
        # (404): a writer's new tag puts nothing online. The list's count, cached and needed
        # anyway, decides it, so the rule costs no query.
        kwargs["allow_empty_first_page"] = False
        # The count goes only as far as the page asked for ("last" needs all of it; a page
        # that is not a number is refused before any count).
        asked = self.kwargs.get(self.page_kwarg) or self.request.GET.get(self.page_kwarg) or 1
        try:
            near_page = int(asked)
        except ValueError:
            near_page = None
        return super().get_paginator(
            queryset,
            per_page,
            list_key=key,
            near_page=near_page,
            count_in_order=self.count_in_order,
            **kwargs,
        )

    def paginate_queryset(self, queryset, page_size):
        paginated = super().paginate_queryset(queryset, page_size)
        if "page" in self.request.GET:
            page_query(self.request, page=paginated[1].number)
        return paginated

    def get_context_data(self, **kwargs):
        return super().get_context_data(subject=self.subject, **kwargs)


class SectionView(ArticleListView):
    filter_model = Section
    filter_field = "section"
    template_name = "articles/section.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(current_section=self.subject.slug, **kwargs)


class TagView(ArticleListView):
    filter_model = Tag
    filter_field = "tags"
    template_name = "articles/tag.html"
    extra_context = {"show_sections": True}
    count_in_order = True  # the tag's links in order of time (`tagged`) stop at the limit

    def narrow(self, articles):
        return articles.tagged(self.subject)


class AuthorView(ArticleListView):
    filter_model = Author
    filter_field = "author"
    template_name = "articles/author.html"
    extra_context = {"show_sections": True}


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        # The article's row alone: its section, author and source come from the cached
        # labels, its tags are read only when its cached content is stale.
        article = get_object_or_404(
            Article.objects.select_related("main_image"), pk=self.kwargs["pk"]
        )
        article.use_labels(labels())
        self.is_preview = not (article.is_public and article.has_language(get_language()))
        if self.is_preview and not self.request.user.has_perm("articles.view_article"):
            raise Http404
        return article

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        canonical = self.object.get_absolute_url()
        if escape_uri_path(request.path) != canonical:
            # A dated WordPress permalink (/2023/05/slug/) has this shape too: an old
            # address of another article wins over the id it happens to contain.
            legacy = LegacyURL.objects.for_path(request.path)
            if legacy is not None:
                if not legacy.article.is_public:
                    raise Http404
                canonical = legacy.article.get_absolute_url()
            return redirect(canonical, permanent=True)
        response = self.render_to_response(self.get_context_data(object=self.object))
        if self.is_preview:
            add_never_cache_headers(response)
        return response

    def get_context_data(self, **kwargs):
        article = self.object
        alternates = {}
        for code, _name in settings.LANGUAGES:
            if article.has_language(code) and article.is_public:
                with override(code):
                    alternates[code] = article.get_absolute_url()
        return super().get_context_data(
            is_preview=self.is_preview,
            alternate_urls=alternates,
            current_section=article.section.slug,
            **kwargs,
        )


class SearchView(TemplateView):
    """/search/?q=: the search service's results for the active language edition."""

    template_name = "articles/search.html"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        form = SearchForm(self.request.GET or None)
        results = page = search_query = results_html = None
        if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
            data = form.cleaned_data
            results = search(
                data["q"],
                section=data["section"],
                date_from=data["date_from"],
                date_to=data["date_to"],
            )
            page = Paginator(results.ids, self.paginate_by).get_page(self.request.GET.get("page"))
            results_html = results.rendered(
                page.object_list,
                lambda article: render_to_string(
                    "articles/includes/search_result.html", {"article": article}
                ),
            )
            spelled = form.spelled()
            # For the page cache: the parameters this page read, as a link spells them.
            read = {**spelled, "page": page.number}
            page_query(
                self.request, **{name: read[name] for name in read if name in self.request.GET}
            )
            search_query = urlencode({name: value for name, value in spelled.items() if value})
        return super().get_context_data(
            form=form,
            query=form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else "",
            results=results,
            page_obj=page,
            results_html=results_html,
            search_query=search_query,
            **kwargs,
        )
