"""`{% ad_slot "sidebar-1" %}`: the ads of one placement, or nothing."""

import random

from django import template

from ads import selection, services

register = template.Library()

# The source of randomness for rotation; tests replace it with a seeded one.
rng = random.SystemRandom()


@register.inclusion_tag("ads/slot.html", takes_context=True)
def ad_slot(context, key):
    """Running ads of placement `key` for the page's language and section
    (`current_section`, a slug), weighted by their weight; nothing when there is none."""
    request = context.get("request")
    page = selection.page_ads(request or context, section=context.get("current_section"))
    slot, ads = selection.pick(page, key, rng=rng)
    services.record_impressions([ad.pk for ad in ads], request)
    return {"slot": slot, "ads": ads}
