"""Who is asking (the client address that login throttling counts), and which addresses
stay on this site."""

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme


def is_site_path(url):
    """True for a path on this site (`/feed/`); false for anything a browser would take to
    another site: `//host/`, `/\\host/` (browsers read a backslash as a slash), a scheme."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


def client_ip(request):
    """The client's address. Behind a CDN that names it in a header of its own
    (NEWSROOM_CLIENT_IP_HEADER), that header. Behind our own proxies (NEWSROOM_PROXY_COUNT
    of them, each appending the address it saw to X-Forwarded-For), the address the
    outermost one appended: entries further left come from the client and may be forged.
    Otherwise the address of the connection."""
    header = settings.NEWSROOM_CLIENT_IP_HEADER
    if header:
        named = request.META.get("HTTP_" + header.upper().replace("-", "_"), "").strip()
        if named:
            return named[:45]
    if settings.NEWSROOM_PROXY_COUNT:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            # Fewer hops than proxies: the request skipped the outer ones (the CDN), and the
            # first entry is the one our first proxy appended.
            return hops[-min(settings.NEWSROOM_PROXY_COUNT, len(hops))][:45]
    return request.META.get("REMOTE_ADDR") or None
