from django import forms
from django.contrib import admin
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from ads import services
from ads.models import Ad, AdDailyStat, AdStatus, AdsTxt, Placement
from ads.selection import Slot
from newsroom.admin import StorageErrorAdminMixin

HTML_PERMISSION = "ads.manage_html_ads"


@admin.register(Placement)
class PlacementAdmin(TabbedTranslationAdmin):
    list_display = ["key", "name", "size", "max_ads", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["key", "name_ar", "name_en"]

    @admin.display(description=_("size"))
    def size(self, obj):
        return f"{obj.width}×{obj.height}"


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return AdStatus.choices

    def queryset(self, request, queryset):
        if self.value() in AdStatus.values:
            return queryset.with_status(self.value())
        return queryset


class AdAdminForm(forms.ModelForm):
    """Refuses, on the server, HTML code from anyone without the HTML ads permission."""

    can_manage_html = False  # set per request by AdAdmin.get_form

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        touches_html = kind == Ad.Kind.HTML or (
            self.instance.pk and self.instance.kind == Ad.Kind.HTML
        )
        if touches_html and not self.can_manage_html:
            raise forms.ValidationError(
                _("Only people allowed to manage HTML ads may add or change HTML code ads.")
            )
        if kind != Ad.Kind.HTML and cleaned.get("html_code") and not self.can_manage_html:
            self.add_error("html_code", _("You may not add HTML code to an ad."))
        return cleaned


@admin.register(Ad)
class AdAdmin(StorageErrorAdminMixin, TabbedTranslationAdmin):
    form = AdAdminForm
    list_display = [
        "name",
        "thumbnail",
        "advertiser",
        "placement_list",
        "kind",
        "status_label",
        "starts_at",
        "ends_at",
        "weight",
        "clicks",
        "impressions",
        "ctr",
    ]
    list_filter = [StatusFilter, "placements", "kind", "language"]
    search_fields = ["name", "advertiser", "target_url"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["placements"]
    readonly_fields = ["thumbnail", "slot_preview", "created_at", "updated_at"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["name", "advertiser", "placements", "kind", "is_active"]}),
        (_("Image ad"), {"fields": ["image", "thumbnail", "image_alt", "target_url"]}),
        (_("HTML ad"), {"fields": ["html_code"]}),
        (
            _("Schedule and targeting"),
            {"fields": ["starts_at", "ends_at", "weight", "language", "sections"]},
        ),  # noqa: E501
        (_("Preview"), {"fields": ["slot_preview"]}),
        (_("History"), {"classes": ["collapse"], "fields": ["created_at", "updated_at"]}),
    ]

    class Media:
        css = {"all": ["ads/ads.css"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                total_clicks=Coalesce(Sum("daily_stats__clicks"), 0),
                total_impressions=Coalesce(Sum("daily_stats__impressions"), 0),
            )
            .prefetch_related("placements")
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "target_url":
            # "example.com/page" typed without a scheme becomes https://example.com/page.
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def changelist_view(self, request, extra_context=None):
        services.maybe_flush_impressions()
        return super().changelist_view(request, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.can_manage_html = request.user.has_perm(HTML_PERMISSION)
        return form

    def has_change_permission(self, request, obj=None):
        """An HTML ad runs third-party code: only those allowed to manage HTML ads change it."""
        if obj is not None and obj.kind == Ad.Kind.HTML:
            if not request.user.has_perm(HTML_PERMISSION):
                return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.kind == Ad.Kind.HTML:
            if not request.user.has_perm(HTML_PERMISSION):
                return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("placements"))
    def placement_list(self, obj):
        return ", ".join(placement.key for placement in obj.placements.all())

    @admin.display(description=_("status"))
    def status_label(self, obj):
        return obj.status.label

    @admin.display(description=_("clicks"), ordering="total_clicks")
    def clicks(self, obj):
        return obj.total_clicks

    @admin.display(description=_("impressions"), ordering="total_impressions")
    def impressions(self, obj):
        return obj.total_impressions

    @admin.display(description=_("CTR"))
    def ctr(self, obj):
        if not obj.total_impressions:
            return "—"
        return f"{obj.total_clicks / obj.total_impressions:.2%}"

    @admin.display(description=_("image"))
    def thumbnail(self, obj):
        if obj.kind != Ad.Kind.IMAGE or not obj.image:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" width="120" loading="lazy">', obj.image.url, obj.image_alt
        )

    @admin.display(description=_("how it looks in its slots"))
    def slot_preview(self, obj):
        if obj is None or obj.pk is None or (obj.kind == Ad.Kind.IMAGE and not obj.image):
            return "—"
        return format_html_join(
            "",
            '<div class="ad-preview"><p>{}</p>{}</div>',
            (
                (
                    str(placement),
                    render_to_string(
                        "ads/slot.html",
                        {
                            "slot": Slot(placement.key, placement.width, placement.height, 1),
                            "ads": [obj],
                            "preview": True,
                        },
                    ),
                )
                for placement in obj.placements.all()
            ),
        )


@admin.register(AdDailyStat)
class AdDailyStatAdmin(admin.ModelAdmin):
    list_display = ["date", "ad", "impressions", "clicks"]
    list_filter = ["date", "ad__placements"]
    list_select_related = ["ad"]
    date_hierarchy = "date"
    search_fields = ["ad__name", "ad__advertiser"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AdsTxt)
class AdsTxtAdmin(admin.ModelAdmin):
    list_display = ["__str__", "updated_at"]
    fields = ["content", "updated_at"]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request):
        """One ads.txt per site."""
        return not AdsTxt.objects.exists() and super().has_add_permission(request)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "content":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 20, "cols": 100, "dir": "ltr"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)
