"""Whole pages, feeds and sitemaps for anonymous readers, with exact invalidation.

The outermost middleware: a hit skips the rest and costs at most one cache round trip.
Cached: readers' 200 HTML/XML answers to GET and HEAD that set no cookie and allow it, at
most NEWSROOM_PAGE_CACHE_SECONDS, the response's max-age or the next deadline (a scheduled
publication). Staff with a live session pass by (`Cache-Control: private`); other session
or messages cookies are ignored. The key holds the host, the path, the query parameters
pages read and the content versions of NEWSROOM_PAGE_CACHE_VERSIONS; a page stating the
cleaned parameters it read (`page_query`) is stored only under exactly those, so other
spellings and made-up query strings are served but never fill the cache.

Live fragments (ad slots rotate and count on every view) are markers holding a per-render
nonce in the stored page, filled on every response (weak ETag). ETag and Last-Modified
(the newest content version) get 304s from Django's `get_conditional_response`; s-maxage
lets a CDN keep a page briefly while browsers revalidate.
"""

import hashlib
import logging
import math
import re
import secrets
import time
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.contrib import auth
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, get_max_age, patch_cache_control
from django.utils.http import http_date

from newsroom.cache import ProcessMemo, get_versions, make_key, memo_seconds

logger = logging.getLogger(__name__)

CACHED_TYPES = {"text/html", "application/xml", "application/rss+xml", "application/atom+xml"}
_DROPPED_HEADERS = {"content-length", "etag", "last-modified", "cache-control", "expires"}
_NOT_CACHED = ("private", "no-cache", "no-store")
_fragments = {}  # name -> render(request, *args)
_deadlines = set()  # callables: the next time pages may change with no write, or None


def register_fragment(name, render):
    _fragments[name] = render


def register_deadline(deadline):
    _deadlines.add(deadline)


@dataclass
class RequestState:
    """What one request keeps while it is answered (`request.newsroom_state`)."""

    query: dict | None = None  # the query parameters the page read, cleaned (`page_query`)
    nonce: str = ""  # while rendered for the cache: the nonce of its live-fragment markers
    live: list = field(default_factory=list)  # live fragments rendered: (name, args)
    values: dict = field(default_factory=dict)  # `per_request`


def request_state(holder) -> RequestState:
    if not hasattr(holder, "newsroom_state"):
        holder.newsroom_state = RequestState()
    return holder.newsroom_state


def per_request(holder, name, make):
    """`make()`, made once per request (the ads of a page, whether its reader is a robot…)."""
    values = request_state(holder).values
    if name not in values:
        values[name] = make()
    return values[name]


def page_query(request, **cleaned) -> None:
    """Tell the page cache the query parameters the page read, cleaned (as its links
    carry them). Without it, a page reads none."""
    request_state(request).query = {name: str(value) for name, value in cleaned.items()}


def live_fragment(request, name, *args) -> str:
    """The fragment's HTML, or a marker for it while the page is rendered for the cache."""
    state = request_state(request) if request is not None else RequestState()
    state.live.append((name, args))
    if not state.nonce:
        return _render(request, name, args)
    return f"<!--live:{state.nonce}:{len(state.live) - 1}-->"


def live_fragments_rendered(request) -> int:
    """How many so far (HTML holding one is not cacheable)."""
    return len(request_state(request).live) if request is not None else 0


def used_csp_nonce(request) -> bool:
    """Whether the response carries a CSP nonce (its HTML is for this response only)."""
    return isinstance(getattr(request, "_csp_nonce", None), str)


def _render(request, name, args) -> str:
    try:
        return str(_fragments[name](request, *args))
    except Exception:
        logger.exception("Live fragment %s failed", name)
        return ""


def _split(content: bytes, nonce: str) -> list[bytes]:
    """The page cut at its live-fragment markers: text, hole number, text, … (one pass,
    when the page is stored: a hit only joins)."""
    return re.split(rb"<!--live:" + nonce.encode() + rb":(\d+)-->", content)


def _fill(request, parts: list[bytes], holes) -> bytes:
    if len(parts) == 1:
        return parts[0]
    return b"".join(
        _render(request, *holes[int(part)]).encode() if odd % 2 else part
        for odd, part in enumerate(parts)
    )


