"""The media library in the admin: a grid of thumbnails to search (in the project's
normal form, so "المراة" finds "المرأة") and filter by date and uploader, each picture
with the focal point set by a click and the list of the stories that show it."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TabbedTranslationAdmin

from articles import services
from articles.dates import format_date
from articles.embeds import REFUSED_MESSAGE, parse_embed
from articles.models import Image
from newsroom.admin import StorageErrorAdminMixin
from newsroom.images import PRESETS, RATIOS, picture


def thumbnail_url(image, preset="square"):
    """The URL of a small crop of `image` (its original when none can be made)."""
    found = picture(image.file, PRESETS[preset][0][:1], ratio=RATIOS.get(preset))
    return found["src"] if found else image.file.url


class FocalPointWidget(forms.NumberInput):
    """The coordinate as a plain number: admin/articles/image/change_form.html puts a click
    on the picture into both coordinates (and keeps the numbers for keyboards)."""

    def __init__(self, attrs=None):
        super().__init__({"step": "0.001", "min": "0", "max": "1", **(attrs or {})})


@admin.register(Image)
class ImageAdmin(StorageErrorAdminMixin, TabbedTranslationAdmin):
    change_list_template = "admin/articles/image/change_list.html"
    change_form_template = "admin/articles/image/change_form.html"
    list_display = ["thumbnail", "__str__", "credit", "size", "uploaded_by", "uploaded", "usage"]
    list_display_links = ["thumbnail", "__str__"]
    list_filter = ["uploaded_at", ("uploaded_by", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["uploaded_by"]
    search_fields = ["search_text"]  # searched in normal form: see get_search_results
    list_per_page = 48
    readonly_fields = ["preview", "size", "uploaded_by", "uploaded", "used_in"]
    fieldsets = [
        (None, {"fields": ["file", "preview", "focal_x", "focal_y"]}),
        (_("Texts"), {"fields": ["alt", "caption", "credit"]}),
        (_("Where it is used"), {"fields": ["used_in"]}),
        (_("Upload"), {"classes": ["collapse"], "fields": ["size", "uploaded_by", "uploaded"]}),
    ]

    # The site's month names (articles/dates.py), not Django's: as on the article list,
    # which for the same reason has no month drill-down either.
    @admin.display(description=_("uploaded"), ordering="uploaded_at")
    def uploaded(self, obj):
        return format_date(obj.uploaded_at) if obj.uploaded_at else "—"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in {"focal_x", "focal_y"}:
            kwargs["widget"] = FocalPointWidget()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).with_usage()

    def get_urls(self):
        # What the body editor asks (articles/static/articles/editor_media.js).
        return [
            path(
                "<int:pk>/card/",
                self.admin_site.admin_view(self.card_view),
                name="articles_image_card",
            ),
            path(
                "embed-check/",
                self.admin_site.admin_view(self.embed_check_view),
                name="articles_image_embed_check",
            ),
            *super().get_urls(),
        ]

    def card_view(self, request, pk):
        """A picture as a figure in the editor shows it; 404 once it has been deleted."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        picture = get_object_or_404(Image, pk=pk)
        return JsonResponse(
            {
                "id": picture.pk,
                "thumbnail": thumbnail_url(picture),
                "alt": picture.alt or "",
                "caption": picture.caption or "",
                "credit": picture.credit or "",
            }
        )

    def embed_check_view(self, request):
        """The canonical address of a post or video the editor pasted, or why it is refused:
        the rule of the sanitiser (articles/embeds.py), so both always agree."""
        if not request.user.has_perm("articles.change_article") and not request.user.has_perm(
            "articles.add_article"
        ):
            raise PermissionDenied
        embed = parse_embed(request.GET.get("url", ""))
        if embed is None:
            return JsonResponse({"message": str(REFUSED_MESSAGE)})
        return JsonResponse({"url": embed.url, "provider": embed.provider_name})

    def get_search_results(self, request, queryset, search_term):
        """Every word in the normal form of articles/text.py, or the picture's id."""
        term = search_term.strip()
        if term.isdigit():
            return queryset.filter(pk=int(term)) | queryset.matching(term), False
        return queryset.matching(term), False

    def has_change_permission(self, request, obj=None):
        """A writer changes only their own pictures that no published story shows yet: a
        change reaches every story that shows the picture, live ones included, and what
        readers see is an editor's call."""
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.has_perm("articles.publish_article"):
            return True
        return obj.uploaded_by_id == request.user.pk and not obj.articles().published().exists()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            count = services.image_changed(image=obj)
            if count:
                self.message_user(
                    request,
                    ngettext(
                        "The story that shows this picture shows the change.",
                        "The %(count)d stories that show this picture show the change.",
                        count,
                    )
                    % {"count": count},
                )

    @admin.display(description=_("picture"))
    def thumbnail(self, obj):
        return format_html(
            '<img class="media-thumb" src="{}" alt="{}" width="160" height="160" loading="lazy">',
            thumbnail_url(obj),
            obj.alt,
        )

    @admin.display(description=_("focal point"))
    def preview(self, obj):
        if not obj.pk or not obj.file:
            return "—"
        return format_html(
            '<img class="focal-picture" src="{}" alt="{}" width="{}" height="{}">'
            '<span class="focal-marker" aria-hidden="true"></span>',
            obj.file.url,
            obj.alt,
            obj.width or "",
            obj.height or "",
        )

    @admin.display(description=_("size"))
    def size(self, obj):
        if not obj.width:
            return "—"
        return format_html('<bdi dir="ltr">{}×{}</bdi>', obj.width, obj.height)

    @admin.display(description=_("used in"), ordering="usage")
    def usage(self, obj):
        return ngettext("Used in %(count)d story", "Used in %(count)d stories", obj.usage) % {
            "count": obj.usage
        }

    @admin.display(description=_("stories that show it"))
    def used_in(self, obj):
        if not obj.pk:
            return "—"
        stories = obj.articles().order_by("-updated_at")[:50]
        if not stories:
            return _("No story shows this picture.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a></li>',
                (
                    (reverse("admin:articles_article_change", args=[story.pk]), str(story))
                    for story in stories
                ),
            ),
        )
