"""What a saved article page of any site says about its story: the headline, the metadata
(author, date, section, main picture and caption) and the story's own text.

The text comes from trafilatura (a boilerplate remover made for news pages), run on a copy
of the page from which the parts that are never the story were taken out first: page
chrome, blocks under a "read more" or "most read" heading, comment policies, share prompts
and newsletter offers, which such libraries keep when they sit inside the article.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html

from articles.importers.base import is_http_url, normalise_headline, plain_text

# class/id words that mark page chrome ("side-adv1", "social-links", "read-more", …).
CHROME_WORDS = re.compile(
    r"^(?:ads?|adv\d*|advert\w*|banner\w*|breadcrumbs?|comments?|footer|header|marquee|"
    r"menu\w*|nav\w*|navbar|opinions?|popular|related|readmore|share\w*|sidebar|skip|"
    r"social|sticky|tags|ticker|widget\w*|newsletter|more|most|subscribe|signup|promo)$"
)
CHROME_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form",
               "button", "select", "input", "textarea", "svg", "template")  # fmt: skip
# Headings of blocks that are never the story, whatever their markup.
CHROME_HEADINGS = re.compile(
    r"^\s*(?:opinions|آراء|مقالات الرأي|اقرأ المزيد|اقرأ أيضاً?|الأخبار\s*[-—–]?\s*اقرأ المزيد|"
    r"read more|read also|related(?: stories| articles)?|أخبار ذات صلة|مواضيع ذات صلة|"
    r"الأكثر قراءة|الأكثر مشاهدة|الأكثر تداولاً?|most read|most popular|most viewed|"
    r"trending|النشرة (?:البريدية|الإخبارية)|newsletter|التعليقات|comments)\s*:?\s*$",
    re.IGNORECASE,
)
# Short paragraphs that speak to the reader about the page, not about the story.
BOILERPLATE = re.compile(
    r"ترحب .{0,40}بالنقاش|إرشادات الاستخدام|الآراء الواردة (?:أدناه|في التعليقات)|"
    r"التعليقات (?:لا )?تعبر|سياسة التعليقات|شارك(?:وا)? (?:هذا|الخبر|المقال|على)|"
    r"اشترك(?:وا)? (?:في|ب)|النشرة (?:البريدية|الإخبارية)|تابعونا على|"
    r"comment policy|comments are moderated|community guidelines|views expressed in the "
    r"comments|share (?:this|on)|sign up for|subscribe to|our newsletter|follow us on",
    re.IGNORECASE,
)
BOILERPLATE_MAX_CHARS = 400
ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "blogposting",
                 "analysisnewsarticle", "opinionnewsarticle", "webpage"}  # fmt: skip


def _words(element) -> list[str]:
    names = f"{element.get('class', '')} {element.get('id', '')}".lower()
    return [word for word in re.split(r"[\s_-]+", names) if word]


def is_chrome(element) -> bool:
    return any(CHROME_WORDS.match(word) for word in _words(element))


def text_of(element) -> str:
    return plain_text(element.text_content()) if element is not None else ""


def _drop(element) -> None:
    if element.getparent() is not None:
        element.drop_tree()


@dataclass
class PageMetadata:
    headline: str = ""
    author: str = ""
    date: str = ""
    section: str = ""
    image: str = ""
    image_caption: str = ""
    description: str = ""
    url: str = ""


def _json_ld(document) -> dict:
    """The page's schema.org article object, if it declares one."""
    for script in document.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        queue = data if isinstance(data, list) else [data]
        while queue:
            entry = queue.pop(0)
            if not isinstance(entry, dict):
                continue
            queue.extend(entry.get("@graph") or [])
            kinds = entry.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(str(kind).lower() in ARTICLE_TYPES for kind in kinds):
                return entry
    return {}


def _name(value) -> str:
    """A schema.org person, organisation, image or plain string, as text."""
    if isinstance(value, list):
        return ", ".join(filter(None, (_name(entry) for entry in value)))
    if isinstance(value, dict):
        return str(value.get("name") or value.get("url") or "")
    return str(value or "")


