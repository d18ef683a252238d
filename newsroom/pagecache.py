"""Whole-page cache for anonymous readers, with exact invalidation and live fragments.

`PageCacheMiddleware` is the outermost middleware, so a hit skips every other middleware,
URL resolution, the view and the templates: at most one cache round trip (the entry,
unless this process has it; content versions are read at most every
NEWSROOM_VERSION_CHECK_SECONDS) and a string join. An entry keeps the headers the inner
middleware added (security headers, Content-Security-Policy).

What is cached: successful answers to readers' GET and HEAD requests for pages, feeds and
sitemaps (one entry format and one ETag/Last-Modified path for all of them) that set no
cookie and allow caching; a response may end its entry sooner with its own max-age.
Logged-in staff (a live session of an active staff member) and their previews are never
cached, and get `Cache-Control: private`; any other request is a reader's, its session
and messages cookies ignored (a made-up cookie must not bypass the cache). The key holds
the host, the path (the language edition is in the path), the query parameters pages read
(NEWSROOM_PAGE_CACHE_QUERY_PARAMS) and every content version of
NEWSROOM_PAGE_CACHE_VERSIONS: a bump of "articles", "ads" or "social" in any process makes
every page unreachable at once on every app server. An entry lives at most
NEWSROOM_PAGE_CACHE_SECONDS, and never past a registered *deadline* (`register_deadline`),
such as the next scheduled publication, which happens with no write at all.

Query strings: other parameters (`utm_source`, `fbclid`, …) are not in the key, and a
cached page must not depend on them (page links carry only the page's own parameters). A
page that reads parameters says so, with their cleaned values, through `page_query()`; it
is stored only when the request's parameters are exactly those, so another spelling of
the same page (`?page=01`), a parameter the page does not read (`/?page=7`) or a value it
refused is served but never stored, and made-up query strings cannot fill the cache.

Live fragments: a template tag may call `live_fragment(request, name, *args)` instead of
rendering, for output that must differ on every view (ad rotation and impression counts).
While a page is rendered for the cache, the call leaves an unforgeable marker and the
cached entry keeps the page split around it; every response, hit or miss, fills each
marker by calling the function registered under `name` (`register_fragment`). The page's
ETag is then weak: the page is the same document with different ads.

Conditional requests: ETag (from the cached template) and Last-Modified (the newest
content version) answer If-None-Match / If-Modified-Since with 304. `Cache-Control:
public, max-age=0, s-maxage=…, stale-while-revalidate=…` lets a CDN keep pages for
NEWSROOM_CDN_SECONDS (never past the entry's own end) while browsers revalidate; past
that, a CDN may answer with the old page for NEWSROOM_CDN_STALE_SECONDS more while it
fetches the new one (set it to 0 where that is too long).
"""

import hashlib
import logging
import math
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.contrib import auth
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, get_max_age, patch_cache_control
from django.utils.http import http_date

from newsroom.cache import (
    ProcessMemo,
    get_versions,
    last_change,
    make_key,
    memo_seconds,
    versions_snapshot,
)

logger = logging.getLogger(__name__)

_fragments: dict[str, Callable[..., str]] = {}
_deadlines: list[Callable[[], datetime | None]] = []

# What is cached: pages, feeds and sitemaps.
CACHED_CONTENT_TYPES = {
    "text/html",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
}
# Response headers not kept with an entry: recomputed, or set by outer middleware.
_DROPPED_HEADERS = {"content-length", "etag", "last-modified", "cache-control", "expires"}


def register_fragment(name: str, render: Callable[..., str]) -> None:
    """`render(request, *args)` returns the HTML of fragment `name` for one response."""
    _fragments[name] = render


def register_deadline(deadline: Callable[[], datetime | None]) -> None:
    """`deadline()` returns the next time cached pages may change with no write, or None."""
    if deadline not in _deadlines:
        _deadlines.append(deadline)


@dataclass
class RequestState:
    """What one request keeps while it is answered: one object on the request
    (`request_state()`), not attributes spread over it."""

    # The query parameters the page read, cleaned (`page_query`); None: it read none.
    query: dict[str, str] | None = None
    # While the page is rendered for the cache: its live fragments, left as markers
    # carrying this render's nonce.
    holes: list | None = None
    nonce: str = ""
    # How many live fragments the request has rendered (HTML holding one is not cached).
    live_fragments: int = 0
    # The apps' values made once per request (`per_request`).
    values: dict = field(default_factory=dict)


