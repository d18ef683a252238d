"""An article body as readers get it: the stored body holds library pictures and embeds
as references (`<figure data-image="42">`, `<figure data-embed="https://…">`, see
articles/html.py); they are rendered here, when the page (or the feed) is rendered, so a
picture replaced or cropped again in the library shows anew in every story.

All the pictures of a body are read in one query, whatever their number. A figure whose
picture has been deleted renders nothing.
"""

import re
from html import unescape

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from articles.embeds import parse_embed
from articles.html import figure_image_ids
from articles.models import Image

_FIGURE = re.compile(r'<figure data-image="(\d+)">(.*?)</figure>', re.S)
_CAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.S)
_EMBED = re.compile(r'<figure data-embed="([^"]+)">\s*</figure>')


def pictures_of(*bodies) -> dict:
    """{id: Image} of the library pictures that `bodies` show, in one query."""
    ids = {pk for body in bodies for pk in figure_image_ids(body or "")}
    return Image.objects.in_bulk(ids) if ids else {}


def missing_figures(body: str) -> list[int]:
    """The ids of the pictures a body shows that are not in the library (deleted)."""
    ids = figure_image_ids(body or "")
    return sorted(set(ids) - pictures_of(body).keys())


def render_body(body: str, *, for_feed: bool = False, pictures: dict | None = None) -> str:
    """`body` (cleaned) with its figures and embeds rendered: for a page, responsive
    <figure>s and click-to-load embeds; for a feed, plain pictures and links."""
    if pictures is None:
        pictures = pictures_of(body)

    def figure(match):
        image = pictures.get(int(match.group(1)))
        if image is None:
            return ""
        caption = _CAPTION.search(match.group(2))
        context = {
            "image": image,
            # The editor's caption for this story, else the library's.
            "caption": mark_safe(caption.group(1)) if caption and caption.group(1).strip() else "",
            "for_feed": for_feed,
        }
        return render_to_string("articles/includes/figure.html", context).strip()

    def embed(match):
        found = parse_embed(unescape(match.group(1)))
        if found is None:
            return ""
        context = {"embed": found, "for_feed": for_feed}
        return render_to_string("articles/includes/embed.html", context).strip()

    return mark_safe(_EMBED.sub(embed, _FIGURE.sub(figure, body or "")))  # noqa: S308
