from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from social.models import SocialLink


@admin.register(SocialLink)
class SocialLinkAdmin(TabbedTranslationAdmin):
    list_display = ["icon_preview", "name", "network", "url", "placement", "order", "is_active"]
    list_display_links = ["name"]
    list_editable = ["placement", "order", "is_active"]
    list_filter = ["network", "placement", "is_active"]
    search_fields = ["label_ar", "label_en", "url"]
    readonly_fields = ["icon_preview"]
    fieldsets = [
        (None, {"fields": ["network", "icon_preview", "url", "label"]}),
        (_("Display"), {"fields": ["placement", "order", "is_active"]}),
    ]

    @admin.display(description=_("icon"))
    def icon_preview(self, obj):
        if obj is None or not obj.network:
            return "—"
        return obj.icon

    @admin.display(description=_("name"))
    def name(self, obj):
        return obj.name
