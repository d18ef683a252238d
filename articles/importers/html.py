"""Saved article pages (a file or a folder of them), of the legacy site or of any other.

The legacy site's pages share one template, and explicit lxml rules say exactly which of its
parts are chrome (menus, social links, ad slots, "read more" lists, tickers, opinion blocks)
so that none of it can reach a body, and the "المصدر:" line becomes the article's Source.
Pages of that template take this exact path first; any other page goes to the general
extractor (articles.importers.article_page, built on trafilatura).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from lxml import etree

from articles.importers.article_page import (
    CHROME_HEADINGS,
    CHROME_TAGS,
    fix_links,
    general_body,
    metadata,
)
from articles.importers.article_page import _drop as _remove
from articles.importers.article_page import is_chrome as _is_chrome
from articles.importers.article_page import text_of as _text
from articles.importers.base import (
    MAX_HTML_FILE_BYTES,
    NO_HEADLINE,
    FailedItem,
    Importer,
    ImportItem,
    SourceError,
    clean_title,
    date_not_understood,
    is_http_url,
)
from articles.importers.feed import parse_date

# The legacy template: an article node whose body is a "field-name-body" field.
LEGACY_LAYOUT = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' node-article ')]"
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' field-name-body ')]"
)
SOURCE_LINE = re.compile(r"^\s*(?:المصدر|المصدر\s*:|source)\s*[:：]\s*(.+?)\s*$", re.IGNORECASE)
BODY_CONTAINERS = (
    "//*[@itemprop='articleBody']",
    "//article//*[contains(concat(' ', normalize-space(@class), ' '), ' article-body ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' field-name-body ')]",
    "//article",
    "//main",
)
KEEP_BLOCKS = {"p", "h2", "h3", "h4", "ul", "ol", "blockquote", "figure", "table", "pre"}


class HtmlImporter(Importer):
    format_name = "html"

    def __init__(self, source: str, *, options: dict | None = None):
        super().__init__(source, options=options)
        self.import_source = "html"
        self._done = 0
        self._total = 0

    def progress(self) -> float | None:
        return self._done / self._total if self._total else None

    def _files(self) -> list[Path]:
        path = Path(self.source)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".html", ".htm"))
            if not files:
                raise SourceError(f"no .html files in {self.source}")
            return files
        if path.is_file():
            return [path]
        raise SourceError(f"cannot read {self.source}: no such file or folder")

    def items(self) -> Iterator[ImportItem | FailedItem]:
        files = self._files()
        self._total = len(files)
        root = Path(self.source) if Path(self.source).is_dir() else files[0].parent
        for number, path in enumerate(files, start=1):
            location = str(path.relative_to(root)) if path.is_relative_to(root) else path.name
            try:
                if path.stat().st_size > MAX_HTML_FILE_BYTES:
                    raise ValueError(f"larger than {MAX_HTML_FILE_BYTES} bytes")
                yield self.extract(path.read_bytes(), location=location, folder=path.parent)
            except OSError as error:
                yield FailedItem(location, f"cannot read: {error.strerror or error}")
            except ValueError as error:
                yield FailedItem(location, str(error))
            finally:
                self._done = number

    def extract(self, data: bytes, *, location: str, folder: Path | None = None) -> ImportItem:
        parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
        try:
            document = lxml.html.document_fromstring(data, parser=parser)
        except (etree.ParserError, ValueError) as error:
            raise ValueError(f"not an HTML page: {error}") from error

        page = metadata(document, base_url=self.options.get("base_url") or "")
        page_url = page.url if is_http_url(page.url) else ""
        title = clean_title(page.headline)
        legacy = bool(document.xpath(LEGACY_LAYOUT))
        if legacy:
            body = self._body(self._body_container(document), title)
        else:
            body = general_body(document)
        body = fix_links(body, page_url=page_url, headline=title)

        source_name = ""
        for element in document.iter():
            if not isinstance(element.tag, str) or len(element) > 2:
                continue
            match = SOURCE_LINE.match(_text(element))
            if match and len(match[1]) <= 200:
                source_name = match[1]
                break

        attention = [] if title else [NO_HEADLINE]
        try:
            published_at = parse_date(page.date)
        except ValueError:
            published_at = None
            attention.append(date_not_understood(page.date))
        image = page.image
        if not image:
            pictures = lxml.html.fromstring(body).xpath("//img/@src") if body else []
            image = pictures[0] if pictures else ""
        body, lead_alt = self._fix_pictures(body, lead=image, page_url=page_url)
        item = ImportItem(
            location=location,
            import_id=(page_url or location)[:500],
            title=title,
            body=body,
            summary=page.description,
            published_at=published_at,
            section_slug=page.section,
            section_name=page.section,
            byline=page.author,
            source_name=source_name,
            url=page_url,
            image_alt=lead_alt[:300],
            image_caption=page.image_caption,
            attention=attention,
        )
        # The legacy site's addresses answer here after the move; other sites' do not.
        path = unquote(urlsplit(page_url).path) if legacy and page_url else ""
        item.legacy_paths = [path] if path not in ("", "/") else []
        self._image(item, image, page_url, folder)
        return item

    @staticmethod
    def _fix_pictures(body: str, *, lead: str, page_url: str) -> tuple[str, str]:
        """The lead picture becomes the article's image, not a copy in the body; other
        pictures get absolute addresses, or go when there is no page address to resolve."""
        fragment = lxml.html.fragment_fromstring(body, create_parent="div")
        lead_alt = ""
        lead = urljoin(page_url, lead) if page_url and lead else lead
        for picture in fragment.xpath(".//img"):
            src = (picture.get("src") or "").strip()
            absolute = urljoin(page_url, src) if page_url else src
            is_lead = bool(src) and absolute == lead
            if is_lead:
                lead_alt = (picture.get("alt") or "").strip()
            if is_lead or not is_http_url(absolute):
                parent = picture.getparent()
                picture.drop_tree()
                if parent is not fragment and parent.tag == "p" and not _text(parent):
                    if not len(parent):
                        parent.drop_tree()
            else:
                picture.set("src", absolute)
        html = "".join(lxml.html.tostring(child, encoding="unicode") for child in fragment)
        return html.strip(), lead_alt

    @staticmethod
    def _body_container(document):
        for query in BODY_CONTAINERS:
            found = [el for el in document.xpath(query) if not _is_chrome(el)]
            if found:
                return found[0]
        # No marked container: the element holding the most paragraph text.
        best, best_length = document.body, 0
        for element in document.xpath("//body//*[p]"):
            if _is_chrome(element):
                continue
            length = sum(len(_text(p)) for p in element.findall("p"))
            if length > best_length:
                best, best_length = element, length
        return best

    def _body(self, container, title: str) -> str:
        container = lxml.html.fromstring(lxml.html.tostring(container, encoding="unicode"))
        for element in list(container.iter(*CHROME_TAGS)):
            _remove(element)
        for element in list(container.iter()):
            if isinstance(element.tag, str) and element is not container and _is_chrome(element):
                _remove(element)
        # A block that opens with a chrome heading ("Opinions", "اقرأ المزيد") goes whole.
        for heading in list(container.iter("h1", "h2", "h3", "h4", "h5", "h6", "strong")):
            if heading.getparent() is None:
                continue
            text = _text(heading)
            if CHROME_HEADINGS.match(text):
                block = heading.getparent()
                _remove(block if block is not container else heading)
            elif heading.tag == "h1" or text == title:
                _remove(heading)
        for element in list(container.iter()):
            if isinstance(element.tag, str) and element is not container:
                if len(element) <= 2 and SOURCE_LINE.match(_text(element)):
                    _remove(element)
        blocks = []
        if container.text and container.text.strip():
            blocks.append(f"<p>{_escape(container.text.strip())}</p>")
        for child in container:
            if not isinstance(child.tag, str):
                continue
            if child.tag in KEEP_BLOCKS:
                child.tail = None
                blocks.append(lxml.html.tostring(child, encoding="unicode"))
            elif child.tag == "div":
                inner = self._body(child, title)
                if inner:
                    blocks.append(inner)
            elif child.tag == "img":
                blocks.append(lxml.html.tostring(child, encoding="unicode").strip())
            elif _text(child):
                blocks.append(f"<p>{_escape(_text(child))}</p>")
            if child.tail and child.tail.strip():
                blocks.append(f"<p>{_escape(child.tail.strip())}</p>")
        return "\n".join(block for block in blocks if block.strip())

    @staticmethod
    def _image(item: ImportItem, image: str, page_url: str, folder: Path | None) -> None:
        if not image:
            return
        if is_http_url(image):
            item.image_url = image
        elif page_url and is_http_url(urljoin(page_url, image)) and not folder:
            item.image_url = urljoin(page_url, image)
        elif folder is not None:
            # A page saved with its pictures: read the file beside it, never outside.
            candidate = (folder / unquote(urlsplit(image).path).lstrip("/")).resolve()
            if candidate.is_relative_to(folder.resolve()) and candidate.is_file():
                item.image_path = candidate
            elif page_url and is_http_url(urljoin(page_url, image)):
                item.image_url = urljoin(page_url, image)


def _escape(text: str) -> str:
    from html import escape

    return escape(text, quote=False)
