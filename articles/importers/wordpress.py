"""WordPress content helpers: automatic paragraphs and shortcodes, as WordPress renders them."""

import html
import re

_BLOCK = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|"
    r"map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|"
    r"aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|iframe)"
)
_STARTS_BLOCK = re.compile(rf"^\s*</?{_BLOCK}[\s/>]", re.IGNORECASE)
_CAPTION = re.compile(r"\[caption([^\]]*)\](.*?)\[/caption\]", re.DOTALL | re.IGNORECASE)
_SHORTCODE = re.compile(r"\[(/?)([A-Za-z][\w-]*)((?:\s[^\]]*)?)/?\]")
_IMG_OR_LINKED_IMG = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.DOTALL)
_ATTRIBUTE = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")


def _attributes(text: str) -> dict[str, str]:
    return {m[1].lower(): m[2] or m[3] or m[4] or "" for m in _ATTRIBUTE.finditer(text)}


def captions_to_figures(content: str) -> str:
    """[caption …]<img …> Text[/caption] → <figure><img …><figcaption>Text</figcaption></figure>."""

    def figure(match: re.Match) -> str:
        inner = match[2].strip()
        found = _IMG_OR_LINKED_IMG.match(inner)
        if not found:
            return inner
        image, text = found[1], found[2].strip()
        text = text or _attributes(match[1]).get("caption", "")
        caption = f"<figcaption>{text}</figcaption>" if text else ""
        return f"\n\n<figure>{image}{caption}</figure>\n\n"

    return _CAPTION.sub(figure, content)


def strip_shortcodes(content: str) -> tuple[str, list[str]]:
    """Remove the remaining [shortcode] tags (keeping any text they enclose); returns the
    content and the names removed."""
    removed: list[str] = []

    def drop(match: re.Match) -> str:
        name = match[2].lower()
        if name not in removed:
            removed.append(name)
        return ""

    return _SHORTCODE.sub(drop, content), removed


def autop(content: str) -> str:
    """WordPress's wpautop, in short: blank lines separate paragraphs, single line breaks
    become <br>, blocks that already are block elements are left alone."""
    content = content.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not content:
        return ""
    # Give block-level tags their own lines so they never end up inside a <p>.
    content = re.sub(rf"(<{_BLOCK}[\s/>])", r"\n\n\1", content, flags=re.IGNORECASE)
    content = re.sub(rf"(</{_BLOCK}>)", r"\1\n\n", content, flags=re.IGNORECASE)
    blocks = [block.strip() for block in re.split(r"\n\s*\n", content) if block.strip()]
    out = []
    depth_open = 0
    for block in blocks:
        opened = len(re.findall(rf"<{_BLOCK}[\s>]", block, flags=re.IGNORECASE))
        closed = len(re.findall(rf"</{_BLOCK}>", block, flags=re.IGNORECASE))
        if depth_open or _STARTS_BLOCK.match(block):
            out.append(block)
        else:
            out.append("<p>" + block.replace("\n", "<br>\n") + "</p>")
        depth_open = max(0, depth_open + opened - closed)
    return "\n".join(out)


def render_content(content: str) -> tuple[str, list[str]]:
    """WordPress post content → HTML with real paragraphs and figures; returns the HTML and
    warnings for the shortcodes that were dropped."""
    content = captions_to_figures(content or "")
    content, removed = strip_shortcodes(content)
    warnings = [f"shortcode [{name}] removed" for name in removed]
    return autop(content), warnings


def unescape_nicename(value: str) -> str:
    """WordPress stores Arabic slugs percent-encoded."""
    from urllib.parse import unquote

    return unquote(html.unescape(value or "")).strip()