def metadata(document, *, base_url: str = "") -> PageMetadata:
    """Headline (og:title, then <h1>, then JSON-LD, never the site's name), author, date,
    section, main picture and its caption, from the page's own metadata."""

    def meta(*names):
        for name in names:
            found = document.xpath(
                "//meta[@property=$n or @name=$n or @itemprop=$n]/@content", n=name
            )
            if found and found[0].strip():
                return found[0].strip()
        return ""

    linked = _json_ld(document)
    site_names = {
        normalise_headline(name)
        for name in (
            meta("og:site_name", "application-name", "twitter:site"),
            _name(linked.get("publisher")),
        )
        if name
    }
    canonical = next(iter(document.xpath("//link[@rel='canonical']/@href")), "").strip()
    page_url = base_url or canonical or meta("og:url") or str(linked.get("url") or "")
    headings = [text_of(h1) for h1 in document.xpath("//h1")]
    title_tag = document.findtext(".//title") or ""
    # A <title> often reads "Headline | Site": its longest part is the headline.
    title_parts = sorted(re.split(r"\s+[|–—-]\s+", title_tag), key=len, reverse=True)
    headline = ""
    for candidate in (
        meta("og:title", "twitter:title"),
        *headings,
        _name(linked.get("headline")),
        title_parts[0] if title_parts else "",
    ):
        candidate = plain_text(candidate)
        if candidate and normalise_headline(candidate) not in site_names:
            headline = candidate
            break
    image = meta("og:image", "twitter:image") or _name(linked.get("image"))
    caption = ""
    if isinstance(linked.get("image"), dict):
        caption = str(linked["image"].get("caption") or "")
    for figure in document.xpath("//figure[.//img]"):
        sources = figure.xpath(".//img/@src")
        if not image or any(image.endswith(src) or src.endswith(image) for src in sources):
            image = image or sources[0]
            caption = caption or text_of(next(iter(figure.xpath(".//figcaption")), None))
            break
    author = meta("author", "article:author", "byl", "dc.creator") or _name(linked.get("author"))
    if is_http_url(author):
        author = ""  # article:author is often the author's page, not a name
    return PageMetadata(
        headline=headline,
        author=re.sub(r"^(?:by|بقلم)\s*:?\s+", "", author, flags=re.IGNORECASE)[:200],
        date=meta("article:published_time", "datePublished", "date", "pubdate")
        or str(linked.get("datePublished") or "")
        or next(iter(document.xpath("//time/@datetime")), ""),
        section=meta("article:section") or _name(linked.get("articleSection")),
        image=image.strip(),
        image_caption=plain_text(caption)[:300],
        description=meta("description", "og:description")[:1000],
        url=page_url.strip(),
    )


def remove_chrome(container) -> None:
    """Take out of `container`, in place, everything that is never the story."""
    for element in list(container.iter(*CHROME_TAGS)):
        _drop(element)
    for element in list(container.iter()):
        if isinstance(element.tag, str) and element is not container and is_chrome(element):
            _drop(element)
    for heading in list(container.iter("h1", "h2", "h3", "h4", "h5", "h6", "strong")):
        if heading.getparent() is not None and CHROME_HEADINGS.match(text_of(heading)):
            block = heading.getparent()
            # A block that opens with such a heading goes whole; a heading loose among the
            # story's paragraphs goes with the list or links that follow it.
            if block is not container and block.tag not in ("body", "article", "main"):
                _drop(block)
            else:
                following = heading.getnext()
                while following is not None and following.tag in ("ul", "ol", "h3", "h4"):
                    after = following.getnext()
                    _drop(following)
                    following = after
                _drop(heading)
    for element in list(container.iter("p", "div", "li", "section")):
        if element.getparent() is None:
            continue
        text = text_of(element)
        if text and len(text) <= BOILERPLATE_MAX_CHARS and BOILERPLATE.search(text):
            _drop(element)


def general_body(document) -> str:
    """The story's text as HTML (paragraphs, headings, lists, quotes, tables, pictures),
    found by trafilatura on the page without its chrome. Addresses stay as the page wrote
    them: fix_links resolves them (trafilatura's own resolution mishandles "../")."""
    import trafilatura  # noqa: PLC0415 - a large import, only for saved pages

    page = lxml.html.fromstring(lxml.html.tostring(document))
    remove_chrome(page)
    extracted = trafilatura.extract(
        lxml.html.tostring(page, encoding="unicode"),
        output_format="html",
        include_comments=False,
        include_links=True,
        include_images=True,
        include_tables=True,
        include_formatting=True,
        favor_precision=True,
        with_metadata=False,
    )
    if not extracted:
        return ""
    body = lxml.html.fromstring(extracted).find(".//body")
    if body is None:
        return ""
    remove_chrome(body)
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in body).strip()


def fix_links(body: str, *, page_url: str, headline: str) -> str:
    """Links resolved against the page's own address, or unwrapped (their text kept) when
    they cannot be; the headline, when the body repeats it, taken out."""
    if not body:
        return ""
    fragment = lxml.html.fragment_fromstring(body, create_parent="div")
    for link in list(fragment.iter("a")):
        href = (link.get("href") or "").strip()
        absolute = urljoin(page_url, href) if href and is_http_url(page_url) else href
        if href and is_http_url(absolute):
            link.set("href", absolute)
        else:
            link.drop_tag()
    wanted = normalise_headline(headline)
    for heading in list(fragment.iter("h1", "h2")):
        if wanted and normalise_headline(text_of(heading)) == wanted:
            _drop(heading)
    for paragraph in list(fragment.iter("p")):
        if not text_of(paragraph) and not len(paragraph):
            _drop(paragraph)
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in fragment).strip()
