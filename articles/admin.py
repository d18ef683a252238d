from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import AdminProseEditorWidget
from js_asset import Media
from modeltranslation.admin import TabbedTranslationAdmin

from articles import desk, search
from articles.admin_imports import ImportProvenanceMixin
from articles.body import missing_figures
from articles.desk import DeskAdminMixin
from articles.media_admin import ImageAdmin, thumbnail_url  # noqa: F401 - registers the library
from articles.models import (
    Article,
    Author,
    DailyReads,
    LegacyURL,
    Page,
    Section,
    Source,
    Tag,
    localized,
)
from newsroom.admin import StorageErrorAdminMixin

# What the body editor offers; the server-side policy (articles/html.py) is the real gate.
BODY_EDITOR_CONFIG = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Underline": True,
        "Strike": True,
        "Subscript": True,
        "Superscript": True,
        "Heading": {"levels": [2, 3, 4]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "HorizontalRule": True,
        "HardBreak": True,
        "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
        "History": True,
        # Tables get a header row; articles/static/articles/editor_media.js holds the rest.
        "Table": True,
        "TableRow": True,
        "TableHeader": True,
        "TableCell": True,
        "NewsFigure": {
            "libraryUrl": reverse_lazy("admin:articles_image_changelist"),
            "labels": {
                "figure": _("Picture from the library"),
                "picture": _("Picture number"),
                "pictureHelp": _("Choose it in the library, or type its number."),
                "choose": _("Choose…"),
                "caption": _("Caption in this story"),
                "captionHelp": _("Leave empty to use the library's caption."),
                "insert": _("Insert"),
                "missing": _(
                    "This picture is no longer in the library: readers see nothing here. "
                    "Remove it or choose another."
                ),
            },
        },
        "NewsEmbed": {
            "checkUrl": reverse_lazy("admin:articles_image_embed_check"),
            "labels": {
                "embed": _("Embed a video or post"),
                "address": _("Address of the video or post"),
                "help": _("YouTube, Vimeo, X, Telegram or Facebook."),
                "insert": _("Insert"),
            },
        },
        "PullQuote": {"labels": {"pullQuote": _("Pull quote")}},
    }
}

# Fields that decide what readers see and when: only those who may publish change them.
PUBLISHING_FIELDS = ("published_at", "is_featured", "is_breaking")


@admin.register(Section)
class SectionAdmin(TabbedTranslationAdmin):
    list_display = ["name", "slug", "order", "in_navigation", "is_opinion"]
    list_editable = ["order", "in_navigation", "is_opinion"]
    search_fields = ["name_ar", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Tag)
