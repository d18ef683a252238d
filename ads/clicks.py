"""One click per reader, ad and window: a reader clicking an ad again and again (or a script
posing as one) counts once within NEWSROOM_AD_CLICK_WINDOW_SECONDS.

Nothing about the reader is stored: the shared cache holds, for minutes, only a keyed hash
(HMAC with the site's secret key) of the address, the browser's user agent, the day and the
ad; without the key nobody can test a guessed address against it, and as the day is part
of it, one day's entries cannot be linked to another's.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from newsroom.security import client_ip


def _window_key(ad, request):
    reader = "\0".join(
        [
            client_ip(request) or "",
            request.META.get("HTTP_USER_AGENT", ""),
            timezone.localdate().isoformat(),
            str(ad.pk),
        ]
    )
    digest = hmac.new(settings.SECRET_KEY.encode(), reader.encode(), hashlib.sha256)
    return "ads:click:" + digest.hexdigest()


def is_new_click(ad, request):
    """True for this reader's first click on `ad` within the window, and whenever the cache
    cannot tell (Redis down): a click is never lost because of an outage."""
    key = _window_key(ad, request)
    if cache.add(key, True, settings.NEWSROOM_AD_CLICK_WINDOW_SECONDS):
        return True
    # add() also answers False while the cache is unreachable: only a stored entry is a repeat.
    return cache.get(key) is None
