"""Who is asking (the client address that login throttling counts), and which addresses
stay on this site."""

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme


def is_site_path(url):
    """True for a path on this site (`/feed/`); false for anything a browser would take to
    another site: `//host/`, `/\\host/` (browsers read a backslash as a slash), a scheme."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


def client_ip(request):
    """The reader's address. Behind the TLS proxy (DJANGO_BEHIND_TLS_PROXY) that is the
    last address of X-Forwarded-For, the one our own proxy appended; earlier entries come
    from the client and may be forged. Otherwise the address of the connection."""
    if getattr(settings, "BEHIND_TLS_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:45]
    return request.META.get("REMOTE_ADDR") or None
