"""The one HTML policy for article bodies, whether typed in the admin or imported."""

import re
from urllib.parse import urlsplit

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "bdi", "blockquote", "br", "caption", "cite", "code", "del", "em",
    "figcaption", "figure", "h2", "h3", "h4", "hr", "i", "iframe", "img", "ins", "li", "mark",
    "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "u", "ul",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "*": {"dir", "lang"},
    "a": {"href", "title"},
    "abbr": {"title"},
    "iframe": {"src", "width", "height", "title", "allowfullscreen"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "type"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}

# Video players whose embeds may stay in a body: host → the path the player lives under.
EMBED_HOSTS = {
    "www.youtube.com": "/embed/",
    "youtube.com": "/embed/",
    "www.youtube-nocookie.com": "/embed/",
    "player.vimeo.com": "/video/",
}


def is_allowed_embed(url: str) -> bool:
    """An https address of one of the allowed players (nothing else may be framed)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    prefix = EMBED_HOSTS.get((parts.hostname or "").lower())
    return (
        parts.scheme == "https"
        and prefix is not None
        and parts.path.startswith(prefix)
        and not parts.username
        and parts.port in (None, 443)
    )


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "iframe" and attribute == "src":
        return value if is_allowed_embed(value) else None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)

# What the cleaner leaves of a frame whose address was refused.
_EMPTY_IFRAME = re.compile(r"<iframe(?![^>]*\ssrc=)[^>]*>\s*</iframe>")


def sanitize_html(html: str) -> str:
    """Strip everything but the allowed markup: no scripts, styles, event handlers or
    javascript:/data: URLs, frames only from the allowed video players. An editor's empty
    paragraph counts as no body at all."""
    cleaned = _EMPTY_IFRAME.sub("", _cleaner.clean(html)).strip()
    return "" if cleaned in {"", "<p></p>", "<p><br></p>"} else cleaned


def absolute_html(html: str, base_url: str) -> str:
    """The same policy, with relative links and images resolved against `base_url`:
    for copies of the body read elsewhere (feed readers)."""
    cleaner = nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
        url_relative=("rewrite_with_base", base_url),
    )
    return cleaner.clean(html).strip()