class TagAdmin(TabbedTranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name_ar", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(TabbedTranslationAdmin):
    list_display = ["name", "slug", "user", "role_form"]
    search_fields = ["name_ar", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]


@admin.register(Source)
class SourceAdmin(TabbedTranslationAdmin):
    list_display = ["name", "url"]
    search_fields = ["name_ar", "name_en", "url"]


class ReadsAdminMixin:
    """What readers read, for editors: a "reads in 7 days" column and, on the form, the
    reads of the last 24 hours, 7 days and all time."""

    @staticmethod
    def reads_since(days):
        since = timezone.localdate() - timedelta(days=days - 1)
        rows = DailyReads.objects.filter(article=OuterRef("pk"), day__gte=since)
        return Coalesce(
            Subquery(rows.values("article").annotate(total=Sum("reads")).values("total")), 0
        )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(reads_week=self.reads_since(7))

    @admin.display(description=_("reads (7 days)"), ordering="reads_week")
    def reads_week(self, obj):
        return obj.reads_week

    @admin.display(description=_("reads"))
    def reads(self, obj):
        if obj.pk is None:
            return "—"
        totals = DailyReads.objects.filter(article=obj).aggregate(
            today=Sum("reads", filter=Q(day=timezone.localdate())),
            week=Sum("reads", filter=Q(day__gte=timezone.localdate() - timedelta(days=6))),
            total=Sum("reads"),
        )
        return _("today: %(today)s · 7 days: %(week)s · all time: %(total)s") % {
            name: value or 0 for name, value in totals.items()
        }


@admin.register(Article)
class ArticleAdmin(
    DeskAdminMixin,
    ImportProvenanceMixin,
    ReadsAdminMixin,
    StorageErrorAdminMixin,
    TabbedTranslationAdmin,
):
    # The desk (articles/desk.py): status badges, author column, the site's dates.
    list_display = ["title", desk.status_badge, "author_name", "section", "published", "reads_week"]
    list_display_links = ["title"]
    list_filter = [desk.PublicationStateFilter, "section", "is_featured", "is_breaking"]
    list_select_related = ["section", "author"]
    search_fields = ["title_ar", "title_en", "summary_ar", "summary_en", "=id"]
    autocomplete_fields = ["section", "tags", "author", "source", "related", "main_image"]
    prepopulated_fields = {"slug": ["title"]}
    # Dates in the site's own convention (articles/dates.py), not Django's month names.
    readonly_fields = ["thumbnail", "created", "updated", "reads"]
    actions = ["publish", "publish_now", "unpublish"]
    save_on_top = True

    class Media:
        css = {"all": ["articles/media_admin.css"]}  # the body editor's figures and embeds

    def get_search_results(self, request, queryset, search_term):
        """The usual field search, plus the readers' search (same normalisation, any status
        and language), so "المراة" finds "المرأة" here too."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        ids = search.matching_article_ids(search_term)
        if ids:
            results = results | queryset.filter(pk__in=ids)
        return results, may_have_duplicates

    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body"]}),
        (_("Placement"), {"fields": ["section", "tags", "related"]}),
        (_("Attribution"), {"fields": ["author", "byline", "source", "dateline"]}),
        (_("Main image"), {"fields": ["main_image", "thumbnail"]}),
        (_("Publishing"), {"fields": ["published_at", "is_featured", "is_breaking"]}),
        (_("Correction"), {"fields": ["correction_note"]}),
        (_("Readers"), {"fields": ["reads"]}),
        (_("History"), {"classes": ["collapse"], "fields": ["created", "updated"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name.startswith("body"):
            kwargs["widget"] = AdminProseEditorWidget(
                config=BODY_EDITOR_CONFIG, preset="configurable"
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def render_change_form(self, request, context, *args, **kwargs):
        # The editor's import map is an inline script: it carries the page's CSP nonce.
        nonce = getattr(request, "csp_nonce", None)
        if nonce is not None and "media" in context:
            context["media"] = Media.from_media(context["media"], nonce=str(nonce))
        return super().render_change_form(request, context, *args, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            readonly += PUBLISHING_FIELDS
        return readonly

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    @admin.display(description=_("image"))
    def thumbnail(self, obj):
        if not obj.main_image:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" width="120" height="120" loading="lazy">',
            thumbnail_url(obj.main_image),
            obj.main_image.alt,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        bodies = (getattr(obj, localized("body", code)) or "" for code, _name in settings.LANGUAGES)
        missing = sorted({pk for body in bodies for pk in missing_figures(body)})
        if missing:
            self.message_user(
                request,
                _(
                    "The body shows pictures that are no longer in the library (%(ids)s): "
                    "readers see nothing in their place. Remove them or choose others."
                )
                % {"ids": ", ".join(map(str, missing))},
                messages.WARNING,
            )


@admin.register(LegacyURL)
class LegacyURLAdmin(admin.ModelAdmin):
    """Old addresses (from imports) that redirect to articles."""

    list_display = ["path", "article"]
    list_select_related = ["article"]
    search_fields = ["path", "=article__id"]
    autocomplete_fields = ["article"]


@admin.register(Page)
class PageAdmin(TabbedTranslationAdmin):
    """The site's own pages (about, contact)."""

    list_display = ["title", "slug", "in_footer", "order"]
    list_editable = ["in_footer", "order"]
    search_fields = ["title_ar", "title_en", "slug"]
    prepopulated_fields = {"slug": ["title_en"]}
