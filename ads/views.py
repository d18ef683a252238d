from urllib.parse import urlsplit

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from ads import clicks, services
from ads.frame import AD_FRAME_POLICY
from ads.models import Ad, AdStatus, AdsTxt
from ads.validators import check_ads_txt


@require_safe
def click(request, pk):
    """Count a click (a reader's repeated clicks once, see ads/clicks.py) and send the
    reader to the ad's own stored address, never elsewhere."""
    ad = get_object_or_404(Ad.objects.with_status(AdStatus.RUNNING), pk=pk)
    if not ad.target_url or urlsplit(ad.target_url).scheme not in ("http", "https"):
        raise Http404
    if request.method == "GET" and clicks.is_new_click(ad, request):
        services.record_click(ad, request)
        services.maybe_flush_impressions()
    response = HttpResponseRedirect(ad.target_url)
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def ads_txt(request):
    """/ads.txt as plain text; only lines that pass the IAB checks are ever served."""
    record = AdsTxt.current()
    if record is None:
        raise Http404
    lines = [line.text.rstrip() for line in check_ads_txt(record.content) if not line.error]
    body = "\n".join(lines) + "\n" if lines else ""
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=300)
    return response


@require_safe
@xframe_options_sameorigin
def frame(request, pk):
    """The code of an HTML ad, as a document of its own for the ad's sandboxed iframe.

    The page around it keeps its strict Content-Security-Policy (no inline script): this
    response carries the ad's own, permissive one, which also sandboxes it (no same
    origin: the code can never read the site's pages, cookies or storage) and lets only
    the site's own pages frame it. Running ads only; staff may preview any HTML ad."""
    ads = Ad.objects.filter(kind=Ad.Kind.HTML)
    if not request.user.has_perm("ads.view_ad"):
        ads = ads.with_status(AdStatus.RUNNING)
    ad = get_object_or_404(ads, pk=pk)
    response = HttpResponse(ad.html_code, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = AD_FRAME_POLICY
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    patch_cache_control(response, private=True, max_age=60)
    return response
