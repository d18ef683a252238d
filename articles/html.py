"""The one HTML policy for article bodies, whether typed in the admin or imported."""

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "bdi", "blockquote", "br", "caption", "cite", "code", "del", "em",
    "figcaption", "figure", "h2", "h3", "h4", "hr", "i", "img", "ins", "li", "mark", "ol",
    "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "u", "ul",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "*": {"dir", "lang"},
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "type"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def sanitize_html(html: str) -> str:
    """Strip everything but the allowed markup: no scripts, styles, event handlers or
    javascript:/data: URLs. An editor's empty paragraph counts as no body at all."""
    cleaned = _cleaner.clean(html).strip()
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
