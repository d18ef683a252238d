"""Link-preview pictures: 1200×630 JPEG renditions of any image file, made once and kept.

`og_image_url(field_file)` takes a Django FieldFile (of any model: this app does not know
articles) and returns the URL of its rendition, stored in the same storage under `og/` by
the project's rendition helper (newsroom/images.py). The rendition is registered there
(social/apps.py), so it is made when a picture is stored; the helper names it from the
source's name and size (a replaced picture gets a new rendition) and remembers it in the
shared cache, so that a page view costs no storage call.
"""

from django.conf import settings
from django.templatetags.static import static

from newsroom.images import Spec, find

OG_SIZE = (1200, 630)
OG_DIRECTORY = "og"
OG_RENDITION = Spec(*OG_SIZE, fmt="jpeg", directory=OG_DIRECTORY)


def og_image_url(field_file):
    """The URL of `field_file`'s 1200×630 rendition, or None when it has no usable picture."""
    made = find(field_file, OG_RENDITION)
    return made.url if made else None


def default_og_image_url():
    """The site's default preview picture (NEWSROOM_OG_DEFAULT_IMAGE): URL or static path."""
    setting = settings.NEWSROOM_OG_DEFAULT_IMAGE
    if not setting:
        return None
    if setting.startswith(("https://", "http://", "/")):
        return setting
    return static(setting)
