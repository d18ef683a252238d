from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from articles.html import figure_image_ids, sanitize_html
from articles.text import normalize
from newsroom.site import edition
from newsroom.uploads import RandomUploadPath, SafeImageField, SafeImageFieldFile


def localized(field, language=None):
    """The column that holds `field` in `language` (modeltranslation's naming)."""
    return f"{field}_{edition(language)}"


# First path segments that belong to other pages, so no section may take them.
RESERVED_SECTION_SLUGS = {
    "admin", "ads", "author", "en", "feed", "media", "search", "sitemap", "static", "tag",
    "most-read", "read", "pages",
}  # fmt: skip


def validate_section_slug(value):
    if value.lower() in RESERVED_SECTION_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is reserved for another page of the site."), params={"slug": value}
        )


class ListingQuerySet(models.QuerySet):
    """Sections, tags and authors. Each has a page, a feed and a sitemap entry only while
    an article that lists under it is public: a tag a writer adds puts nothing online
    until an editor publishes a story that uses it."""

    article_relation = ""  # the Article field pointing at this model

    def public(self, language=None):
        """Those listing at least one article public in `language` (the active one)."""
        articles = Article.objects.public(language).filter(
            **{self.article_relation: OuterRef("pk")}
        )
        return self.filter(Exists(articles))


class SectionQuerySet(ListingQuerySet):
    article_relation = "section"

    def with_sources_and_pages(self):
        """These sections, every source and the site pages linked from the footer, read in
        one query: what every page's navigation, bylines and footer show, rarely changed and
        cached together (articles/cache.py `labels()`). A UNION ALL of the three tables'
        rows in the same columns, a `kind` telling them apart; returns (sections, sources,
        pages) as model instances (a page without its body), each in its own order."""

        def translated(field):
            return [field, *(localized(field, code) for code, _name in settings.LANGUAGES)]

        # kind: (model, its rows, its columns: a field's name or a filler value), the
        # columns alike in number and type.
        kinds = {
            "section": (
                Section,
                self,
                ["id", *translated("name"), "slug", "order", "in_navigation", "is_opinion"],
            ),
            "source": (
                Source,
                Source.objects.all(),
                ["id", *translated("name"), "url", Value(0), Value(False), Value(False)],
            ),
            "page": (
                Page,
                Page.objects.filter(in_footer=True),
                ["id", *translated("title"), "slug", "order", "in_footer", Value(False)],
            ),
        }
        parts = []
        for kind, (_model, rows, columns) in kinds.items():
            selected = {"label_kind": Value(kind)}
            for index, column in enumerate(columns):
                selected[f"label_{index}"] = F(column) if isinstance(column, str) else column
            # Every column under the same name in every part; modeltranslation would read
            # "name" as the active language's column: not here.
            parts.append(rows.rewrite(False).order_by().annotate(**selected).values_list(*selected))
        found = {kind: [] for kind in kinds}
        for kind, *values in parts[0].union(*parts[1:], all=True):
            model, _rows, columns = kinds[kind]
            loaded = {
                column: value
                for column, value in zip(columns, values, strict=True)
                if isinstance(column, str)
            }
            fields = [f.attname for f in model._meta.concrete_fields if f.attname in loaded]
            found[kind].append(model.from_db(self.db, fields, [loaded[f] for f in fields]))

        def in_order(item):
            return (item.order, item.pk)

        return (
            sorted(found["section"], key=in_order),
            sorted(found["source"], key=lambda source: source.pk),
            sorted(found["page"], key=in_order),
        )


class TagQuerySet(ListingQuerySet):
    article_relation = "tags"


class AuthorQuerySet(ListingQuerySet):
    article_relation = "author"


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
    # Issue 17: the front page's Opinions block, and teasers that show the columnist.
    is_opinion = models.BooleanField(
        _("opinion section"),
        default=False,
        help_text=_("Its teasers show the columnist's name and photo."),
    )

    objects = SectionQuerySet.as_manager()

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

    objects = TagQuerySet.as_manager()

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})


