"""The admin's view of imports: where an imported article came from (read-only on its
form), the items an import flagged for the editors, and the wire desk's feeds."""

from django.contrib import admin, messages
from django.db import models
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.models import Feed

PROVENANCE_FIELDS = (
    "source_link",
    "import_source",
    "first_imported_at",
    "imported_at",
    "source_published_at",
    "duplicate_link",
)


class ImportProvenanceMixin:
    """For ArticleAdmin: a read-only "Provenance" block on imported articles, and the
    needs-attention flag (with its reason) on the form and in the list."""

    @admin.display(description=_("original address"))
    def source_link(self, obj):
        if not obj.source_url:
            return "—"
        return format_html(
            '<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>',
            obj.source_url,
            obj.source_url,
        )

    @admin.display(description=_("same story as"))
    def duplicate_link(self, obj):
        if obj.duplicate_of_id is None:
            return "—"
        from django.urls import reverse

        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:articles_article_change", args=[obj.duplicate_of_id]),
            obj.duplicate_of,
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and (obj.needs_attention or obj.attention_reason):
            fieldsets.insert(
                0, (_("Needs attention"), {"fields": ["needs_attention", "attention_reason"]})
            )
        if obj is not None and obj.import_source:
            fieldsets.append((_("Provenance"), {"fields": list(PROVENANCE_FIELDS)}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "attention_reason", *PROVENANCE_FIELDS]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), "needs_attention"]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "needs_attention"]


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    """The wire desk's feeds: what to poll and how it went (poll_feeds keeps the rest)."""

    list_display = [
        "name",
        "section",
        "language",
        "trust",
        "is_active",
        "last_success_at",
        "health",
        "last_item_count",
        "last_new_count",
        "total_new_count",
        "next_poll_at",
    ]
    list_filter = ["is_active", "trust", "language"]
    list_select_related = ["section"]
    search_fields = ["name", "url"]
    autocomplete_fields = ["section"]
    actions = ["poll_soon"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "url", "section", "language", "trust"]}),
        (_("Schedule"), {"fields": ["poll_minutes", "is_active", "next_poll_at"]}),
        (
            _("Last polls"),
            {
                "fields": [
                    "last_polled_at",
                    "last_success_at",
                    "last_error_at",
                    "last_error",
                    "consecutive_errors",
                    "last_item_count",
                    "last_new_count",
                    "total_new_count",
                ]
            },
        ),
    ]
    readonly_fields = [
        "next_poll_at",
        "last_polled_at",
        "last_success_at",
        "last_error_at",
        "last_error",
        "consecutive_errors",
        "last_item_count",
        "last_new_count",
        "total_new_count",
    ]

    @admin.display(description=_("state"))
    def health(self, obj):
        if obj.consecutive_errors:
            return format_html(
                '<span title="{}">{}</span>',
                obj.last_error,
                ngettext(
                    "%(count)d error in a row", "%(count)d errors in a row", obj.consecutive_errors
                )
                % {"count": obj.consecutive_errors},
            )
        return _("OK") if obj.last_success_at else "—"

    @admin.action(description=_("Poll the selected feeds at the next run"))
    def poll_soon(self, request, queryset):
        count = queryset.update(next_poll_at=timezone.now())
        self.message_user(
            request,
            ngettext(
                "%(count)d feed will be polled at the next run.",
                "%(count)d feeds will be polled at the next run.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
