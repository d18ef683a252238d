"""`{% picture image "teaser" alt="" eager=False %}`: a responsive <picture> of an
uploaded image (WebP with a JPEG fallback, several widths, explicit width and height),
lazy unless `eager` (the picture at the top of the page). Renditions are made once and
looked up in the shared cache (newsroom/images.py)."""

from django import template

from newsroom import images

register = template.Library()


@register.inclusion_tag("newsroom/picture.html", name="picture")
def picture_tag(image, preset, alt="", eager=False):
    widths, sizes = images.PRESETS[preset]
    return {
        "image": image,
        "picture": images.picture(image, widths, ratio=images.RATIOS.get(preset)),
        "sizes": sizes,
        "alt": alt,
        "eager": eager,
    }