class AuthorRole(models.TextChoices):
    """How the site names an author's role, in the form the author chose."""

    NEUTRAL = "neutral", _("Neutral (“by”)")
    MASCULINE = "masculine", _("Masculine (كاتب)")
    FEMININE = "feminine", _("Feminine (كاتبة)")

    @property
    def label_text(self):
        return {
            "neutral": pgettext_lazy("author role, neutral", "By"),
            "masculine": pgettext_lazy("author role, masculine", "Writer"),
            "feminine": pgettext_lazy("author role, feminine", "Writer"),
        }[self.value]


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
    # Issue 17: the columnist's photo, how the site names their role, their own pages.
    photo = SafeImageField(
        _("photo"),
        upload_to=RandomUploadPath("authors"),
        blank=True,
        help_text=_("A portrait, shown round beside their articles."),
    )
    role_form = models.CharField(
        _("role label"),
        max_length=10,
        choices=AuthorRole.choices,
        default=AuthorRole.NEUTRAL,
        help_text=_("How the site names their role on their page."),
    )
    website = models.URLField(_("website"), blank=True)
    x_url = models.URLField(_("X (Twitter) profile"), blank=True)
    facebook_url = models.URLField(_("Facebook profile"), blank=True)

    objects = AuthorQuerySet.as_manager()

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})

    @property
    def role_label(self):
        return AuthorRole(self.role_form).label_text

    @property
    def social_urls(self):
        """(name, address) of the author's own pages that are filled in."""
        named = ((_("Website"), self.website), ("X", self.x_url), ("Facebook", self.facebook_url))
        return [(name, url) for name, url in named if url]


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


# The media library --------------------------------------------------------------------


class LibraryImageFile(SafeImageFieldFile):
    @property
    def focus(self):
        """The picture's focal point (x, y from 0 to 1): newsroom/images.py crops around it."""
        return (self.instance.focal_x, self.instance.focal_y)


class LibraryImageField(SafeImageField):
    """A SafeImageField whose files tell the rendition helper their focal point."""

    attr_class = LibraryImageFile


