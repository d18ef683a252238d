"""Embeds: a post or video of a known provider, pasted into the body as its address.

The body keeps only the address (`<figure data-embed="https://…">`), in the canonical form
`parse_embed` gives it; readers get a click-to-load facade (articles/body.py), feeds a
plain link. Anything else — another host, another scheme, a path that is not exactly a
post or a video of the provider (`/embed/../../redirect`) — is refused.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Embed:
    provider: str  # a key of PROVIDERS
    url: str  # the post's or video's public page: what a link points at
    frame_src: str  # the provider's player, loaded only when the reader asks

    @property
    def provider_name(self):
        return PROVIDERS[self.provider]

    @property
    def is_video(self):
        return self.provider in {"youtube", "vimeo"}


PROVIDERS = {
    "youtube": "YouTube",
    "vimeo": "Vimeo",
    "x": "X",
    "telegram": "Telegram",
    "facebook": "Facebook",
}

# The origins of the providers' frames: the site's Content-Security-Policy allows these,
# and only these, in frame-src (newsroom/settings.py).
FRAME_ORIGINS = (
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
    "https://platform.twitter.com",
    "https://t.me",
    "https://www.facebook.com",
)

REFUSED_MESSAGE = _(
    "This address cannot be embedded. Paste the address of a YouTube or Vimeo video, or of "
    "a post on X, Telegram or Facebook."
)

_YOUTUBE_ID = r"(?P<id>[A-Za-z0-9_-]{11})"
_NAME = r"(?P<name>[A-Za-z0-9_.-]{1,80})"
_PATTERNS = {
    # host -> [(provider, path pattern)], each matched against the whole path.
    **dict.fromkeys(
        ("youtube.com", "www.youtube.com", "m.youtube.com"),
        [("youtube", rf"/(?:embed|shorts|live)/{_YOUTUBE_ID}/?"), ("youtube", r"/watch")],
    ),
    "youtu.be": [("youtube", rf"/{_YOUTUBE_ID}")],
    "www.youtube-nocookie.com": [("youtube", rf"/embed/{_YOUTUBE_ID}")],
    **dict.fromkeys(("vimeo.com", "www.vimeo.com"), [("vimeo", r"/(?P<id>\d{1,12})/?")]),
    "player.vimeo.com": [("vimeo", r"/video/(?P<id>\d{1,12})/?")],
    **dict.fromkeys(
        ("x.com", "www.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"),
        [("x", rf"/{_NAME}/status/(?P<id>\d{{1,25}})/?")],
    ),
    **dict.fromkeys(("t.me", "telegram.me"), [("telegram", rf"/{_NAME}/(?P<id>\d{{1,12}})/?")]),
    **dict.fromkeys(
        ("facebook.com", "www.facebook.com", "m.facebook.com"),
        [("facebook", rf"/{_NAME}/(?P<kind>posts|videos)/(?P<id>[A-Za-z0-9]{{1,40}})/?")],
    ),
}


def parse_embed(address: str) -> Embed | None:
    """The embed that `address` names, or None when it is not exactly a post or video of a
    known provider."""
    try:
        parts = urlsplit(address.strip())
        port = parts.port
    except (ValueError, AttributeError):
        return None
    if parts.scheme not in {"https", "http"} or parts.username or parts.password:
        return None
    if port not in (None, 80, 443) or "\\" in address or "%" in parts.path:
        return None
    for provider, pattern in _PATTERNS.get((parts.hostname or "").lower(), []):
        match = re.fullmatch(pattern, parts.path)
        if match is None:
            continue
        found = match.groupdict()
        if provider == "youtube" and "id" not in found:  # /watch?v=…
            video = parse_qs(parts.query).get("v", [""])[0]
            if not re.fullmatch(_YOUTUBE_ID, video):
                return None
            found["id"] = video
        return _build(provider, found)
    return None


def _build(provider, found):
    key = found["id"]
    if provider == "youtube":
        return Embed(
            provider,
            f"https://www.youtube.com/watch?v={key}",
            f"https://www.youtube-nocookie.com/embed/{key}?autoplay=1",
        )
    if provider == "vimeo":
        return Embed(
            provider, f"https://vimeo.com/{key}", f"https://player.vimeo.com/video/{key}?dnt=1"
        )
    if provider == "x":
        return Embed(
            provider,
            f"https://x.com/{found['name']}/status/{key}",
            f"https://platform.twitter.com/embed/Tweet.html?dnt=true&id={key}",
        )
    if provider == "telegram":
        url = f"https://t.me/{found['name']}/{key}"
        return Embed(provider, url, f"{url}?embed=1")
    url = f"https://www.facebook.com/{found['name']}/{found['kind']}/{key}"
    plugin = "video" if found["kind"] == "videos" else "post"
    return Embed(
        provider,
        url,
        f"https://www.facebook.com/plugins/{plugin}.php?href={quote(url, safe='')}",
    )
