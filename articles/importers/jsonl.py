"""JSON Lines: one article per line, in the schema the README documents."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from articles.exports import RECORD_PREFIX
from articles.importers.base import (
    MAX_LINE_BYTES,
    NO_DATE,
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

STATUSES = {"draft", "review", "published"}
TEXT_FIELDS = {
    "body", "summary", "section", "section_name", "author", "author_slug", "byline",
    "dateline", "source", "source_url", "url", "image_url", "image_caption", "image_alt",
    "image_credit", "image_path",
}  # fmt: skip
TRANSLATED = ("title", "summary", "body", "dateline", "byline", "image_caption", "image_alt")
# Written by export_articles so that a backup restores whole (see ImportItem.extra).
BACKUP_TEXT = {
    "slug", "slug_en", "section_name_en", "source_en", "author_en", "author_bio", "author_bio_en",
    "source_published_at", "first_imported_at", "attention_reason", "duplicate_of",
}  # fmt: skip
BACKUP_OTHER = {
    "section_in_navigation", "tags_en", "tag_slugs", "related", "needs_attention", "figures",
}  # fmt: skip
KNOWN = {"id", "title", "status", "published_at", "tags", "is_featured", "is_breaking"}
KNOWN |= TEXT_FIELDS | BACKUP_TEXT | BACKUP_OTHER | {f"{name}_en" for name in TRANSLATED}


def media_file(relative: str) -> Path | None:
    """A picture of this site's media folder, as `export_articles` names it, or None: never
    a file outside MEDIA_ROOT."""
    root = Path(settings.MEDIA_ROOT).resolve()
    candidate = (root / relative.lstrip("/")).resolve()
    if candidate.is_relative_to(root) and candidate.is_file():
        return candidate
    return None


def parse_record(record: object, location: str) -> ImportItem:
    if not isinstance(record, dict):
        raise ValueError("a line must hold one JSON object")
    unknown = sorted(set(record) - KNOWN)
    for name in (*TEXT_FIELDS, *BACKUP_TEXT, "id", "title", "status", "published_at"):
        value = record.get(name)
        if value is not None and not isinstance(value, str | int):
            raise ValueError(f"“{name}” must be a string")
    identity = str(record.get("id") or "").strip()
    if not identity:
        raise ValueError("missing “id”")
    title = clean_title(str(record.get("title") or ""))
    attention = [] if title else [NO_HEADLINE]
    status = record.get("status")
    if status is not None and status not in STATUSES:
        raise ValueError(f"unknown status {status!r} (draft, review or published)")
    try:
        published_at = parse_date(str(record.get("published_at") or ""))
    except ValueError:
        published_at = None
        attention.append(date_not_understood(str(record.get("published_at"))))
    if status == "published" and published_at is None and not attention:
        attention.append(NO_DATE)
    tags = record.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise ValueError("“tags” must be a list of strings")

    def text(name):
        return str(record.get(name) or "").strip()

    for name in ("url", "source_url", "image_url"):
        if text(name) and not is_http_url(text(name)):
            raise ValueError(f"“{name}” must be an http(s) address")
    english = {name: str(record[f"{name}_en"]) for name in TRANSLATED if record.get(f"{name}_en")}
    image_path = media_file(text("image_path")) if text("image_path") else None
    if text("image_path") and image_path is None:
        raise ValueError("“image_path” must name a file inside the media folder")
    return ImportItem(
        location=location,
        import_id=identity[:500],
        title=title,
        body=text("body"),
        summary=text("summary"),
        status=status,
        published_at=published_at,
        section_slug=text("section"),
        section_name=text("section_name"),
        tags=[tag.strip() for tag in tags if tag.strip()],
        author_slug=text("author_slug"),
        author_name=text("author"),
        byline=text("byline"),
        dateline=text("dateline"),
        source_name=text("source"),
        source_link=text("source_url"),
        url=text("url"),
        image_url=text("image_url"),
        image_path=image_path,
        image_caption=text("image_caption"),
        image_alt=text("image_alt"),
        image_credit=text("image_credit"),
        is_featured=bool(record.get("is_featured")),
        is_breaking=bool(record.get("is_breaking")),
        translations={"en": english} if english else {},
        warnings=[f"unknown field “{name}” ignored" for name in unknown],
        attention=attention,
        from_backup=identity.startswith(RECORD_PREFIX),
        extra=_backup_fields(record, tags),
    )


def _backup_fields(record: dict, tags: list) -> dict:
    extra = {name: str(record[name]).strip() for name in BACKUP_TEXT if record.get(name)}
    for name in ("source_published_at", "first_imported_at"):
        if name in extra:
            extra[name] = parse_date(extra[name]).isoformat()
    for name in ("tags_en", "tag_slugs"):  # lists beside "tags", one entry per tag
        values = record.get(name) or []
        if not isinstance(values, list) or len(values) != len(tags):
            values = []
        extra[name] = {
            tag.strip(): str(value).strip()
            for tag, value in zip(tags, values, strict=False)
            if str(value or "").strip()
        }
    related = record.get("related") or []
    if not isinstance(related, list) or not all(isinstance(ref, str) for ref in related):
        raise ValueError("“related” must be a list of identifiers")
    extra["related"] = related[:100]
    figures = record.get("figures") or {}  # the library's files the bodies show, by id
    if not isinstance(figures, dict) or not all(
        isinstance(name, str) and str(key).isdigit() for key, name in figures.items()
    ):
        raise ValueError("“figures” must map picture ids to file names")
    extra["figures"] = {str(key): name[:500] for key, name in list(figures.items())[:100]}
    if "section_in_navigation" in record:
        extra["section_in_navigation"] = bool(record["section_in_navigation"])
    if record.get("needs_attention"):
        extra["needs_attention"] = True
    return {name: value for name, value in extra.items() if value not in ({}, [])}


class JsonLinesImporter(Importer):
    format_name = "jsonl"

    def __init__(self, source: str, *, options: dict | None = None):
        super().__init__(source, options=options)
        self._handle = None
        self._size = 0

    def progress(self) -> float | None:
        if self._handle is None or not self._size:
            return None
        return min(1.0, self._handle.tell() / self._size)

    def items(self) -> Iterator[ImportItem | FailedItem]:
        path = Path(self.source)
        try:
            self._size = os.path.getsize(path)
            handle = path.open("rb")
        except OSError as error:
            raise SourceError(f"cannot read {self.source}: {error.strerror or error}") from error
        self._handle = handle
        with handle:
            number = 0
            while True:
                raw = handle.readline(MAX_LINE_BYTES + 1)
                if not raw:
                    break
                number += 1
                location = f"{path.name} line {number}"
                if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                    while raw and not raw.endswith(b"\n"):  # skip the rest of the long line
                        raw = handle.readline(MAX_LINE_BYTES)
                    yield FailedItem(location, f"line longer than {MAX_LINE_BYTES} bytes")
                    continue
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
                    yield parse_record(record, location)
                except UnicodeDecodeError:
                    yield FailedItem(location, "not valid UTF-8")
                except json.JSONDecodeError as error:
                    yield FailedItem(location, f"not valid JSON: {error.msg}")
                except ValueError as error:
                    yield FailedItem(location, str(error))
        self._handle = None
