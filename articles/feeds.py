"""RSS 2.0 and Atom feeds of public articles: the whole site, a section, a tag; one set
per language edition (the URL prefix picks the language)."""

import mimetypes
import re
from urllib.parse import urlsplit

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from articles.body import pictures_of, render_body
from articles.html import absolute_html
from articles.models import Article, Section, Tag
from newsroom.site import site_name

FEED_SIZE = 30
SUMMARY_WORDS = 40
# XML 1.0 cannot carry these, and Django's XML writer refuses them.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_text(value):
    return _CONTROL_CHARACTERS.sub("", str(value)) if value is not None else None


class NewsRssFeed(Rss201rev2Feed):
    """RSS 2.0 with the full body in `content:encoded` and the main image also as
    `media:content` (Media RSS), which most aggregators read for a picture."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
            "xmlns:media": "http://search.yahoo.com/mrss/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_encoded"):
            handler.addQuickElement("content:encoded", item["content_encoded"])
        media = dict(item.get("media") or {})
        if media:
            description = media.pop("description", "")
            handler.startElement("media:content", media)
            if description:
                handler.addQuickElement("media:description", description, {"type": "plain"})
            handler.endElement("media:content")


class NewsAtomFeed(Atom1Feed):
    """Atom 1.0 with the full body as the entry's `content`."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_encoded"):
            handler.addQuickElement("content", item["content_encoded"], {"type": "html"})


class ArticleFeed(Feed):
    """The newest public articles of the active language. One instance per request
    (see `feed_view`), so the request may be kept on it."""

    feed_type = NewsRssFeed

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    # The channel

    def title(self, obj):
        if obj is None:
            return site_name()
        return _("%(name)s — %(site)s") % {"name": obj.name, "site": site_name()}

    def description(self, obj):
        if obj is None:
            return _("The latest news from %(site)s.") % {"site": site_name()}
        return _("The latest from %(name)s, from %(site)s.") % {
            "name": obj.name,
            "site": site_name(),
        }

    subtitle = description  # Atom's name for it

    def link(self, obj):
        return obj.get_absolute_url() if obj is not None else reverse("articles:home")

    def author_name(self, obj):
        return site_name()

    def items(self, obj):
        articles = Article.objects.public().for_listing().prefetch_related("tags")
        items = list(self.narrow(articles, obj)[:FEED_SIZE])
        # The figures of every item's body, in one query.
        self.pictures = pictures_of(*(item.body for item in items))
        return items

    def narrow(self, articles, obj):
        return articles

    # The items

    def item_title(self, item):
        return xml_text(item.title)

    def item_description(self, item):
        text = item.summary or strip_tags(item.body)
        return xml_text(Truncator(text).words(SUMMARY_WORDS))

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        """Stable across edits, renames and moves: a tag URI from the host, the day the
        article was created, its id and the edition's language."""
        host = urlsplit(f"//{self.request.get_host()}").hostname or "localhost"
        return f"tag:{host},{item.created_at:%Y-%m-%d}:article/{item.pk}/{get_language()}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.published_at)

    def item_author_name(self, item):
        return xml_text(item.byline_text) or None

    def item_categories(self, item):
        return [xml_text(item.section.name), *(xml_text(tag.name) for tag in item.tags.all())]

    def image_info(self, item):
        picture = item.main_image
        if picture is None:
            return None
        try:
            size = picture.file.size
        except (OSError, NotImplementedError):
            return None  # the file is gone; a length-less enclosure would be invalid
        return {
            "url": self.request.build_absolute_uri(picture.file.url),
            "type": mimetypes.guess_type(picture.file.name)[0] or "application/octet-stream",
            "size": str(size),
        }

    def item_enclosures(self, item):
        image = self.image_info(item)
        if image is None:
            return []
        return [Enclosure(image["url"], image["size"], image["type"])]

    def item_extra_kwargs(self, item):
        extra = {
            "content_encoded": xml_text(
                absolute_html(
                    render_body(item.body, for_feed=True, pictures=self.pictures),
                    self.request.build_absolute_uri("/"),
                )
            )
        }
        image = self.image_info(item)
        if image is not None:
            media = {
                "url": image["url"],
                "type": image["type"],
                "fileSize": image["size"],
                "medium": "image",
            }
            picture = item.main_image
            if picture.width and picture.height:
                media["width"] = str(picture.width)
                media["height"] = str(picture.height)
            media["description"] = xml_text(picture.alt or picture.caption)
            extra["media"] = media
        return extra


class SectionFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Section.objects.public(), slug=slug)

    def narrow(self, articles, obj):
        return articles.filter(section=obj)


class TagFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag.objects.public(), slug=slug)

    def narrow(self, articles, obj):
        return articles.tagged(obj)


def atom(feed_class):
    return type(f"Atom{feed_class.__name__}", (feed_class,), {"feed_type": NewsAtomFeed})


def feed_view(feed_class):
    """A view serving a fresh instance of `feed_class` (the page cache keeps feeds)."""

    def view(request, **kwargs):
        return feed_class()(request, **kwargs)

    view.__name__ = feed_class.__name__
    return require_safe(view)


site_rss = feed_view(ArticleFeed)
site_atom = feed_view(atom(ArticleFeed))
section_rss = feed_view(SectionFeed)
section_atom = feed_view(atom(SectionFeed))
tag_rss = feed_view(TagFeed)
tag_atom = feed_view(atom(TagFeed))
