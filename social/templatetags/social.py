"""Social widgets for any page: the site's accounts, share links and link-preview tags.

    {% social_links "header" %}   {% social_links "footer" %}
    {% share_links url title %}
    {% site_og_tags %}
    {% article_og_tags url=… title=… description=… image=… published=… section=… %}

This app knows nothing of articles: the page passes addresses, titles, pictures and dates.
"""

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from newsroom.cache import cached_value
from newsroom.pagecache import per_request
from newsroom.security import is_site_path
from newsroom.site import edition
from social.apps import SOCIAL
from social.icons import icon_svg
from social.images import OG_SIZE, default_og_image_url, og_image_url
from social.links import absolute_url, share_targets, with_icons
from social.models import Network, Placement, SocialLink

register = template.Library()

# Open Graph locales of the site's languages.
OG_LOCALES = {"ar": "ar_AR", "en": "en_US"}
DESCRIPTION_LENGTH = 200


def load_active_links():
    """All active links, from the shared cache until a link changes (see social/apps.py)."""
    return cached_value(
        "social:links", [], lambda: list(SocialLink.objects.active()), versions=[SOCIAL], memo=True
    )


def active_links(context):
    """All active links, fetched once per request (header and footer share one lookup)."""
    request = context.get("request")
    if request is not None:
        return per_request(request, "social:links", load_active_links)
    render_context = context.render_context
    if "social_links" not in render_context:
        render_context["social_links"] = load_active_links()
    return render_context["social_links"]


@register.simple_tag(takes_context=True)
def social_links(context, placement):
    """The site's accounts shown in `placement` ("header" or "footer"), in their order;
    rendered once per placement and language, and kept until a link changes."""
    if placement not in (Placement.HEADER, Placement.FOOTER):
        raise template.TemplateSyntaxError(
            f'social_links takes "header" or "footer", not {placement!r}.'
        )

    def render():
        links = [link for link in active_links(context) if link.shows_in(placement)]
        return render_to_string(
            "social/social_links.html", {"placement": placement, "links": links}
        )

    html = cached_value(
        "social:links-html", [placement, get_language()], render, versions=[SOCIAL], memo=True
    )
    return mark_safe(html)  # noqa: S308 - rendered by our own template


@register.inclusion_tag("social/share_links.html", takes_context=True)
def share_links(context, url, title):
    """Share `url` (made absolute) with `title` by WhatsApp, Telegram, Facebook, X, email,
    or copy it: a plain link to the page that share.js turns into a copy button."""
    url = absolute_url(url, context.get("request"))
    return {
        "url": url,
        "targets": with_icons(share_targets(url, title)),
        "link_icon": icon_svg("link"),
    }


def og_locales(context):
    current = edition()
    alternates = context.get("alternate_urls")
    codes = alternates.keys() if alternates is not None else dict(settings.LANGUAGES)
    others = [OG_LOCALES[code] for code in codes if code != current and code in OG_LOCALES]
    return OG_LOCALES.get(current, current), others


def og_context(context, *, og_type, url, title, description, image=None, image_alt=""):
    request = context.get("request")
    locale, alternate_locales = og_locales(context)
    if isinstance(image, str):
        image_url, sized = image, False  # a URL from the page: its size is unknown
    else:
        image_url, sized = (og_image_url(image) if image else None), True
    if not image_url:
        image_url, image_alt = default_og_image_url(), ""
    x_link = next((link for link in active_links(context) if link.network == Network.X), None)
    return {
        "type": og_type,
        "twitter_site": x_link.x_handle if x_link else "",
        "site_name": context.get("site_name", ""),
        "url": absolute_url(url, request),
        "title": title,
        "description": Truncator(description or "").chars(DESCRIPTION_LENGTH),
        "image": absolute_url(image_url, request),
        "image_width": OG_SIZE[0] if sized else None,
        "image_height": OG_SIZE[1] if sized else None,
        "image_alt": image_alt,
        "locale": locale,
        "alternate_locales": alternate_locales,
    }


@register.inclusion_tag("social/og_tags.html", takes_context=True)
def site_og_tags(context):
    """Site-level Open Graph and Twitter card tags with the default picture."""
    request = context.get("request")
    return og_context(
        context,
        og_type="website",
        url=request.path if request is not None and is_site_path(request.path) else "/",
        title=context.get("site_name", ""),
        description=_("News from Iraq and the world, in Arabic and English."),
    )


@register.inclusion_tag("social/og_tags.html", takes_context=True)
def article_og_tags(
    context,
    url,
    title,
    description="",
    image=None,
    image_alt="",
    published=None,
    modified=None,
    section="",
):
    """Open Graph (og:type article) and Twitter card tags for one story.

    `image` is a FieldFile (its 1200×630 rendition is used) or a URL; without one the
    site's default picture is used.
    """
    tags = og_context(
        context,
        og_type="article",
        url=url,
        title=title,
        description=description,
        image=image,
        image_alt=image_alt,
    )
    tags["published_time"] = iso(published)
    tags["modified_time"] = iso(modified)
    tags["section"] = section
    return tags


def iso(value):
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.isoformat(timespec="seconds")