def request_state(holder) -> RequestState:
    """The state of the request (or, with no request, of the template context) `holder`."""
    state = getattr(holder, "newsroom_state", None)
    if state is None:
        state = holder.newsroom_state = RequestState()
    return state


def per_request(holder, name: str, make: Callable[[], object]):
    """`make()`, made once per request (the ads of a page, whether its reader is a robot…)."""
    values = request_state(holder).values
    if name not in values:
        values[name] = make()
    return values[name]


def page_query(request, **cleaned) -> None:
    """Tell the page cache the query parameters this page read, as their cleaned values
    (the text a link to the page would carry). Without it, a page reads none."""
    request_state(request).query = {name: str(value) for name, value in cleaned.items()}


def live_fragment(request, name: str, *args) -> str:
    """The fragment's HTML, or a marker for it when the page is being cached."""
    if request is None:
        return _render_fragment(request, name, args)
    state = request_state(request)
    state.live_fragments += 1
    if state.holes is None:
        return _render_fragment(request, name, args)
    state.holes.append((name, tuple(args)))
    return f"<!--live:{state.nonce}:{len(state.holes) - 1}-->"


def live_fragments_rendered(request) -> int:
    """How many live fragments this request has rendered so far (HTML that holds one, or
    its marker, must not be cached as it is)."""
    return request_state(request).live_fragments if request is not None else 0


def used_csp_nonce(request) -> bool:
    """Whether the response carries a CSP nonce (HTML that holds it is for this response
    only)."""
    return isinstance(getattr(request, "_csp_nonce", None), str)


