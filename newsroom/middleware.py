"""Site-wide middleware: response headers Django has no setting for, the answer to a query
string too long to read, and the answer readers get while the database is unreachable."""

import logging

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.defaults import bad_request

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class QueryLimitMiddleware:
    """A query string with more parameters than DATA_UPLOAD_MAX_NUMBER_FIELDS is answered
    400 here, before anything reads it: Django's debug page reads the parameters again
    while reporting the error and failed with a 500 under DEBUG."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.GET  # noqa: B018 - parsed once, then kept on the request
        except TooManyFieldsSent as error:
            logging.getLogger("django.security.TooManyFieldsSent").warning(
                "%s", error, extra={"status_code": 400, "request": request}
            )
            return bad_request(request, error)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Sends `Permissions-Policy` (settings.PERMISSIONS_POLICY) with every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with one exception for the admin: the rich-text editor
    (Tiptap) adds its own <style> element, so admin pages allow inline styles. Scripts
    stay as strict there as everywhere (own files, or the request's nonce); public
    pages allow no inline style either."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(admin_prefix()):
            parts.update = {**(parts.update or {}), "style-src": [UNSAFE_INLINE]}
        return parts


def admin_prefix():
    return reverse("admin:index")


class DatabaseUnavailableMiddleware:
    """Answers 503 with a static page, instead of a 500, when a view or its template
    fails because the database cannot be reached. Nothing else changes: with Django's
    CONN_HEALTH_CHECKS the next request opens a fresh connection, so the site recovers
    by itself as soon as the database is back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "Database unavailable, answering 503 for %s: %s",
            request.path,
            exception,
            exc_info=exception,
        )
        return database_unavailable_response()


def database_unavailable_response():
    # No request in the context: no context processor, so nothing here touches the database.
    body = render_to_string("503.html")
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
