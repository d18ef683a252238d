from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import add_never_cache_headers
from django.utils.encoding import escape_uri_path
from django.utils.functional import cached_property
from django.utils.translation import get_language, override
from django.views.generic import DetailView, ListView, TemplateView

from articles.cache import ARTICLES, listing_timeout
from articles.forms import SearchForm
from articles.models import Article, Author, LegacyURL, Section, Tag
from articles.search import search
from newsroom.cache import cached_value

ARTICLES_PER_SECTION_BLOCK = 4
LATEST_COUNT = 8


class HomeView(TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        public = Article.objects.public().for_listing()
        latest = list(public[: LATEST_COUNT + 1])
        lead = next((article for article in latest if article.is_featured), None)
        lead = lead or public.filter(is_featured=True).first() or (latest[0] if latest else None)
        context["lead"] = lead
        context["latest"] = [article for article in latest if article != lead][:LATEST_COUNT]
        context["section_blocks"] = cached_value(
            "articles:home-blocks",
            [get_language()],
            lambda: self.section_blocks(public),
            versions=[ARTICLES],
            timeout=listing_timeout,
        )
        return context

    @staticmethod
    def section_blocks(public):
        """The newest few articles of every navigable section, in one query (which reads
        the whole archive, so it is cached until an article changes)."""
        ranked = (
            public.filter(section__in_navigation=True)
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=F("section_id"),
                    order_by=[F("published_at").desc(), F("pk").desc()],
                )
            )
            .filter(rank__lte=ARTICLES_PER_SECTION_BLOCK)
            .order_by("section__order", "section_id", "rank")
        )
        blocks = {}
        for article in ranked:
            blocks.setdefault(article.section, []).append(article)
        return list(blocks.items())


class CachedCountPaginator(Paginator):
    """Counting a section of a large archive reads all of it: the count is cached until
    an article changes (`count_key` names the list)."""

    def __init__(self, *args, count_key, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self):
        return cached_value(
            "articles:count",
            self.count_key,
            lambda: Paginator.count.func(self),
            versions=[ARTICLES],
            timeout=listing_timeout,
        )


class ArticleListView(ListView):
    """A paginated list of public articles narrowed to one section, tag or author."""

    paginate_by = 20
    paginator_class = CachedCountPaginator
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    filter_model = None
    filter_field = None

    def get_queryset(self):
        self.subject = get_object_or_404(self.filter_model, slug=self.kwargs["slug"])
        return Article.objects.public().for_listing().filter(**{self.filter_field: self.subject})

    def get_paginator(self, queryset, per_page, **kwargs):
        key = [self.filter_field, self.subject.pk, get_language()]
        return super().get_paginator(queryset, per_page, count_key=key, **kwargs)

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


class AuthorView(ArticleListView):
    filter_model = Author
    filter_field = "author"
    template_name = "articles/author.html"
    extra_context = {"show_sections": True}


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        picked = Article.related.through.objects.filter(from_article_id=OuterRef("pk"))
        return (
            Article.objects.select_related("section", "author", "source")
            .prefetch_related("tags")
            .annotate(has_picks=Exists(picked))  # spares related news a query when false
        )

    def get_object(self, queryset=None):
        article = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
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
        results = page = None
        if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
            data = form.cleaned_data
            results = search(
                data["q"],
                section=data["section"],
                date_from=data["date_from"],
                date_to=data["date_to"],
            )
            page = Paginator(results, self.paginate_by).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            form=form,
            query=form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else "",
            results=results,
            page_obj=page,
            **kwargs,
        )
