"""The one HTML policy for article bodies, whether typed in the admin or imported."""

import html as htmllib
import re
from urllib.parse import urlsplit

import nh3

from articles.embeds import parse_embed

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
    "blockquote": {"class"},
    # A library picture (its id) or an embed (its address): articles/body.py renders them.
    "figure": {"data-image", "data-embed"},
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


# The classes an editor's block may carry (a pull quote is a styled blockquote).
ALLOWED_CLASSES = {"blockquote": {"pull-quote"}}


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "iframe" and attribute == "src":
        return value if is_allowed_embed(value) else None
    if attribute == "data-image":
        return value if value.isascii() and value.isdigit() and len(value) < 12 else None
    if attribute == "data-embed":
        embed = parse_embed(value)
        return embed.url if embed else None
    if attribute == "class":
        kept = [name for name in value.split() if name in ALLOWED_CLASSES.get(tag, ())]
        return " ".join(kept) or None
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
# A player's frame the cleaner kept (the only attributes nh3 writes are quoted).
_IFRAME = re.compile(r'<iframe[^>]*\ssrc="([^"]*)"[^>]*>.*?</iframe>', re.S)
# A figure left with nothing: its picture id or embed address was refused.
_EMPTY_FIGURE = re.compile(r"<figure>\s*</figure>")
# The figures of library pictures in a cleaned body.
FIGURE_IMAGE = re.compile(r'<figure data-image="(\d+)"')


def _frame_to_embed(match):
    """A kept player frame becomes an embed block: readers get the click-to-load facade."""
    embed = parse_embed(htmllib.unescape(match.group(1)))
    return f'<figure data-embed="{htmllib.escape(embed.url)}"></figure>' if embed else ""


def figure_image_ids(html: str) -> list[int]:
    """The ids of the library pictures a cleaned body shows as figures, in order."""
    return [int(found) for found in FIGURE_IMAGE.findall(html)]


def sanitize_html(html: str) -> str:
    """Strip everything but the allowed markup: no scripts, styles, event handlers or
    javascript:/data: URLs; a frame of an allowed video player becomes an embed block, and
    an embed block keeps only the canonical address of a known provider's post or video.
    An editor's empty paragraph counts as no body at all."""
    cleaned = _EMPTY_IFRAME.sub("", _cleaner.clean(html))
    cleaned = _EMPTY_FIGURE.sub("", _IFRAME.sub(_frame_to_embed, cleaned)).strip()
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


_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote|figcaption|tr)\b[^>]*>|<br\b[^>]*>", re.I)


def plain_text(markup, *, lines: bool = False) -> str:
    """What a reader reads of markup: tags dropped (a block's end, or <br>, ends a line),
    entities decoded; one line, or with `lines` one line per paragraph."""
    text = htmllib.unescape(_TAG.sub("", _BLOCK_END.sub("\n", str(markup or ""))))
    if lines:
        return "\n".join(line.strip() for line in text.splitlines() if line.strip())
    return " ".join(text.split())
