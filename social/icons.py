"""Inline SVG icons for the social networks and the share buttons.

Simple line glyphs drawn for this project on a 24×24 grid (no icon font, no CDN);
they take the text colour (`currentColor`). Every icon is decorative
(`aria-hidden`): the link around it carries the accessible name.
"""

from django.utils.html import format_html
from django.utils.safestring import mark_safe

ICON_PATHS = {
    "facebook": '<rect x="3" y="3" width="18" height="18" rx="4"/>'
    '<path d="M16 7.5h-1.5A2.5 2.5 0 0 0 12 10v11M9 13h6"/>',
    "x": '<path d="M4 4h4.5L20 20h-4.5z"/><path d="M19.5 4l-6.6 7.2M4.5 20l6.6-7.2"/>',
    "youtube": '<rect x="2.5" y="5.5" width="19" height="13" rx="4"/>'
    '<path d="M10 9.3v5.4l4.6-2.7z" fill="currentColor"/>',
    "telegram": '<path d="M21.5 3.5 2.5 11l6.6 2.4 2.4 6.9 3.4-4.4 4.6 3.6z"/>'
    '<path d="m9.1 13.4 12.4-9.9"/>',
    "instagram": '<rect x="3" y="3" width="18" height="18" rx="5"/><circle cx="12" cy="12" r="4"/>'
    '<circle cx="17.3" cy="6.7" r="1.2" fill="currentColor" stroke="none"/>',
    "whatsapp": '<path d="m3.5 20.5 1.4-4.2a8.5 8.5 0 1 1 3.1 3z"/>'
    '<path d="M9 8.2c-.4 2.9 2.6 6.3 6 6.6l1.2-1.6-2-1.2-1 .8a4.5 4.5 0 0 1-2-2l.8-1-1.1-2z"/>',
    "tiktok": '<path d="M14 3v11.5a3.7 3.7 0 1 1-3.7-3.7"/><path d="M14 3a5 5 0 0 0 5 5"/>',
    "rss": '<path d="M5 11a8 8 0 0 1 8 8M5 5a14 14 0 0 1 14 14"/>'
    '<circle cx="6" cy="18" r="1.6" fill="currentColor" stroke="none"/>',
    "other": '<circle cx="12" cy="12" r="9"/>'
    '<path d="M3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18"/>',
    "email": '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3.5 6 8.5 7 8.5-7"/>',
    "link": '<path d="M10 14a4.2 4.2 0 0 0 6 0l3-3a4.2 4.2 0 0 0-6-6l-1 1"/>'
    '<path d="M14 10a4.2 4.2 0 0 0-6 0l-3 3a4.2 4.2 0 0 0 6 6l1-1"/>',
}


def icon_svg(name, size=24):
    """The icon `name` as inline SVG markup (the globe of "other" when unknown)."""
    paths = ICON_PATHS.get(name, ICON_PATHS["other"])
    return format_html(
        '<svg class="social-icon" viewBox="0 0 24 24" width="{size}" height="{size}" '
        'aria-hidden="true" focusable="false" fill="none" stroke="currentColor" '
        'stroke-width="2" stroke-linecap="round" stroke-linejoin="round">{paths}</svg>',
        size=size,
        paths=mark_safe(paths),  # noqa: S308 - constant markup defined above
    )
