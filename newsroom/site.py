"""The site-wide fallbacks, defined once: which language edition, and the site's name."""

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def edition(language: str | None = None) -> str:
    """The edition ("ar", "en") of `language`, else of the active language, else the
    site's default."""
    return (language or get_language() or settings.LANGUAGE_CODE)[:2]


def site_name() -> str:
    """The site's name in the active language: NEWSROOM_SITE_NAME, else "Newsroom"."""
    return settings.NEWSROOM_SITE_NAME or _("Newsroom")
