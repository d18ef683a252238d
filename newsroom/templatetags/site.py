from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.translation import get_language, get_language_info, override

from newsroom.security import is_site_path

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """This page in each language edition.

    A view that knows better (an article exists only in some languages) puts
    `alternate_urls` in the context; other pages are translated by URL pattern.
    Where a page has no version in a language, the link leads to that edition's home; so
    does a path that would lead off the site (`GET //evil.example/` is a 404 whose links
    must not point at evil.example).
    """
    request = context.get("request")
    alternates = context.get("alternate_urls")
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        if alternates is not None:
            url = alternates.get(code)
        elif request is not None and is_site_path(request.path):
            url = translate_url(request.path, code)
        else:
            url = None
        if url and not is_site_path(url):
            url = None
        # Only a real version of this page is an hreflang alternate, not the fallback.
        is_alternate = bool(url)
        if not url:
            with override(code):
                url = reverse("articles:home")
        info = get_language_info(code)
        links.append(
            {
                "code": code,
                "name": info["name_local"],
                "url": url,
                "is_current": code == current,
                "is_alternate": is_alternate,
                "is_default": code == settings.LANGUAGE_CODE,
                "dir": "rtl" if info["bidi"] else "ltr",
            }
        )
    return links