def has_staff_session(request) -> bool:
    """Whether the request carries the session of an active staff member who is logged in
    now (who sees previews and gets no cached page). A made-up session cookie costs one
    indexed query, not a render."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(key)
    try:
        user = auth.get_user(request)
    except DatabaseError:
        return True  # let the request through: the site answers 503 without its database
    finally:
        del request.session
    return user.is_active and user.is_staff


def _render_fragment(request, name, args) -> str:
    try:
        return str(_fragments[name](request, *args))
    except Exception:
        logger.exception("Live fragment %s failed", name)
        return ""


def _seconds_to_deadline(now) -> float:
    seconds = float(settings.NEWSROOM_PAGE_CACHE_SECONDS)
    for deadline in _deadlines:
        when = deadline()
        if when is not None:
            seconds = min(seconds, (when - now).total_seconds())
    return seconds


def entry_size(entry) -> int:
    return sum(len(part) for part in entry["parts"] if isinstance(part, bytes))


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # Entries this process has used lately (keys hold the versions: never stale).
        self.memo = ProcessMemo(
            max_entries=100_000,
            max_bytes=settings.NEWSROOM_PAGE_CACHE_PROCESS_MB * 1024 * 1024,
            size=entry_size,
        )

    def __call__(self, request):
        if not self.is_cacheable_request(request) or has_staff_session(request):
            response = self.get_response(request)
            if self.is_personal(request) and not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True)
            return response
        # A reader's request, whatever cookies it carries: a session or messages cookie
        # that is not a live staff session's (made up, or left over) must not let it past
        # the cache, nor make the page it renders uncacheable (Django would delete it).
        for name in (settings.SESSION_COOKIE_NAME, "messages"):
            request.COOKIES.pop(name, None)
        query = self.page_query_of(request)
        versions = get_versions(settings.NEWSROOM_PAGE_CACHE_VERSIONS)
        key = make_key("page", [request.scheme, request.get_host(), request.path, query], versions)
        entry = self.memo.get(key) or cache.get(key)
        if entry is not None and entry["expires"] > time.time():
            self.memo.set(key, entry, memo_seconds(versions, entry["expires"] - time.time()))
            return self.respond(request, entry, versions, "hit")
        state = request_state(request)
        state.holes, state.nonce = [], secrets.token_hex(8)
        response = self.get_response(request)
        holes, state.holes = state.holes, None
        entry = self.make_entry(request, response, versions, holes)
        if entry is not None and (state.query or {}) != query:
            entry = None  # not the page's own address: served, not stored
        if entry is None:
            if holes and not response.streaming:
                response.content = self.fill(request, self.split(request, response), holes)
                if response.has_header("Content-Length"):
                    response["Content-Length"] = str(len(response.content))
            return response
        cache.set(key, entry, max(1, math.ceil(entry["expires"] - time.time())))
        return self.respond(request, entry, versions, "miss")

    @staticmethod
    def is_personal(request):
        cookies = request.COOKIES
        return settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies

    def is_cacheable_request(self, request):
        return (
            settings.NEWSROOM_PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and not request.path.startswith(("/admin/", settings.STATIC_URL, settings.MEDIA_URL))
        )

    @staticmethod
    def page_query_of(request):
        """The request's parameters among those pages read (a parameter given twice as a
        list, which no page declares)."""
        query = {}
        for name in settings.NEWSROOM_PAGE_CACHE_QUERY_PARAMS:
            values = request.GET.getlist(name)
            if values:
                query[name] = values[0] if len(values) == 1 else values
        return query

    def make_entry(self, request, response, versions, holes):
        """What to keep of `response`, or None when it must not be cached."""
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or response.get("Content-Type", "").split(";")[0] not in CACHED_CONTENT_TYPES
            # A page that used the CSP nonce must not be served again with it.
            or used_csp_nonce(request)
        ):
            return None
        cache_control = response.get("Cache-Control", "").lower()
        if any(word in cache_control for word in ("private", "no-cache", "no-store")):
            return None
        seconds = _seconds_to_deadline(timezone.now())
        # A response may end its entry sooner with its own max-age (the news sitemap's
        # oldest story leaves it by the clock).
        max_age = get_max_age(response)
        if max_age is not None:
            seconds = min(seconds, max_age)
        if seconds < 1:
            return None
        parts = self.split(request, response) if holes else [response.content]
        # From the page without its per-render markers: every app server agrees on it.
        digest = hashlib.sha256(
            b"\0".join(p if isinstance(p, bytes) else repr(holes[p]).encode() for p in parts)
        ).hexdigest()[:32]
        newest = last_change(versions)
        return {
            "parts": parts,
            "holes": holes,
            "content_type": response["Content-Type"],
            "headers": {
                name: value
                for name, value in response.items()
                if name.lower() not in _DROPPED_HEADERS
            },
            "language": response.get("Content-Language") or translation.get_language(),
            "etag": f'W/"{digest}"' if holes else f'"{digest}"',
            # The last change any write announced, or the start of this entry if later: a
            # scheduled article appears with no write, and only in entries made after it.
            "last_modified": math.floor(max(newest / 1e9, time.time() - 1)),
            "expires": time.time() + seconds,
        }

    @staticmethod
    def split(request, response):
        """The page's bytes cut around its live-fragment markers: bytes, hole number, …"""
        content = response.content
        nonce = request_state(request).nonce.encode()
        marker = re.compile(rb"<!--live:" + nonce + rb":(\d+)-->")
        parts, start = [], 0
        for match in marker.finditer(content):
            parts += [content[start : match.start()], int(match.group(1))]
            start = match.end()
        parts.append(content[start:])
        return parts

    @staticmethod
    def fill(request, parts, holes):
        if len(parts) == 1:
            return parts[0]
        return b"".join(
            part
            if isinstance(part, bytes)
            else _render_fragment(request, holes[part][0], holes[part][1]).encode()
            for part in parts
        )

    def respond(self, request, entry, versions, status):
        remaining = entry["expires"] - time.time()
        response = get_conditional_response(
            request, etag=entry["etag"], last_modified=entry["last_modified"]
        )
        if response is None:
            with translation.override(entry["language"]), versions_snapshot(versions):
                content = self.fill(request, entry["parts"], entry["holes"])
            response = HttpResponse(content, content_type=entry["content_type"])
            for name, value in entry["headers"].items():
                response[name] = value
        response["ETag"] = entry["etag"]
        if entry["last_modified"]:
            response["Last-Modified"] = http_date(entry["last_modified"])
        s_maxage = max(0, min(settings.NEWSROOM_CDN_SECONDS, math.floor(remaining)))
        response["Cache-Control"] = (
            f"public, max-age=0, s-maxage={s_maxage}, "
            f"stale-while-revalidate={settings.NEWSROOM_CDN_STALE_SECONDS}"
        )
        response["X-Page-Cache"] = status
        return response