class CountOf(models.Subquery):
    """The number of rows of a subquery."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = models.IntegerField()


class ImageQuerySet(models.QuerySet):
    def with_usage(self):
        """Each picture with `usage`: how many articles show it (main picture or figure)."""
        using = (
            Article.objects.filter(Q(main_image=OuterRef("pk")) | Q(figures=OuterRef("pk")))
            .order_by()
            .values("pk")
            .distinct()
        )
        return self.annotate(usage=CountOf(using))

    def matching(self, term):
        """Pictures whose alt text, caption or credit (any language) holds every word of
        `term`, compared in the project's normal form (articles/text.py): "المراة" finds
        "المرأة"."""
        queryset = self
        for word in normalize(term).split():
            queryset = queryset.filter(search_text__contains=word)
        return queryset


def focal_coordinate(label):
    return models.FloatField(
        label,
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("From 0 to 1; click on the picture to set the focal point."),
    )


class Image(models.Model):
    """A picture of the library: stored once, shown by any number of stories (main picture
    or figure in the body), with its texts in each language and the point every crop keeps."""

    file = LibraryImageField(
        _("picture"),
        upload_to=RandomUploadPath("images"),
        width_field="width",
        height_field="height",
    )
    width = models.PositiveIntegerField(_("width"), null=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, editable=False)
    alt = models.CharField(
        _("description (alt text)"),
        max_length=300,
        blank=True,
        help_text=_("What the picture shows, for readers who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    focal_x = focal_coordinate(_("focal point, across"))
    focal_y = focal_coordinate(_("focal point, down"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Alt text, caption and credit of every language in the normal form searches compare.
    search_text = models.TextField(blank=True, editable=False)

    objects = ImageQuerySet.as_manager()

    class Meta:
        verbose_name = _("picture")
        verbose_name_plural = _("pictures")
        ordering = ["-uploaded_at", "-pk"]
        get_latest_by = "uploaded_at"

    def __str__(self):
        return self.alt or self.caption or self.file.name.rsplit("/", 1)[-1]

    def save(self, *args, **kwargs):
        texts = (
            getattr(self, localized(field, language)) or ""
            for field in ("alt", "caption", "credit")
            for language, _name in settings.LANGUAGES
        )
        self.search_text = normalize(" ".join(text for text in texts if text))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text", "updated_at"}
        super().save(*args, **kwargs)

    @property
    def focus(self):
        return (self.focal_x, self.focal_y)

    def articles(self):
        """The articles that show this picture, as main picture or in the body."""
        return Article.objects.filter(Q(main_image=self) | Q(figures=self)).distinct()


class TeaserRef(NamedTuple):
    """What a cached list keeps of an article whose teaser it shows (see
    articles/templatetags/news.py): enough to find the cached teaser."""

    pk: int
    updated_at: datetime


class ArticleQuerySet(models.QuerySet):
    @staticmethod
    def published_condition() -> Q:
        """The one definition of public: published, and its publication time has come. The
        search rows copy both columns, so it holds for them too (ArticleSearch.objects)."""
        return Q(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def published(self):
        return self.filter(self.published_condition())

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
        return self.select_related("section", "author", "main_image")

    def tagged(self, tag):
        """The articles of `tag`, newest first. On PostgreSQL in the order of the tag's links
        (each carries its article's publication time, see migration 0014): a rare tag's
        page reads only its few links, where a walk down the date index, testing each
        article for the tag, read the whole archive (13 s at a million articles)."""
        tagged = self.filter(tags=tag)
        if connections[self.db].vendor != "postgresql":
            return tagged.order_by("-published_at", "-pk")
        links = Article.tags.through._meta.db_table
        return tagged.order_by(RawSQL(f'"{links}"."published_at"', ()).desc(nulls_last=True), "-pk")

    def teaser_refs(self):
        """Only what finds each article's cached teaser (`TeaserRef`s)."""
        return [
            TeaserRef(pk, updated_at) for pk, updated_at in self.values_list("pk", "updated_at")
        ]

    def front_page(self, sections, *, latest, per_section):
        """The lead story (the newest featured one, else the newest), the `latest` newest
        others, and the `per_section` newest of each of `sections` that has any, as
        TeaserRefs: {"lead", "latest", "section_blocks": [(section, [ref, …]), …]}.
        Each story appears once: a section block skips the lead and the latest."""
        newest = list(self.only("pk", "updated_at", "is_featured")[: latest + 1])
        lead = next((article for article in newest if article.is_featured), None)
        lead = lead or self.filter(is_featured=True).only("pk", "updated_at").first()
        lead = lead or (newest[0] if newest else None)
        latest_refs = [
            TeaserRef(article.pk, article.updated_at) for article in newest if article.pk != lead.pk
        ][:latest]
        shown = {ref.pk for ref in latest_refs} | ({lead.pk} if lead else set())
        blocks = self.newest_per_section(sections, per_section, skip=shown)
        return {
            "lead": TeaserRef(lead.pk, lead.updated_at) if lead else None,
            "latest": latest_refs,
            "section_blocks": [
                (section, blocks[section.pk]) for section in sections if blocks[section.pk]
            ],
        }

    def newest_per_section(self, sections, count, *, skip=frozenset()):
        """{section id: [TeaserRef, …]}: the newest `count` articles of each of `sections`
        that are not in `skip` (ids), in one query. Where the database allows a LIMIT in
        each part of a UNION (PostgreSQL), each section is an index scan of a few rows,
        whatever the size of the archive; elsewhere (SQLite) a window over the sections'
        articles."""
        ids = [section.pk for section in sections]
        columns = ("section_id", "pk", "updated_at", "published_at")
        if not ids:
            return {}
        # Skipped stories may all be in one section: read that many more of each.
        wanted = count + len(skip)
        if connections[self.db].features.supports_slicing_ordering_in_compound:
            parts = [
                self.filter(section_id=pk).order_by("-published_at", "-pk").values_list(*columns)
                [:wanted]
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
                .filter(rank__lte=wanted)
                .values_list(*columns)
            )
        blocks = {pk: [] for pk in ids}
        for section_id, pk, updated_at, _published_at in sorted(
            rows, key=lambda row: (row[3], row[1]), reverse=True
        ):
            if pk not in skip and len(blocks[section_id]) < count:
                blocks[section_id].append(TeaserRef(pk, updated_at))
        return blocks

    def _shares_a_tag(self, article):
        """True for an article that shares a tag with `article`, tested row by row as the
        date index is walked. On PostgreSQL an OFFSET keeps the planner from making a hash
        of every article that shares a tag instead (tens of thousands at a million
        articles, where the walk stops after a few hundred rows)."""
        through = Article.tags.through
        if connections[self.db].vendor != "postgresql":
            return Exists(
                through.objects.filter(
                    article_id=OuterRef("pk"),
                    tag_id__in=through.objects.filter(article_id=article.pk).values("tag_id"),
                )
            )
        table, links = Article._meta.db_table, through._meta.db_table
        return RawSQL(
            f"EXISTS (SELECT 1 FROM {links} shared WHERE shared.article_id = {table}.id "
            f"AND shared.tag_id IN (SELECT own.tag_id FROM {links} own "
            "WHERE own.article_id = %s) OFFSET 0)",
            [article.pk],
            output_field=models.BooleanField(),
        )

    def related_list(self, article, count, language=None):
        """Related news, at most `count`: the manual picks, then the newest of the same
        section or sharing a tag; in two queries that each read only a few rows (sorting on
        "is picked" would read every related article)."""
        public = self.public(language)
        picked = Article.related.through.objects.filter(from_article_id=article.pk)
        picks = list(public.filter(pk__in=picked.values("to_article_id"))[:count])
        if len(picks) >= count:
            return picks
        others = (
            public.exclude(pk__in=[article.pk, *(pick.pk for pick in picks)])
            .filter(Q(section_id=article.section_id) | self._shares_a_tag(article))
            .order_by("-published_at", "-pk")
        )
        return picks + list(others[: count - len(picks)])


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        CHANGES = "changes", _("Changes requested")
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
    main_image = models.ForeignKey(
        Image,
        verbose_name=_("main image"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="main_image_of",
    )
    # The library pictures the body shows as figures (kept in step with the body on save).
    figures = models.ManyToManyField(
        Image, verbose_name=_("figures"), blank=True, editable=False, related_name="figure_in"
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
    # Editorial desk: the first time readers could see it (never moved by a later publish),
    # the version number that refuses a stale form, and the public note of a correction.
    first_published_at = models.DateTimeField(
        _("first published"), null=True, blank=True, editable=False
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    correction_note = models.TextField(
        _("correction note"),
        blank=True,
        help_text=_("Shown to readers under the story when a published story is corrected."),
    )
    corrected_at = models.DateTimeField(_("corrected"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
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
            # The sitemaps' last change, without reading the archive.
            models.Index(fields=["-updated_at"], name="article_updated_idx"),
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
        adding = self._state.adding
        if self.pk is not None and not adding:
            self.version += 1  # a form opened before this save is now stale
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at", "version"}
        super().save(*args, **kwargs)
        self.audit_status_change(adding=adding)
        self.figures.set(self.figure_ids())
        from articles.search import index_rows

        index_rows([self])

    def get_absolute_url(self):
        return reverse(
            "articles:detail",
            kwargs={"section": self.section.slug, "pk": self.pk, "slug": self.slug or "-"},
        )

    # Editorial desk: what the status was when read, so that any save that changes it
    # (a service, an import, a command) leaves an audit entry; a service says who and why.
    audit: dict | None = None
    last_transition = None

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        article.saved_status = article.__dict__.get("status")
        # How it was public, to tell when a save takes it off the site (readership.py).
        article.saved_editions = article.public_editions()
        return article

    def public_editions(self) -> frozenset | None:
        """The language editions in which readers see this article now (none while it is
        not public); None when the fields that tell were not loaded."""
        needed = [
            "status",
            "published_at",
            *(
                localized(field, code)
                for code, _name in settings.LANGUAGES
                for field in ("title", "body")
            ),
        ]
        if any(name not in self.__dict__ for name in needed):
            return None
        if not self.is_public:
            return frozenset()
        return frozenset(code for code, _name in settings.LANGUAGES if self.has_language(code))

    def audit_status_change(self, *, adding: bool) -> None:
        import reversion

        previous = "" if adding else getattr(self, "saved_status", None)
        audit, self.audit = self.audit or {}, None
        self.saved_status = self.status
        if previous is None or previous == self.status:
            return
        if adding and self.status == self.Status.DRAFT:
            return  # a new draft is not a step of the workflow
        user = audit.get("user") or (reversion.get_user() if reversion.is_active() else None)
        self.last_transition = Transition.objects.create(
            article=self,
            user=user if user is not None and user.is_authenticated else None,
            from_status=previous,
            to_status=self.status,
            published_at=self.published_at if self.status == self.Status.PUBLISHED else None,
            note=audit.get("note", ""),
            via=audit.get("via", "save"),
        )

    def figure_ids(self):
        """The ids of the library pictures that exist and that the body (any language)
        shows as figures."""
        ids = set()
        for language, _name in settings.LANGUAGES:
            ids.update(figure_image_ids(getattr(self, localized("body", language)) or ""))
        return list(Image.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else []

    def clean(self):
        self.stamp_publication_time()

    def stamp_publication_time(self):
        """Publishing without a time means now; the first publication time is kept."""
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if self.status == self.Status.PUBLISHED and self.first_published_at is None:
            self.first_published_at = self.published_at

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


class PairBucketsField(models.TextField):
    """A PostgreSQL `integer[]`: the buckets of a text's adjacent word pairs (written as its
    text form by articles.search); plain text, unused, elsewhere."""

    def db_type(self, connection):
        return "integer[]" if connection.vendor == "postgresql" else "text"


class ArticleSearchQuerySet(models.QuerySet):
    def public(self, language):
        """Search rows of what readers of one language edition may see (a row exists only
        for an edition that has a headline and body)."""
        return self.filter(ArticleQuerySet.published_condition(), language=language)


class ArticleSearch(models.Model):
    """One search document per article and language, with copies of the columns that search
    filters on: a narrow table whose index scans never touch the wide article rows."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=10)
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10)
    published_at = models.DateTimeField(null=True)
    document = SearchDocumentField(default="", blank=True)
    # The buckets of the text's word pairs, by range (articles.search.index.PAIR_FIELDS).
    phrases_0 = PairBucketsField(default="{}", db_default="{}", blank=True)
    phrases_1 = PairBucketsField(default="{}", db_default="{}", blank=True)
    phrases_2 = PairBucketsField(default="{}", db_default="{}", blank=True)
    phrases_3 = PairBucketsField(default="{}", db_default="{}", blank=True)
    phrases_4 = PairBucketsField(default="{}", db_default="{}", blank=True)
    phrases_5 = PairBucketsField(default="{}", db_default="{}", blank=True)
    phrases_6 = PairBucketsField(default="{}", db_default="{}", blank=True)
    phrases_7 = PairBucketsField(default="{}", db_default="{}", blank=True)

    objects = ArticleSearchQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="search_article_lang")
        ]
        indexes = [
            models.Index(fields=["language", "status", "-published_at"], name="search_public_idx")
        ]

    def __str__(self):
        return f"{self.article_id}/{self.language}"


# Editorial desk ------------------------------------------------------------------------------


class Transition(models.Model):
    """One step of an article through the workflow (audit trail): who, when, from → to.
    Kept when the article is deleted (no constraint), so a recovered article has its past."""

    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="transitions",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_status = models.CharField(_("from"), max_length=10, choices=Article.Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=Article.Status.choices)
    published_at = models.DateTimeField(_("publication time"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    via = models.CharField(_("through"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["article", "-created_at"], name="transition_article_idx")]

    def __str__(self):
        return f"{self.article_id}: {self.from_status} → {self.to_status}"


class EditorialNote(models.Model):
    """A note between writers and editors about an article: never shown to readers."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("editorial note")
        verbose_name_plural = _("editorial notes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.text[:60]


class PendingCorrection(models.Model):
    """Changes proposed to a live story, kept apart from it (readers keep seeing the
    published text) until an editor publishes them: the field values as a form posts them."""

    article = models.OneToOneField(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="pending_correction",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    values = models.JSONField(_("proposed values"), default=dict)
    based_on_version = models.PositiveIntegerField(_("based on version"))
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)

    class Meta:
        verbose_name = _("pending correction")
        verbose_name_plural = _("pending corrections")

    def __str__(self):
        return str(self.article_id)


# Issue 17: what readers read, for the "most read" lists (articles/readership.py).
class DailyReadsQuerySet(models.QuerySet):
    def most_read(self, *, hours, count, language=None):
        """TeaserRefs of the `count` public articles read most in the last `hours` hours,
        most read first (see `most_read_in`)."""
        return self.most_read_in({"list": hours}, count=count, language=language)["list"]

    def most_read_in(self, windows: dict[str, int], *, count, language=None) -> dict:
        """{name: TeaserRefs of the `count` public articles read most in the last `hours`
        hours, most read first} for each name: hours of `windows`, in one query: the reads
        of the widest window summed per article, one sum per window, each ranked, and only
        the rows ranked within `count` in some window read. Rows are daily: the oldest
        day's reads count in proportion to the part of that day that lies within the
        window (readers spread over a day)."""
        now = timezone.localtime()
        totals, ranks, oldest = {}, {}, now.date()
        for index, hours in enumerate(windows.values()):
            since = now - timedelta(hours=hours)
            midnight = since.replace(hour=0, minute=0, second=0, microsecond=0)
            oldest_share = 1 - (since - midnight) / timedelta(days=1)
            oldest = min(oldest, since.date())
            totals[f"total_{index}"] = models.Sum(
                Case(
                    When(day=since.date(), then=F("reads") * Value(oldest_share)),
                    When(day__gt=since.date(), then=F("reads") * Value(1.0)),
                    default=Value(0.0),
                    output_field=models.FloatField(),
                )
            )
            # Ties go to the newer article (the group's id: as an aggregate, it keeps the
            # window out of the GROUP BY).
            ranks[f"rank_{index}"] = Window(
                RowNumber(), order_by=[F(f"total_{index}").desc(), models.Max("article").desc()]
            )
        public = Article.objects.public(language).values("pk")
        within_count = Q()
        for rank in ranks:
            within_count |= Q(**{f"{rank}__lte": count})
        rows = (
            self.filter(day__gte=oldest, article__in=public)
            .values("article", "article__updated_at")
            .annotate(**totals, **ranks)
            .filter(within_count)
            .values_list("article", "article__updated_at", *totals, *ranks)
        )
        lists = {name: [] for name in windows}
        for article, updated_at, *numbers in rows:
            found = dict(zip([*totals, *ranks], numbers, strict=True))
            for index, name in enumerate(windows):
                rank = found[f"rank_{index}"]
                if found[f"total_{index}"] > 0 and rank <= count:
                    lists[name].append((rank, TeaserRef(article, updated_at)))
        return {name: [ref for _rank, ref in sorted(ranked)] for name, ranked in lists.items()}


class DailyReads(models.Model):
    """How many times an article was read on one day (in the site's time zone): counted
    in the cache, moved here by the first read of each minute (articles/readership.py).
    Nothing about the readers."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="daily_reads"
    )
    day = models.DateField(_("day"))
    reads = models.PositiveIntegerField(_("reads"), default=0)

    objects = DailyReadsQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily reads")
        verbose_name_plural = _("daily reads")
        constraints = [
            models.UniqueConstraint(fields=["article", "day"], name="daily_reads_article_day")
        ]
        indexes = [models.Index(fields=["day", "article"], name="daily_reads_day_idx")]

    def __str__(self):
        return f"{self.article_id} {self.day}: {self.reads}"


# Issue 17: the site's own pages (about, contact), edited at the desk, linked from the footer.
class Page(models.Model):
    """A page of the site that is not news: "About us", "Contact". Its body is sanitised
    like an article's."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    body = models.TextField(_("body"))
    in_footer = models.BooleanField(_("linked from the footer"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("site page")
        verbose_name_plural = _("site pages")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title or ""

    def save(self, *args, **kwargs):
        for language, _name in settings.LANGUAGES:
            body_field = localized("body", language)
            setattr(self, body_field, sanitize_html(getattr(self, body_field) or ""))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:page", kwargs={"slug": self.slug})


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
        _("poll interval (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(7 * 24 * 60)],
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
