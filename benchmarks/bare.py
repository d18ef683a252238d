"""The ceiling: a Django view returning a fixed page, with no middleware and no database,
at any address (so it can be asked the same addresses as the pages it is compared with).

`gunicorn benchmarks.bare:application` with BENCH_BARE_PAGE naming the file to serve
(benchmarks/web.py saves a real article page there).
"""

import os
from pathlib import Path

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import re_path

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "bare-view-has-no-secrets"),
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)
django.setup()

PAGE = Path(os.environ["BENCH_BARE_PAGE"]).read_bytes()


def page(request):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [re_path("", page)]
application = get_wsgi_application()
