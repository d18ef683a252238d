from urllib.parse import urlsplit

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_safe

from ads import services
from ads.models import Ad, AdStatus, AdsTxt
from ads.validators import check_ads_txt


@require_safe
def click(request, pk):
    """Count a click and send the reader to the ad's own stored address, never elsewhere."""
    ad = get_object_or_404(Ad.objects.with_status(AdStatus.RUNNING), pk=pk)
    if not ad.target_url or urlsplit(ad.target_url).scheme not in ("http", "https"):
        raise Http404
    if request.method == "GET":
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
