"""Absolute addresses for link previews and share buttons, and the share targets.

Nothing here knows about articles: templates pass in the address and the title.
"""

from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext as _

from social.icons import icon_svg


def absolute_url(url, request=None):
    """`url` made absolute: from NEWSROOM_SITE_URL when set, else from the request."""
    if not url:
        return ""
    url = str(url)
    if urlsplit(url).scheme:
        return url
    if url.startswith("//"):
        return f"https:{url}"
    if settings.NEWSROOM_SITE_URL:
        return iri_to_uri(settings.NEWSROOM_SITE_URL + "/" + url.lstrip("/"))
    if request is not None:
        return request.build_absolute_uri(url)
    return url


def encode(value):
    """Percent-encode a query value (UTF-8, spaces as %20: right for https and mailto)."""
    return quote(str(value), safe="")


def share_targets(url, title):
    """Where a reader can share `url`: one dict per service, in the order shown."""
    return [
        {
            "service": "whatsapp",
            "name": _("Share on WhatsApp"),
            "href": f"https://wa.me/?text={encode(f'{title} {url}')}",
        },
        {
            "service": "telegram",
            "name": _("Share on Telegram"),
            "href": f"https://t.me/share/url?url={encode(url)}&text={encode(title)}",
        },
        {
            "service": "facebook",
            "name": _("Share on Facebook"),
            "href": f"https://www.facebook.com/sharer/sharer.php?u={encode(url)}",
        },
        {
            "service": "x",
            "name": _("Share on X"),
            "href": f"https://x.com/intent/tweet?text={encode(title)}&url={encode(url)}",
        },
        {
            "service": "email",
            "name": _("Share by email"),
            "href": f"mailto:?subject={encode(title)}&body={encode(url)}",
        },
    ]


def with_icons(targets):
    return [{**target, "icon": icon_svg(target["service"])} for target in targets]
