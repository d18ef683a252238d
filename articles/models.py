from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import connections, models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from articles.html import sanitize_html
from newsroom.uploads import RandomUploadPath, SafeImageField


def localized(field, language=None):
    """The column that holds `field` in `language` (modeltranslation's naming)."""
    return f"{field}_{(language or get_language() or settings.LANGUAGE_CODE)[:2]}"


# First path segments that belong to other pages, so no section may take them.
RESERVED_SECTION_SLUGS = {
    "admin", "ads", "author", "en", "feed", "media", "search", "sitemap", "static", "tag",
}  # fmt: skip


def validate_section_slug(value):
    if value.lower() in RESERVED_SECTION_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is reserved for another page of the site."), params={"slug": value}
        )


class Section(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        allow_unicode=True,
        validators=[validate_section_slug],
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    in_navigation = models.BooleanField(_("shown in navigation"), default=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})


class Author(models.Model):
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True, allow_unicode=True)
    bio = models.TextField(_("biography"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
    )

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


class Source(models.Model):
    """Where a story comes from: shown as the "المصدر:" line under the headline."""

    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["name"]

    def __str__(self):
        return self.name


class TeaserRef(NamedTuple):
    """What a cached list keeps of an article whose teaser it shows (see
    articles/templatetags/news.py): enough to find the cached teaser."""

    pk: int
    updated_at: datetime


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """The one definition of public: published, and its publication time has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def in_language(self, language=None):
        """Articles that have a headline and body in `language` (the active one by default)."""
        # Untranslated fields are NULL or empty; `__gt=""` rules out both. Not for the body:
        # ordering text needs the whole value, so PostgreSQL would decompress the body of
        # every row it reads, while `<>` compares lengths first (ten times faster on a long
        # section list). The title's `__gt` matches the partial indexes of other editions.
        title, body = localized("title", language), localized("body", language)
        return self.filter(**{f"{title}__gt": "", f"{body}__isnull": False}).exclude(**{body: ""})

    def public(self, language=None):
        """What readers of one language edition may see."""
        return self.published().in_language(language)

    def for_listing(self):
        """Everything a teaser shows, fetched with the articles themselves."""
        return self.select_related("section", "author")

    def teaser_refs(self):
        """Only what finds each article's cached teaser (`TeaserRef`s)."""
        return [
            TeaserRef(pk, updated_at) for pk, updated_at in self.values_list("pk", "updated_at")
        ]

    def front_page(self, sections, *, latest, per_section):
        """The lead story (the newest featured one, else the newest), the `latest` newest
        others, and the `per_section` newest of each of `sections` that has any, as
        TeaserRefs: {"lead", "latest", "section_blocks": [(section, [ref, …]), …]}."""
        newest = list(self.only("pk", "updated_at", "is_featured")[: latest + 1])
        lead = next((article for article in newest if article.is_featured), None)
        lead = lead or self.filter(is_featured=True).only("pk", "updated_at").first()
        lead = lead or (newest[0] if newest else None)
        blocks = self.newest_per_section(sections, per_section)
        return {
            "lead": TeaserRef(lead.pk, lead.updated_at) if lead else None,
            "latest": [
                TeaserRef(article.pk, article.updated_at)
                for article in newest
                if article.pk != lead.pk
            ][:latest],
            "section_blocks": [
                (section, blocks[section.pk]) for section in sections if blocks[section.pk]
            ],
        }

    def newest_per_section(self, sections, count):
        """{section id: [TeaserRef, …]}: the newest `count` articles of each of `sections`,
        in one query. Where the database allows a LIMIT in each part of a UNION (PostgreSQL),
        each section is an index scan of a few rows, whatever the size of the archive;
        elsewhere (SQLite) a window over the sections' articles."""
        ids = [section.pk for section in sections]
        columns = ("section_id", "pk", "updated_at", "published_at")
        if not ids:
            return {}
        if connections[self.db].features.supports_slicing_ordering_in_compound:
            parts = [
                self.filter(section_id=pk).order_by("-published_at", "-pk").values_list(*columns)
                [:count]
                for pk in ids
            ]  # fmt: skip
            rows = parts[0].union(*parts[1:], all=True)
        else:
            rank = Window(
                RowNumber(),
                partition_by=F("section_id"),
                order_by=[F("published_at").desc(), F("pk").desc()],
            )
            rows = (
                self.filter(section_id__in=ids)
                .annotate(rank=rank)
                .filter(rank__lte=count)
                .values_list(*columns)
            )
        blocks = {pk: [] for pk in ids}
        for section_id, pk, updated_at, _published_at in sorted(
            rows, key=lambda row: (row[3], row[1]), reverse=True
        ):
            blocks[section_id].append(TeaserRef(pk, updated_at))
        return blocks

    def related_to(self, article, language=None):
        """Manual picks first; then articles that share tags and words with this one (scores
        computed from the search index and cached, see related_scores); then the newest of
        its section; newest first among equals."""
        scores = related_scores(article, language)
        ordering = ["-is_picked", "-published_at", "-pk"]
        annotations = {}
        if scores:  # an ORDER BY on a constant is an error on PostgreSQL
            annotations["relevance"] = Case(
                *[When(pk=pk, then=Value(score)) for pk, score in scores.items()],
                default=Value(0.0),
                output_field=models.FloatField(),
            )
            ordering.insert(1, "-relevance")
        picked = Article.related.through.objects.filter(
            from_article_id=article.pk, to_article_id=OuterRef("pk")
        )
        # A handful of candidate ids, so the database never scans the whole table.
        candidates = (
            Article.related.through.objects.filter(from_article_id=article.pk)
            .values("to_article_id")
            .order_by()
            .union(Article.objects.filter(pk__in=list(scores)).values("pk").order_by())
        )
        return (
            self.public(language)
            .exclude(pk=article.pk)
            .filter(pk__in=candidates)
            .alias(is_picked=Exists(picked), **annotations)
            .order_by(*ordering)
        )

    def related_list(self, article, count, language=None):
        """What `related_to` orders, as a list of at most `count`, in two queries that each
        read only a few rows: the manual picks, then the newest of the same section or
        sharing a tag (sorting on "is picked" would read every related article)."""
        public = self.public(language)
        picked = Article.related.through.objects.filter(from_article_id=article.pk)
        picks = list(public.filter(pk__in=picked.values("to_article_id"))[:count])
        if len(picks) >= count:
            return picks
        shares_tag = Article.tags.through.objects.filter(
            article_id=OuterRef("pk"),
            tag_id__in=Article.tags.through.objects.filter(article_id=article.pk).values("tag_id"),
        )
        others = (
            public.exclude(pk__in=[article.pk, *(pick.pk for pick in picks)])
            .filter(Q(section_id=article.section_id) | Exists(shares_tag))
            .order_by("-published_at", "-pk")
        )
        return picks + list(others[: count - len(picks)])


RELATED_CANDIDATES = 30
RELATED_SECTION_FILL = 10
RELATED_CACHE_SECONDS = 3600


def related_scores(article, language=None) -> dict:
    """{article id: score} of automatic related picks: one point per shared tag plus a 0–1
    textual similarity from the search index. Cached per article and language; any write to
    an article (save, publish, unpublish, bulk load) starts a new cache generation."""
    from django.core.cache import cache

    from articles import search

    language = (language or get_language() or settings.LANGUAGE_CODE)[:2]
    key = f"related:{search.generation()}:{article.pk}:{language}"
    scores = cache.get(key)
    if scores is None:
        scores = search.related_candidates(
            article, language=language, limit=RELATED_CANDIDATES + RELATED_SECTION_FILL
        )
        cache.set(key, scores, RELATED_CACHE_SECONDS)
    return scores


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("headline"), max_length=255)
    slug = models.SlugField(
        _("slug"),
        max_length=255,
        allow_unicode=True,
        blank=True,
        help_text=_("Used in the address; filled from the headline when left empty."),
    )
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body"))
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="articles"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="articles")
    author = models.ForeignKey(
        Author,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    byline = models.CharField(
        _("byline"),
        max_length=200,
        blank=True,
        help_text=_("Shown instead of the author's name, e.g. “Baghdad bureau”."),
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    dateline = models.CharField(
        _("dateline"), max_length=100, blank=True, help_text=_("The place the story is filed from.")
    )
    image = SafeImageField(
        _("main image"),
        upload_to=RandomUploadPath("articles"),
        blank=True,
        width_field="image_width",
        height_field="image_height",
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_caption = models.CharField(_("image caption"), max_length=300, blank=True)
    image_credit = models.CharField(_("image credit"), max_length=200, blank=True)
    image_alt = models.CharField(
        _("image description (alt text)"),
        max_length=300,
        blank=True,
        help_text=_("What the picture shows, for readers who cannot see it."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_("A future time schedules the article; it appears by itself at that time."),
    )
    is_featured = models.BooleanField(_("featured"), default=False)
    is_breaking = models.BooleanField(_("breaking news"), default=False)
    related = models.ManyToManyField(
        "self",
        verbose_name=_("related articles"),
        symmetrical=False,
        blank=True,
        help_text=_("Shown first under “Read more”."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Where an imported article came from, so that imports can be run again safely.
    import_source = models.CharField(_("imported from"), max_length=200, blank=True, editable=False)
    import_id = models.CharField(_("import identifier"), max_length=500, blank=True, editable=False)
    source_url = models.URLField(
        _("original address"), max_length=1000, blank=True, db_index=True, editable=False
    )
    import_hash = models.CharField(max_length=64, blank=True, editable=False)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True, editable=False)
    # Provenance shown to editors, and the items an import could not take whole.
    first_imported_at = models.DateTimeField(
        _("first imported"), null=True, blank=True, editable=False
    )
    source_published_at = models.DateTimeField(
        _("original publication time"), null=True, blank=True, editable=False
    )
    needs_attention = models.BooleanField(
        _("needs attention"),
        default=False,
        help_text=_("Set by an import that could not take the item whole; clear it once fixed."),
    )
    attention_reason = models.CharField(
        _("why it needs attention"), max_length=300, blank=True, editable=False
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("same story as"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="duplicates",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        permissions = [("publish_article", _("Can publish and unpublish articles"))]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_public_idx"),
            models.Index(fields=["section", "status", "-published_at"], name="article_section_idx"),
            models.Index(fields=["author", "-published_at"], name="article_author_idx"),
            # Editions other than the default hold few of the articles: without these, their
            # newest ones are found by reading the whole archive.
            *(
                models.Index(
                    fields=["-published_at"],
                    condition=Q(status="published", **{f"title_{code}__gt": ""}),
                    name=f"article_public_{code}_idx",
                )
                for code, _name in settings.LANGUAGES
                if code != settings.LANGUAGE_CODE
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_time",
                violation_error_message=_("A published article needs a publication time."),
            ),
            models.UniqueConstraint(
                fields=["import_source", "import_id"],
                condition=~Q(import_id=""),
                name="article_import_identity",
            ),
        ]

    def __str__(self):
        # An untranslated headline is empty in that language: fall back for lists and logs.
        return self.title or getattr(self, localized("title", settings.LANGUAGE_CODE)) or ""

    def save(self, *args, **kwargs):
        for language, _name in settings.LANGUAGES:
            body_field = localized("body", language)
            setattr(self, body_field, sanitize_html(getattr(self, body_field) or ""))
            slug_field = localized("slug", language)
            if not getattr(self, slug_field) and getattr(self, localized("title", language)):
                title = getattr(self, localized("title", language))
                setattr(self, slug_field, slugify(title, allow_unicode=True)[:200])
        self.stamp_publication_time()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)
        from articles.search import index_rows

        index_rows([self])

    def get_absolute_url(self):
        return reverse(
            "articles:detail",
            kwargs={"section": self.section.slug, "pk": self.pk, "slug": self.slug or "-"},
        )

    def clean(self):
        self.stamp_publication_time()

    def stamp_publication_time(self):
        """Publishing without a time means now."""
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    @property
    def is_public(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and not self.is_public

    def has_language(self, language):
        return bool(getattr(self, localized("title", language))) and bool(
            getattr(self, localized("body", language))
        )

    def use_labels(self, labels):
        """Take the section, author and source from `labels` (articles.cache.labels())
        instead of reading them; one that is not there is read when first used."""
        for field, known in (
            ("section", labels.sections),
            ("author", labels.authors),
            ("source", labels.sources),
        ):
            related = known.get(getattr(self, f"{field}_id"))
            if related is not None:
                setattr(self, field, related)

    @cached_property
    def tag_list(self):
        """Its tags, read once for all the parts of a page that show them."""
        return list(self.tags.all())

    @property
    def byline_text(self):
        return self.byline or (self.author.name if self.author else "")

    @property
    def is_edited_since_import(self):
        """Saved by someone after the import wrote it (the import itself does not count)."""
        return self.imported_at is not None and self.updated_at > self.imported_at


class LegacyURLQuerySet(models.QuerySet):
    def for_path(self, path):
        """The old address matching `path` (with or without its final slash), with its
        article and section, in one indexed query; None when there is none."""
        trimmed = path.rstrip("/") or "/"
        return (
            self.filter(path__in={path, trimmed, f"{trimmed}/"})
            .select_related("article__section")
            .first()
        )


class LegacyURL(models.Model):
    """An address of the old site (a WordPress permalink) that now answers with a 301."""

    path = models.CharField(_("old path"), max_length=500, unique=True)
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="legacy_urls"
    )

    objects = LegacyURLQuerySet.as_manager()

    class Meta:
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")

    def __str__(self):
        return self.path


class SearchDocumentField(models.TextField):
    """A PostgreSQL `tsvector` (written as its text form by articles.search); plain text,
    unused, elsewhere: SQLite keeps its search text in an FTS5 table (see the migration)."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"


class ArticleSearch(models.Model):
    """One search document per article and language, with copies of the columns that search
    filters on: a narrow table whose index scans never touch the wide article rows."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=10)
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10)
    published_at = models.DateTimeField(null=True)
    document = SearchDocumentField(default="", blank=True)
    phrases = SearchDocumentField(default="", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="search_article_lang")
        ]
        indexes = [
            models.Index(fields=["language", "status", "-published_at"], name="search_public_idx")
        ]

    def __str__(self):
        return f"{self.article_id}/{self.language}"


# The wire desk ------------------------------------------------------------------------------


class FeedQuerySet(models.QuerySet):
    def due(self, now=None):
        """Active feeds whose next poll time has come (or that were never polled)."""
        now = now or timezone.now()
        return self.filter(is_active=True).filter(
            Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
        )


class Feed(models.Model):
    """A wire or partner feed (RSS, Atom or JSON Feed) that `manage.py poll_feeds` reads
    on a schedule; its new items go to the editors as drafts or straight to review."""

    class Trust(models.TextChoices):
        REVIEW = "review", _("Straight to review")
        DRAFT = "draft", _("To drafts")

    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("feed address"), max_length=1000, unique=True)
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Where its items go; empty: the hidden “incoming” section."),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    trust = models.CharField(
        _("trust level"), max_length=10, choices=Trust.choices, default=Trust.DRAFT
    )
    poll_minutes = models.PositiveIntegerField(
        _("poll interval (minutes)"), default=15, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Kept by the poller.
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    next_poll_at = models.DateTimeField(_("next poll"), null=True, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("last poll"), null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True, editable=False)
    last_error_at = models.DateTimeField(_("last error"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("error"), blank=True, editable=False)
    consecutive_errors = models.PositiveIntegerField(
        _("errors in a row"), default=0, editable=False
    )
    last_item_count = models.PositiveIntegerField(_("items in the feed"), default=0, editable=False)
    last_new_count = models.PositiveIntegerField(_("new items"), default=0, editable=False)
    total_new_count = models.PositiveIntegerField(_("items taken in"), default=0, editable=False)

    objects = FeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("feed")
        verbose_name_plural = _("feeds")
        ordering = ["name"]

    def __str__(self):
        return self.name
