"""Which fields django-modeltranslation keeps per language (ar, en)."""

from modeltranslation.translator import TranslationOptions, register

from articles.models import Article, Author, Image, Page, Section, Source, Tag


@register(Section)
class SectionTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Tag)
class TagTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Author)
class AuthorTranslationOptions(TranslationOptions):
    fields = ("name", "bio")


@register(Source)
class SourceTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Article)
class ArticleTranslationOptions(TranslationOptions):
    fields = (
        "title",
        "slug",
        "summary",
        "body",
        "dateline",
        "byline",
        "correction_note",
    )
    # An edition shows only what was written for it: never Arabic text on an English page.
    fallback_languages = {"default": ()}
    required_languages = ("ar",)


@register(Page)
class PageTranslationOptions(TranslationOptions):
    fields = ("title", "body")
    required_languages = ("ar",)


@register(Image)
class ImageTranslationOptions(TranslationOptions):
    fields = ("alt", "caption", "credit")
    fallback_languages = {"default": ()}
