from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_prose_editor.widgets import AdminProseEditorWidget
from js_asset import Media
from modeltranslation.admin import TabbedTranslationAdmin

from articles import search, services
from articles.admin_imports import ImportProvenanceMixin
from articles.models import Article, Author, LegacyURL, Section, Source, Tag
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
    }
}

# Fields that decide what readers see and when: only those who may publish change them.
PUBLISHING_FIELDS = ("published_at", "is_featured", "is_breaking")


@admin.register(Section)
class SectionAdmin(TabbedTranslationAdmin):
    list_display = ["name", "slug", "order", "in_navigation"]
    list_editable = ["order", "in_navigation"]
    search_fields = ["name_ar", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Tag)
class TagAdmin(TabbedTranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name_ar", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(TabbedTranslationAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name_ar", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]


@admin.register(Source)
class SourceAdmin(TabbedTranslationAdmin):
    list_display = ["name", "url"]
    search_fields = ["name_ar", "name_en", "url"]


class ArticleAdminForm(forms.ModelForm):
    """Refuses, on the server, a status change that the user may not make."""

    can_publish = False  # set per request by ArticleAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        status = self.fields.get("status")
        if status is not None and not self.can_publish and not self.is_published():
            status.choices = [
                (value, label)
                for value, label in status.choices
                if value != Article.Status.PUBLISHED
            ]

    def is_published(self):
        return bool(self.instance.pk) and self.instance.status == Article.Status.PUBLISHED

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status == Article.Status.PUBLISHED and not self.is_published() and not self.can_publish:
            raise forms.ValidationError(
                _(
                    "You may save this article as a draft or send it for review; "
                    "an editor publishes it."
                )
            )
        return status


@admin.register(Article)
class ArticleAdmin(ImportProvenanceMixin, StorageErrorAdminMixin, TabbedTranslationAdmin):
    form = ArticleAdminForm
    list_display = [
        "title",
        "thumbnail",
        "section",
        "status",
        "published_at",
        "is_featured",
        "is_breaking",
        "updated_at",
    ]
    list_display_links = ["title"]
    list_filter = ["status", "section", "is_featured", "is_breaking", "published_at"]
    list_select_related = ["section"]
    search_fields = ["title_ar", "title_en", "summary_ar", "summary_en", "=id"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["section", "tags", "author", "source", "related"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["thumbnail", "created_at", "updated_at"]
    actions = ["publish", "unpublish"]
    save_on_top = True

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
        (
            _("Main image"),
            {"fields": ["image", "thumbnail", "image_alt", "image_caption", "image_credit"]},
        ),
        (_("Publishing"), {"fields": ["status", "published_at", "is_featured", "is_breaking"]}),
        (_("History"), {"classes": ["collapse"], "fields": ["created_at", "updated_at"]}),
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

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.can_publish = self.has_publish_permission(request)
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            readonly += PUBLISHING_FIELDS
        return readonly

    def has_change_permission(self, request, obj=None):
        """A published article is live: only those who may publish change it."""
        if obj is not None and obj.status == Article.Status.PUBLISHED:
            if not self.has_publish_permission(request):
                return False
        return super().has_change_permission(request, obj)

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    @admin.display(description=_("image"))
    def thumbnail(self, obj):
        if not obj.image:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" width="120" loading="lazy">',
            obj.image.url,
            obj.image_alt,
        )

    @admin.action(description=_("Publish selected articles now"), permissions=["publish"])
    def publish(self, request, queryset):
        count = services.publish_articles(queryset)
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish selected articles"), permissions=["publish"])
    def unpublish(self, request, queryset):
        count = services.unpublish_articles(queryset)
        self.message_user(
            request,
            ngettext("%d article unpublished.", "%d articles unpublished.", count) % count,
            messages.SUCCESS,
        )


@admin.register(LegacyURL)
class LegacyURLAdmin(admin.ModelAdmin):
    """Old addresses (from imports) that redirect to articles."""

    list_display = ["path", "article"]
    list_select_related = ["article"]
    search_fields = ["path", "=article__id"]
    autocomplete_fields = ["article"]
