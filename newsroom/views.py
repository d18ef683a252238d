from django.conf import settings
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext, override
from django.views.decorators.http import require_safe


@require_safe
def robots_txt(request):
    """Crawlers may read everything public; not the admin or search results (endless
    combinations of queries). Drafts and previews answer 404 to anyone but staff and say
    noindex, so they need no rule here."""
    lines = ["User-agent: *", f"Disallow: {reverse('admin:index')}"]
    for code, _name in settings.LANGUAGES:
        with override(code):
            lines.append(f"Disallow: {reverse('articles:home')}search/")
    lines.append("")
    for name in ("sitemap", "sitemap-news"):
        lines.append(f"Sitemap: {request.build_absolute_uri(reverse(name))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the static icon
    (hashed name, cached for a year)."""
    return HttpResponsePermanentRedirect(static("newsroom/favicon.ico"))


@require_safe
def web_manifest(request):
    """The web app manifest, in the site's default language (its name in Arabic)."""
    with override(settings.LANGUAGE_CODE):
        name = settings.NEWSROOM_SITE_NAME or gettext("Newsroom")
        home = reverse("articles:home")
    manifest = {
        "name": name,
        "short_name": name,
        "lang": settings.LANGUAGE_CODE,
        "dir": "rtl",
        "start_url": home,
        "scope": "/",
        "display": "browser",
        "background_color": "#ffffff",
        "theme_color": "#b0001e",
        "icons": [
            {"src": static("newsroom/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("newsroom/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response
