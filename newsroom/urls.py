from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.http import Http404
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views import defaults

from articles import sitemaps
from newsroom.views import favicon, robots_txt, web_manifest

admin.site.site_header = _("Newsroom administration")
admin.site.site_title = _("Newsroom")
admin.site.index_title = _("Editorial desk")

urlpatterns = [
    path("admin/", admin.site.urls),
    # Outside the language prefixes: /ads.txt and the click redirect have one address.
    path("", include("ads.urls")),
    path("robots.txt", robots_txt, name="robots"),
    path("favicon.ico", favicon, name="favicon"),
    path("manifest.webmanifest", web_manifest, name="manifest"),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemap-news.xml", sitemaps.news, name="sitemap-news"),
    path("sitemap-<slug:section>.xml", sitemaps.section, name="sitemap-section"),
]
urlpatterns += i18n_patterns(
    path("", include("articles.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
    # Development shows Django's debug page for errors; the pages readers get are here
    # (before the articles' patterns, which would take them for a section's article).
    urlpatterns[:0] = [
        path("errors/404/", defaults.page_not_found, {"exception": Http404()}),
        path("errors/500/", defaults.server_error),
    ]
