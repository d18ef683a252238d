"""WordPress export files (WXR: Tools → Export), streamed item by item."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from articles.importers.base import (
    NO_DATE,
    NO_HEADLINE,
    FailedItem,
    Importer,
    ImportItem,
    SourceError,
    clean_title,
    date_not_understood,
    local_name,
    plain_text,
    safe_iterparse,
)
from articles.importers.wordpress import render_content, unescape_nicename

# WordPress status → ours; the rest (trash, auto-draft, inherit) are not articles.
STATUSES = {
    "publish": "published",
    "future": "published",  # scheduled: public by itself at its date
    "draft": "draft",
    "pending": "review",
    "private": "draft",
}
ZERO_DATE = "0000-00-00 00:00:00"


def _wp_date(value: str) -> datetime | None:
    """'2023-05-01 10:00:00' in UTC; WordPress writes zeros for "no date"."""
    value = (value or "").strip()
    if not value or value == ZERO_DATE:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError as error:
        raise ValueError(f"unparseable date {value!r}") from error


def _rfc822_date(value: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError) as error:
        raise ValueError(f"unparseable date {value!r}") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class _Item:
    """The parts of one <item> the importer reads, collected from a finished element."""

    def __init__(self, element):
        self.fields: dict[str, str] = {}
        self.categories: list[tuple[str, str, str]] = []  # (domain, nicename, name)
        self.meta: dict[str, str] = {}
        for child in element:
            name = local_name(child.tag)
            if name == "category":
                self.categories.append(
                    (child.get("domain", ""), child.get("nicename", ""), (child.text or "").strip())
                )
            elif name == "postmeta":
                key = value = ""
                for part in child:
                    if local_name(part.tag) == "meta_key":
                        key = (part.text or "").strip()
                    elif local_name(part.tag) == "meta_value":
                        value = (part.text or "").strip()
                self.meta[key] = value
            elif name in ("encoded",):
                # content:encoded and excerpt:encoded share a local name: keep them apart.
                prefix = "excerpt" if "excerpt" in child.tag else "content"
                self.fields[prefix] = child.text or ""
            elif name != "comment":
                self.fields.setdefault(name, child.text or "")

    def get(self, name: str) -> str:
        return self.fields.get(name, "") or ""


class WxrImporter(Importer):
    format_name = "wxr"

    def __init__(self, source: str, *, options: dict | None = None):
        super().__init__(source, options=options)
        self.path = Path(source)
        self.media_dir = (
            Path(self.options["media_dir"]).resolve() if self.options.get("media_dir") else None
        )
        self.authors: dict[str, str] = {}  # login → display name
        self.attachments: dict[str, dict[str, str]] = {}  # post id → url, alt, caption
        self.site = ""
        self._handle = None
        self._size = 0

    # The first pass reads the site, its authors and its attachments (featured images may
    # come after the posts that use them); it also proves the file is safe and well formed
    # before anything is written.
    def _scan(self) -> None:
        with self.path.open("rb") as handle:
            channel = None
            for event, element in safe_iterparse(handle):
                name = local_name(element.tag)
                if event == "start":
                    if name == "channel":
                        channel = element
                    continue
                if name in ("base_site_url", "base_blog_url") and not self.site:
                    self.site = (element.text or "").strip()
                elif name == "link" and channel is not None and not self.site:
                    if element in list(channel):
                        self.site = (element.text or "").strip()
                elif name == "author" and channel is not None:
                    parts = {local_name(c.tag): (c.text or "").strip() for c in element}
                    login = parts.get("author_login", "")
                    if login:
                        self.authors[login] = parts.get("author_display_name") or login
                elif name == "item":
                    item = _Item(element)
                    if item.get("post_type") == "attachment":
                        self.attachments[item.get("post_id").strip()] = {
                            "url": (item.get("attachment_url") or item.get("guid")).strip(),
                            "alt": item.meta.get("_wp_attachment_image_alt", ""),
                            "caption": plain_text(item.get("excerpt")),
                        }
                    if channel is not None:
                        channel.clear()
        self.import_source = f"wordpress:{self.site}"[:200] if self.site else "wordpress"

    def progress(self) -> float | None:
        if self._handle is None or not self._size:
            return None
        try:
            return min(1.0, self._handle.tell() / self._size)
        except (OSError, ValueError):
            return None

    def items(self) -> Iterator[ImportItem | FailedItem]:
        try:
            self._size = os.path.getsize(self.path)
            self._scan()
        except OSError as error:
            raise SourceError(f"cannot read {self.source}: {error.strerror or error}") from error
        number = 0
        with self.path.open("rb") as handle:
            self._handle = handle
            channel = None
            for event, element in safe_iterparse(handle):
                if event == "start":
                    if local_name(element.tag) == "channel":
                        channel = element
                    continue
                if local_name(element.tag) != "item":
                    continue
                number += 1
                item = _Item(element)
                if channel is not None:
                    channel.clear()  # memory stays flat, whatever the file's size
                if item.get("post_type").strip() not in ("post", ""):
                    continue  # pages, attachments, menu items… are not articles
                location = f"{self.path.name} item {number}"
                try:
                    result = self._article(item, location)
                except ValueError as error:
                    yield FailedItem(location, str(error))
                    continue
                if result is not None:
                    yield result
            self._handle = None

    def _article(self, item: _Item, location: str) -> ImportItem | None:
        status = STATUSES.get(item.get("status").strip())
        if status is None:
            return None
        title = clean_title(item.get("title"))
        attention = [] if title else [NO_HEADLINE]
        try:
            published_at = _wp_date(item.get("post_date_gmt"))
            if published_at is None and status == "published" and item.get("pubDate").strip():
                published_at = _rfc822_date(item.get("pubDate"))
                if published_at is not None and published_at.year <= 1970:
                    published_at = None  # WordPress's "no date"
        except ValueError:
            published_at = None
            attention.append(date_not_understood(item.get("post_date_gmt") or item.get("pubDate")))
        if published_at is None and status == "published" and not attention:
            attention.append(NO_DATE)
        body, warnings = render_content(item.get("content"))
        guid = item.get("guid").strip()
        post_id = item.get("post_id").strip()
        sections = [c for c in item.categories if c[0] == "category"]
        section_slug = section_name = ""
        if sections:
            section_slug = unescape_nicename(sections[0][1]) or sections[0][2]
            section_name = sections[0][2]
        tags = [name for domain, _nice, name in item.categories if domain == "post_tag" and name]
        tags += [name for _domain, _nice, name in sections[1:] if name]
        login = item.get("creator").strip()
        link = item.get("link").strip()
        legacy = unquote(urlsplit(link).path) if link else ""
        # WordPress keys a post by its id within the site; guids are not unique in real
        # exports (two different posts may share one).
        result = ImportItem(
            location=location,
            import_id=(f"post-{post_id}" if post_id else guid)[:500],
            former_ids=[guid[:500]] if guid and post_id else [],
            attention=attention,
            title=title,
            body=body,
            summary=plain_text(item.get("excerpt")),
            status=status,
            published_at=published_at,
            section_slug=section_slug,
            section_name=section_name,
            tags=list(dict.fromkeys(tags)),
            author_slug=login,
            author_name=self.authors.get(login, login),
            url=link if link.startswith(("http://", "https://")) else "",
            legacy_paths=[legacy] if legacy not in ("", "/") else [],
            warnings=warnings,
        )
        thumbnail = self.attachments.get(item.meta.get("_thumbnail_id", ""))
        if thumbnail and thumbnail["url"]:
            result.image_url = thumbnail["url"]
            result.image_alt = thumbnail["alt"]
            result.image_caption = thumbnail["caption"]
            result.image_path = self._local_copy(thumbnail["url"])
        return result

    def _local_copy(self, url: str) -> Path | None:
        """The file under --media-dir that mirrors wp-content/uploads/… of `url`, if any."""
        if self.media_dir is None:
            return None
        path = unquote(urlsplit(url).path)
        marker = "/wp-content/uploads/"
        if marker not in path:
            return None
        candidate = (self.media_dir / path.split(marker, 1)[1]).resolve()
        if not candidate.is_relative_to(self.media_dir) or not candidate.is_file():
            return None
        return candidate
