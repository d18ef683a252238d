"""Which fields django-modeltranslation keeps per language (ar, en)."""

from modeltranslation.translator import TranslationOptions, register

from ads.models import Ad, Placement


@register(Placement)
class PlacementTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("ar",)


@register(Ad)
class AdTranslationOptions(TranslationOptions):
    # An Arabic ad picture may need an English description on the English edition.
    fields = ("image_alt",)
