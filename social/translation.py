"""Which fields django-modeltranslation keeps per language (ar, en)."""

from modeltranslation.translator import TranslationOptions, register

from social.models import SocialLink


@register(SocialLink)
class SocialLinkTranslationOptions(TranslationOptions):
    fields = ("label",)
    # An empty label falls back to the network's translated name, never to the other language.
    fallback_languages = {"default": ()}