def has_staff_session(request) -> bool:
    """Whether the request carries the live session of an active staff member. A made-up
    session cookie costs one indexed query, not a render."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(key)
    try:
        user = auth.get_user(request)
    except DatabaseError:
        return True  # let it through: without its database the site answers 503
    finally:
        del request.session
    return user.is_active and user.is_staff


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # Entries this process served lately (their keys hold the versions: never stale).
        self.memo = ProcessMemo(
            max_entries=100_000,
            max_bytes=settings.NEWSROOM_PAGE_CACHE_PROCESS_MB * 1024 * 1024,
            size=lambda entry: sum(map(len, entry["parts"])),
        )

    def __call__(self, request):
        personal = {settings.SESSION_COOKIE_NAME, "messages"} & request.COOKIES.keys()
        if (
            settings.NEWSROOM_PAGE_CACHE_SECONDS <= 0
            or request.method not in ("GET", "HEAD")
            or request.path.startswith(("/admin/", settings.STATIC_URL, settings.MEDIA_URL))
            or has_staff_session(request)
        ):
            response = self.get_response(request)
            if personal and not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True)
            return response
        for name in personal:  # a reader's, whatever cookies it carries
            del request.COOKIES[name]
        query = {
            name: values[0] if len(values) == 1 else values
            for name in settings.NEWSROOM_PAGE_CACHE_QUERY_PARAMS
            if (values := request.GET.getlist(name))
        }
        versions = get_versions(settings.NEWSROOM_PAGE_CACHE_VERSIONS)
        key = make_key("page", [request.scheme, request.get_host(), request.path, query], versions)
        entry = self.memo.get(key)
        if entry is None and (entry := cache.get(key)) is not None:
            self.memo.set(key, entry, memo_seconds(versions, entry["expires"] - time.time()))
        if entry is not None and entry["expires"] > time.time():
            return self.respond(request, entry, "hit")
        state = request_state(request)
        state.nonce = secrets.token_hex(8)
        response = self.get_response(request)
        entry = self.make_entry(request, response, versions)
        if entry is None or (state.query or {}) != query:  # not stored
            if state.live and not response.streaming:
                parts = _split(response.content, state.nonce)
                response.content = _fill(request, parts, state.live)
                response["Content-Length"] = str(len(response.content))
            return response
        cache.set(key, entry, max(1, math.ceil(entry["expires"] - time.time())))
        return self.respond(request, entry, "miss")

    def make_entry(self, request, response, versions):
        """What to keep of `response`, or None when it must not be cached."""
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or response.get("Content-Type", "").split(";")[0] not in CACHED_TYPES
            or any(word in response.get("Cache-Control", "").lower() for word in _NOT_CACHED)
            or used_csp_nonce(request)  # a page with the CSP nonce must not be served again
        ):
            return None
        now, max_age = timezone.now(), get_max_age(response)
        seconds = min(
            [settings.NEWSROOM_PAGE_CACHE_SECONDS, math.inf if max_age is None else max_age]
            + [(when - now).total_seconds() for when in (d() for d in _deadlines) if when]
        )
        if seconds < 1:
            return None
        state, newest = request_state(request), max(filter(None, versions.values()), default=0)
        holes = state.live
        parts = _split(response.content, state.nonce) if holes else [response.content]
        # From the page without its per-render nonce: every app server makes the same ETag.
        digest = hashlib.sha256(b"\0".join(parts) + repr(holes).encode()).hexdigest()[:32]
        return {
            "parts": parts,
            "holes": holes,
            "headers": {k: v for k, v in response.items() if k.lower() not in _DROPPED_HEADERS},
            "etag": f'W/"{digest}"' if holes else f'"{digest}"',
            # A scheduled article appears with no write, in the entries made after it.
            "last_modified": math.floor(max(newest / 1e9, time.time() - 1)),
            "expires": time.time() + seconds,
        }

    def respond(self, request, entry, status):
        response = get_conditional_response(
            request, etag=entry["etag"], last_modified=entry["last_modified"]
        )
        if response is None:
            language = entry["headers"].get("Content-Language") or translation.get_language()
            with translation.override(language):
                content = _fill(request, entry["parts"], entry["holes"])
            response = HttpResponse(content, headers=entry["headers"])
        response["ETag"] = entry["etag"]
        response["Last-Modified"] = http_date(entry["last_modified"])
        s_maxage = max(0, min(settings.NEWSROOM_CDN_SECONDS, int(entry["expires"] - time.time())))
        response["Cache-Control"] = (
            f"public, max-age=0, s-maxage={s_maxage}, "
            f"stale-while-revalidate={settings.NEWSROOM_CDN_STALE_SECONDS}"
        )
        response["X-Page-Cache"] = status
        return response
