"""RSS 2.0 and Atom feeds (a file or an http(s) address), read with the guarded XML parser."""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import escape
from pathlib import Path
from urllib.parse import urljoin

from defusedxml import ElementTree as SafeET

from articles.importers.base import (
    MAX_SOURCE_BYTES,
    NO_HEADLINE,
    FailedItem,
    FetchError,
    Importer,
    ImportItem,
    SourceError,
    clean_title,
    date_not_understood,
    fetch,
    is_http_url,
    local_name,
    plain_text,
    safe_iterparse,
)

FEED_CONTENT_TYPES = ("application/", "text/xml", "text/plain")
ATOM = "http://www.w3.org/2005/Atom"


def parse_date(value: str) -> datetime | None:
    """RSS (RFC 822) or Atom (RFC 3339) dates; raises ValueError on nonsense."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError) as error:
            raise ValueError(f"unparseable date {value!r}") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _inner_xhtml(element) -> str:
    """The markup inside an Atom type="xhtml" <div>, without namespace prefixes."""
    container = next(iter(element), None)
    if container is None:
        return element.text or ""
    for node in container.iter():
        node.tag = local_name(node.tag)
    parts = [container.text or ""]
    parts += [SafeET.tostring(child, encoding="unicode") for child in container]
    return "".join(parts)


def _text_construct(element) -> str:
    """An Atom text construct or an RSS element, as HTML."""
    if element.get("type") == "xhtml":
        return _inner_xhtml(element)
    text = element.text or ""
    if element.get("type") == "text":
        return escape(text)
    return text


class FeedImporter(Importer):
    format_name = "feed"

    def __init__(self, source: str, *, options: dict | None = None):
        super().__init__(source, options=options)
        self.feed_title = ""
        self.feed_link = ""
        self._handle = None
        self._size = 0

    def _open(self):
        if self.options.get("content") is not None:  # fetched already (poll_feeds)
            self._size = len(self.options["content"])
            return io.BytesIO(self.options["content"])
        if is_http_url(self.source):
            try:
                body, _type = fetch(
                    self.source, max_bytes=MAX_SOURCE_BYTES, content_types=FEED_CONTENT_TYPES
                )
            except FetchError as error:
                raise SourceError(f"cannot fetch the feed: {error}") from error
            self._size = len(body)
            return io.BytesIO(body)
        try:
            self._size = os.path.getsize(self.source)
            return Path(self.source).open("rb")
        except OSError as error:
            raise SourceError(f"cannot read {self.source}: {error.strerror or error}") from error

    def progress(self) -> float | None:
        if self._handle is None or not self._size:
            return None
        try:
            return min(1.0, self._handle.tell() / self._size)
        except (OSError, ValueError):
            return None

    def items(self) -> Iterator[ImportItem | FailedItem]:
        handle = self._open()
        self._handle = handle
        name = self.source.rsplit("/", 1)[-1] or self.source
        number = 0
        root = None
        if handle.read(16384).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            handle.seek(0)
            with handle:
                yield from self._json_feed(handle, name)
            self._handle = None
            return
        handle.seek(0)
        try:
            for event, element in safe_iterparse(handle):
                tag = local_name(element.tag)
                if event == "start":
                    if root is None:
                        root = element
                        if tag not in ("rss", "feed", "RDF"):
                            raise SourceError("not an RSS or Atom feed")
                    continue
                parent_is_feed = tag in ("title", "link") and self._is_feed_level(root, element)
                if parent_is_feed:
                    self._feed_metadata(tag, element)
                    continue
                if tag not in ("item", "entry"):
                    continue
                number += 1
                location = f"{name} item {number}"
                try:
                    yield self._item(element, location)
                except ValueError as error:
                    yield FailedItem(location, str(error))
                finally:
                    element.clear()
                    self._drop_children(root)
        finally:
            handle.close()
            self._handle = None

    @staticmethod
    def _is_feed_level(root, element) -> bool:
        if root is None:
            return False
        if element in list(root):
            return True
        channel = next((c for c in root if local_name(c.tag) == "channel"), None)
        return channel is not None and element in list(channel)

    @staticmethod
    def _drop_children(root) -> None:
        """Forget finished items so that memory stays flat."""
        for parent in (root, next((c for c in root if local_name(c.tag) == "channel"), None)):
            if parent is None:
                continue
            for child in list(parent):
                if local_name(child.tag) in ("item", "entry"):
                    parent.remove(child)

    def _feed_metadata(self, tag, element) -> None:
        if tag == "title" and not self.feed_title:
            self.feed_title = plain_text(element.text or "")
        elif tag == "link" and not self.feed_link:
            href = element.get("href")
            if href is not None:  # Atom
                if element.get("rel", "alternate") == "alternate":
                    self.feed_link = href.strip()
            else:
                self.feed_link = (element.text or "").strip()
        identity = self.feed_link or self.source
        self.import_source = f"feed:{identity}"[:200]

    def _item(self, element, location: str) -> ImportItem:
        fields: dict[str, str] = {}
        link = guid = author = ""
        categories: list[str] = []
        image_url = ""
        for child in element:
            tag = local_name(child.tag)
            if tag == "link":
                href = child.get("href")
                if href is None:
                    link = link or (child.text or "").strip()
                elif child.get("rel", "alternate") == "alternate" and not link:
                    link = href.strip()
                elif child.get("rel") == "enclosure" and (child.get("type") or "").startswith(
                    "image/"
                ):
                    image_url = image_url or href.strip()
            elif tag in ("guid", "id"):
                guid = (child.text or "").strip()
            elif tag == "category":
                term = child.get("term") or child.text or ""
                if term.strip():
                    categories.append(plain_text(term))
            elif tag in ("author", "creator"):
                name = next((c.text for c in child if local_name(c.tag) == "name"), None)
                author = author or plain_text(name or child.text or "")
            elif tag == "enclosure" and (child.get("type") or "").startswith("image/"):
                image_url = image_url or (child.get("url") or "").strip()
            elif tag in ("content", "thumbnail") and child.get("url"):  # Media RSS
                if (
                    tag == "thumbnail"
                    or (child.get("medium") == "image")
                    or (child.get("type") or "").startswith("image/")
                ):
                    image_url = image_url or child.get("url").strip()
            elif tag == "encoded":
                fields["content"] = child.text or ""
            elif tag in ("content", "summary", "description", "title"):
                fields.setdefault(tag, _text_construct(child))
            elif tag in ("pubDate", "published", "updated", "date"):
                fields.setdefault(tag, child.text or "")
        title = clean_title(fields.get("title", ""))
        raw_date = next(
            (fields[k] for k in ("pubDate", "published", "date", "updated") if fields.get(k)), ""
        )
        attention = [] if title else [NO_HEADLINE]
        try:
            published_at = parse_date(raw_date)
        except ValueError:
            published_at = None
            attention.append(date_not_understood(raw_date))
        base = self.feed_link or (self.source if is_http_url(self.source) else "")
        link = urljoin(base, link) if link and base else link
        summary_html = fields.get("summary") or fields.get("description") or ""
        body = fields.get("content") or summary_html
        identity = guid or link
        if not identity:
            # Nothing names the item: its content does, so that a re-run finds it again.
            digest = hashlib.sha256(f"{title}\n{raw_date}\n{body}".encode()).hexdigest()
            identity = f"sha256:{digest}"
        return ImportItem(
            location=location,
            import_id=identity[:500],
            attention=attention,
            title=title,
            body=body,
            summary=plain_text(summary_html)[:1000] if fields.get("content") else "",
            published_at=published_at,
            tags=list(dict.fromkeys(categories)),
            byline=author[:200],
            source_name=self.feed_title[:200] or self.feed_link[:200],
            source_link=self.feed_link if is_http_url(self.feed_link) else "",
            url=link if is_http_url(link) else "",
            image_url=image_url if is_http_url(image_url) else "",
        )

    # JSON Feed (https://jsonfeed.org/version/1.1) --------------------------------------

    def _json_feed(self, handle, name: str) -> Iterator[ImportItem | FailedItem]:
        try:
            feed = json.loads(handle.read(MAX_SOURCE_BYTES + 1).decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as error:
            raise SourceError(f"not a JSON feed: {error}") from error
        if not isinstance(feed, dict) or not isinstance(feed.get("items"), list):
            raise SourceError("not a JSON feed: no “items” list")
        self.feed_title = plain_text(str(feed.get("title") or ""))
        self.feed_link = str(feed.get("home_page_url") or "").strip()
        self.import_source = f"feed:{self.feed_link or self.source}"[:200]
        for number, entry in enumerate(feed["items"], start=1):
            location = f"{name} item {number}"
            try:
                yield self._json_item(entry, location)
            except (TypeError, ValueError) as error:
                yield FailedItem(location, str(error))

    def _json_item(self, entry, location: str) -> ImportItem:
        if not isinstance(entry, dict):
            raise ValueError("an item must be a JSON object")

        def text(name):
            value = entry.get(name)
            if value is not None and not isinstance(value, str | int):
                raise ValueError(f"“{name}” must be a string")
            return str(value or "").strip()

        title = clean_title(text("title"))
        attention = [] if title else [NO_HEADLINE]
        try:
            published_at = parse_date(text("date_published"))
        except ValueError:
            published_at = None
            attention.append(date_not_understood(text("date_published")))
        body = text("content_html") or escape(text("content_text"))
        link = text("url")
        identity = text("id") or link
        if not identity:
            digest = hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()
            identity = f"sha256:{digest}"
        authors = entry.get("authors") or ([entry["author"]] if entry.get("author") else [])
        byline = ", ".join(
            plain_text(str(author.get("name") or ""))
            for author in authors
            if isinstance(author, dict)
        )
        tags = entry.get("tags") or []
        image = text("image") or text("banner_image")
        return ImportItem(
            location=location,
            import_id=identity[:500],
            attention=attention,
            title=title,
            body=body,
            summary=plain_text(text("summary"))[:1000],
            published_at=published_at,
            tags=[plain_text(str(tag)) for tag in tags if str(tag).strip()][:50],
            byline=byline[:200],
            source_name=self.feed_title[:200] or self.feed_link[:200],
            source_link=self.feed_link if is_http_url(self.feed_link) else "",
            url=link if is_http_url(link) else "",
            image_url=image if is_http_url(image) else "",
        )
