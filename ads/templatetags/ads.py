"""`{% ad_slot "sidebar-1" %}`: the ads of one placement, or nothing.

Ads rotate and count an impression on every page view, also when the rest of the page
comes from the page cache: the slot is a *live fragment* (newsroom/pagecache.py), left
as a marker in the cached page and filled for each response by `render_slot`, which
costs no SQL query once the page's ad list is cached.
"""

import random

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ads import selection, services
from newsroom.cache import get_version, process_memo
from newsroom.pagecache import live_fragment

register = template.Library()

# The source of randomness for rotation (the module's generator, seeded anew in each
# forked worker); tests replace it with a seeded one.
rng = random

FRAGMENT = "ads.slot"


def slot_context(holder, request, key, section):
    page = selection.page_ads(holder, section=section)
    slot, ads = selection.pick(page, key, rng=rng)
    services.record_impressions([ad.pk for ad in ads], request)
    return {"slot": slot, "ads": ads}


def render_slot(request, key, section=None):
    """The HTML of slot `key` for one response (the live-fragment renderer). The markup
    of each choice of ads is kept by the process, under the ads' content version."""
    context = slot_context(request, request, key, section)
    ads = (ad.pk for ad in context["ads"])
    memo_key = (FRAGMENT, get_version(selection.ADS), get_language(), key, *ads)
    html = process_memo.get(memo_key)
    if html is None:
        html = render_to_string("ads/slot.html", context)
        process_memo.set(memo_key, html, selection.CACHE_SECONDS)
    return html


@register.simple_tag(takes_context=True)
def ad_slot(context, key):
    """Running ads of placement `key` for the page's language and section
    (`current_section`, a slug), weighted by their weight; nothing when there is none."""
    request = context.get("request")
    section = context.get("current_section")
    if request is None:  # e.g. an e-mail: the context holds what a request would
        return mark_safe(
            render_to_string("ads/slot.html", slot_context(context, None, key, section))
        )
    return mark_safe(live_fragment(request, FRAGMENT, key, section))
