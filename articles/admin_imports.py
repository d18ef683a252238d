"""The admin's view of imports: where an imported article came from (read-only on its
form), the items an import flagged for the editors, and the wire desk's feeds."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

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
