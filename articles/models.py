from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from articles.html import sanitize_html
from newsroom.images import RandomUploadPath, SafeImageField


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


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """The one definition of public: published, and its publication time has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def in_language(self, language=None):
        """Articles that have a headline and body in `language` (the active one by default)."""
        # Untranslated fields are NULL or empty; `__gt=""` rules out both.
        return self.filter(
            **{f"{localized('title', language)}__gt": "", f"{localized('body', language)}__gt": ""}
        )

    def public(self, language=None):
        """What readers of one language edition may see."""
        return self.published().in_language(language)

    def for_listing(self):
        """Everything a teaser shows, fetched with the articles themselves."""
        return self.select_related("section", "author")

    def related_to(self, article, language=None):
        """Manual picks first, then articles of the same section or sharing a tag, newest first."""
        picked = Article.related.through.objects.filter(
            from_article_id=article.pk, to_article_id=OuterRef("pk")
        )
        shares_tag = Article.tags.through.objects.filter(
            article_id=OuterRef("pk"),
            tag_id__in=Article.tags.through.objects.filter(article_id=article.pk).values("tag_id"),
        )
        return (
            self.public(language)
            .exclude(pk=article.pk)
            .alias(is_picked=Exists(picked))
            .filter(Q(is_picked=True) | Q(section_id=article.section_id) | Exists(shares_tag))
            .order_by("-is_picked", "-published_at", "-pk")
        )


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
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_time",
                violation_error_message=_("A published article needs a publication time."),
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

    @property
    def byline_text(self):
        return self.byline or (self.author.name if self.author else "")
