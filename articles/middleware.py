"""Old addresses of imported articles answer with a permanent redirect to the new one."""

from django.http import HttpResponsePermanentRedirect

from articles.models import LegacyURL


class LegacyURLRedirectMiddleware:
    """Like Django's redirects app: acts only on a 404, so normal pages cost nothing;
    a page that would 404 costs one indexed lookup."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        if "\x00" in request.path:  # no old address has one, and PostgreSQL refuses it
            return response
        legacy = LegacyURL.objects.for_path(request.path)
        if legacy is None or not legacy.article.is_public:
            return response
        return HttpResponsePermanentRedirect(legacy.article.get_absolute_url())
