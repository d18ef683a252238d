"""What every importer shares: the item it yields, errors, format detection, text helpers,
and the guarded ways to read XML and to fetch over HTTP."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import pickle
import queue
import re
import socket
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from articles.html import plain_text

# Bounds on what one import reads, whatever the source claims.
MAX_SOURCE_BYTES = 50 * 1024 * 1024  # a feed or page fetched over HTTP
# Pictures: the site's own limits (newsroom/uploads.py: max_bytes(), max_pixels()).
MAX_HTML_FILE_BYTES = 5 * 1024 * 1024
MAX_LINE_BYTES = 2 * 1024 * 1024  # one JSON Lines record
MAX_TITLE_CHARS = 255
HTTP_TIMEOUT = 15  # seconds, for connecting and for each read
USER_AGENT = "NewsroomImporter/1.0"


# Why an imported item waits for an editor (shown on its form, in the site's language).
NO_HEADLINE = _("no headline in the source")
EMPTY_BODY = _("empty body in the source")
NO_DATE = _("published in the source without a date")
SAME_STORY = _("the same story as an article already on file")


def date_not_understood(value: str):
    return format_lazy(_("date not understood: {value}"), value=(value or "").strip()[:60])


class SourceError(Exception):
    """The source cannot be read at all (exit status 2)."""


class ItemError(Exception):
    """One item cannot be imported; the others go on."""


@dataclass
class ImportItem:
    """One article as an importer understood it, before anything touches the database.

    Text fields are in the site's default language; `translations` holds other languages
    (e.g. {"en": {"title": …, "body": …}}).
    """

    location: str
    import_id: str
    title: str
    body: str = ""
    summary: str = ""
    status: str | None = None  # draft / review / published; None → the command's --status
    published_at: datetime | None = None
    section_slug: str = ""
    section_name: str = ""
    tags: list[str] = field(default_factory=list)
    author_slug: str = ""
    author_name: str = ""
    byline: str = ""
    dateline: str = ""
    source_name: str = ""
    source_link: str = ""
    url: str = ""  # the story's own address at its origin
    legacy_paths: list[str] = field(default_factory=list)
    image_url: str = ""
    image_path: Path | None = None
    image_caption: str = ""
    image_alt: str = ""
    image_credit: str = ""
    is_featured: bool = False
    is_breaking: bool = False
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Why an editor must look at it before it goes anywhere (no headline, a date not
    # understood…): such an item is imported as a flagged draft rather than refused.
    attention: list[str] = field(default_factory=list)
    # A backup of this site (export_articles) is restored as it was: its sections (other
    # sources never add one: their unknown categories wait in the hidden "incoming"
    # section), its links between copies of a story, its flags.
    from_backup: bool = False
    # What a backup of this site carries besides the article (see articles/exports.py):
    # labels' English names, the section's place in the navigation, the author's
    # biography, related picks and provenance. Applied to rows the import creates.
    extra: dict = field(default_factory=dict)
    # Identities an earlier version of the importer gave the same item (WXR: the guid).
    former_ids: list[str] = field(default_factory=list)
    _content_hash: str = field(default="", init=False, repr=False, compare=False)

    def content_hash(self) -> str:
        """Changes when anything the import would write changes (worked out once: by the
        reader process when there is one, see ReadAhead)."""
        if self._content_hash:
            return self._content_hash
        data = {
            name: getattr(self, name)
            for name in (
                "title", "body", "summary", "status", "section_slug", "section_name", "tags",
                "author_slug", "author_name", "byline", "dateline", "source_name",
                "source_link", "url", "image_url", "image_caption", "image_alt",
                "image_credit", "is_featured", "is_breaking", "translations", "legacy_paths",
            )
        }  # fmt: skip
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        data["image_path"] = self.image_path.name if self.image_path else ""
        if self.extra:  # only when present: older imports' hashes stay valid
            data["extra"] = self.extra
        encoded = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        self._content_hash = hashlib.sha256(encoded).hexdigest()
        return self._content_hash


@dataclass
class FailedItem:
    """An item the importer could not understand, with where it is and why."""

    location: str
    reason: str


class Importer:
    """A format: `items()` yields ImportItem or FailedItem, one at a time (streaming)."""

    format_name = ""

    def __init__(self, source: str, *, options: dict | None = None):
        self.source = source
        self.options = options or {}
        self.import_source = self.format_name

    def items(self) -> Iterator[ImportItem | FailedItem]:
        raise NotImplementedError

    def progress(self) -> float | None:
        """How far through the source we are, 0–1, when known (for the progress bar's ETA)."""
        return None


class ReadAhead:
    """An importer read by a second process while this one writes: parsing a large export
    is a good share of an import's time, and another core can do it meanwhile. Behaves as
    the importer does (items, errors, `import_source`, `progress()`), a few hundred items
    ahead at most. Made outside any transaction (see `articles.bulk.fork_context`)."""

    CHUNK = 100  # items sent at once
    AHEAD = 24  # chunks read before the writer takes them: two batches of the command

    def __init__(self, importer: Importer):
        from articles.bulk import fork_context

        self.importer = importer
        self.import_source = importer.import_source
        self._progress = None
        context = fork_context()
        self._queue = context.Queue(maxsize=self.AHEAD)
        self._reader = context.Process(target=self._read, daemon=True)
        self._reader.start()

    def progress(self) -> float | None:
        return self._progress

    def _read(self) -> None:
        """In the reader: the items in chunks, then the end or the error that stopped it."""
        chunk = []
        try:
            for item in self.importer.items():
                if isinstance(item, ImportItem):
                    item.content_hash()  # here, not on the writer's path
                chunk.append(item)
                if len(chunk) >= self.CHUNK:
                    self._send("items", chunk)
                    chunk = []
            self._send("items", chunk)
            self._send("end", None)
        except Exception as error:  # noqa: BLE001 - raised again in the writer
            self._send("items", chunk)
            try:
                pickle.dumps(error)
            except Exception:  # noqa: BLE001 - an error that cannot travel: its text does
                error = RuntimeError(f"{type(error).__name__}: {error}")
            self._send("error", error)

    def _send(self, kind: str, payload) -> None:
        state = (self.importer.import_source, self.importer.progress())
        self._queue.put(pickle.dumps((kind, payload, state)))

    def items(self) -> Iterator[ImportItem | FailedItem]:
        try:
            while True:
                try:
                    message = self._queue.get(timeout=1)
                except queue.Empty:
                    if not self._reader.is_alive():
                        raise SourceError("the import's reader process stopped") from None
                    continue
                kind, payload, (self.import_source, self._progress) = pickle.loads(message)
                if kind == "items":
                    yield from payload
                elif kind == "error":
                    raise payload
                else:
                    return
        finally:
            if self._reader.is_alive():  # stopped early (--limit, an error)
                self._reader.terminate()
            self._reader.join()


# Text helpers ------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_PUNCTUATION = re.compile(r"[^\w\s]")


def normalise_headline(title: str) -> str:
    """A headline reduced to what tells two stories apart: no diacritics, tatweel,
    punctuation or case; alef, ya and ta marbuta forms unified."""
    text = unicodedata.normalize("NFKC", title or "").casefold()
    text = _ARABIC_MARKS.sub("", text)
    text = re.sub("[إأآٱ]", "ا", text).replace("ى", "ي").replace("ة", "ه")
    text = _PUNCTUATION.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def clean_title(title: str) -> str:
    return plain_text(title)[:MAX_TITLE_CHARS]


def is_http_url(value: str) -> bool:
    return urlsplit(value or "").scheme in ("http", "https") and bool(urlsplit(value).hostname)


# Safe XML ------------------------------------------------------------------------------------


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def safe_iterparse(source, events=("start", "end")):
    """Stream an XML file without DTDs, entity expansion or network access. Billion-laughs
    and external-entity files raise SourceError; so does XML that is not well formed."""
    return _GuardedIterparse(source, events)


class _GuardedIterparse:
    def __init__(self, source, events):
        self._iterator = SafeET.iterparse(
            source, events=events, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return next(self._iterator)
        except DefusedXmlException as error:
            raise SourceError(
                "refused: the XML declares a DTD or entities "
                f"(entity expansion and external entities are not allowed): {error}"
            ) from error
        except SafeET.ParseError as error:
            raise SourceError(f"not well-formed XML: {error}") from error


def sniff_format(head: bytes) -> str | None:
    """Guess the format from the first bytes of a file or response."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"{"):
        return "jsonl"
    if text.startswith(b"<!doctype html") or text.startswith(b"<html") or b"<html" in text[:2048]:
        return "html"
    if b"wordpress.org/export" in text:
        return "wxr"
    if b"<rss" in text or b"<feed" in text or b"<rdf:rdf" in text:
        return "feed"
    return None


def detect_format(source: str) -> str:
    if is_http_url(source):
        return "feed"  # the only format read from an address
    path = Path(source)
    if path.is_dir():
        return "html"
    try:
        with path.open("rb") as handle:
            head = handle.read(16384)
    except OSError as error:
        raise SourceError(f"cannot read {source}: {error.strerror or error}") from error
    found = sniff_format(head)
    if found is None:
        raise SourceError(f"cannot tell the format of {source}; give --format")
    return found


# Guarded HTTP --------------------------------------------------------------------------------


# Addresses found inside a file (pictures) may not point into the server's own network.
# Tests turn this on for their loopback server; a feed address the operator types is trusted.
ALLOW_PRIVATE_HOSTS = False


def is_public_host(url: str) -> bool:
    """Every address the host name resolves to is a public one (no loopback, private,
    link-local or reserved ranges: no reaching the server's own network from a file)."""
    host = urlsplit(url).hostname
    if not host:
        return False
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return True  # cannot resolve: the fetch itself fails with a clear error
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            return False
    return True


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = 5

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not is_http_url(newurl):
            raise urllib.error.HTTPError(
                newurl, code, "redirect to a non-http address refused", headers, fp
            )
        public_only = getattr(req, "public_only", False)
        if public_only and not is_public_host(newurl):
            raise urllib.error.HTTPError(
                newurl, code, "redirect to a private address refused", headers, fp
            )
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.public_only = public_only
        return new


_opener = urllib.request.build_opener(_HttpOnlyRedirects)
# No file:, ftp: or data: handlers may be reached even through a redirect.
_opener.handlers = [
    handler
    for handler in _opener.handlers
    if not isinstance(
        handler, urllib.request.FileHandler | urllib.request.FTPHandler | urllib.request.DataHandler
    )
]


class FetchError(Exception):
    pass


@dataclass
class Fetched:
    body: bytes
    content_type: str
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False  # a conditional GET answered 304: nothing new


def fetch(
    url: str, *, max_bytes: int, content_types: tuple[str, ...], public_only: bool = False
) -> tuple[bytes, str]:
    """GET an http(s) address with a timeout, reading at most `max_bytes` and accepting only
    the given content types (prefixes). With `public_only` (addresses read from a file),
    hosts in private or loopback ranges are refused, redirects included.
    Returns (body, content type)."""
    fetched = fetch_conditional(
        url, max_bytes=max_bytes, content_types=content_types, public_only=public_only
    )
    return fetched.body, fetched.content_type


def fetch_conditional(
    url: str,
    *,
    max_bytes: int,
    content_types: tuple[str, ...],
    public_only: bool = False,
    etag: str = "",
    last_modified: str = "",
) -> Fetched:
    """fetch(), asking the server to answer 304 when nothing changed since the response
    that carried `etag` or `last_modified`."""
    if not is_http_url(url):
        raise FetchError(f"not an http(s) address: {url}")
    public_only = public_only and not ALLOW_PRIVATE_HOSTS
    if public_only and not is_public_host(url):
        raise FetchError(f"{url}: private or local address refused")
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    request.public_only = public_only
    try:
        with _opener.open(request, timeout=HTTP_TIMEOUT) as response:
            content_type = response.headers.get_content_type()
            if not content_type.startswith(content_types):
                raise FetchError(f"{url}: unexpected content type {content_type}")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"{url}: {declared} bytes is more than the {max_bytes} allowed")
            chunks, size = [], 0
            while chunk := response.read(65536):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{url}: more than the {max_bytes} bytes allowed")
                chunks.append(chunk)
            return Fetched(
                b"".join(chunks),
                content_type,
                etag=(response.headers.get("ETag") or "")[:500],
                last_modified=(response.headers.get("Last-Modified") or "")[:100],
            )
    except urllib.error.HTTPError as error:
        if error.code == 304 and (etag or last_modified):
            return Fetched(b"", "", etag=etag, last_modified=last_modified, not_modified=True)
        raise FetchError(f"{url}: HTTP {error.code} {error.reason}") from error
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise FetchError(f"{url}: {reason}") from error
