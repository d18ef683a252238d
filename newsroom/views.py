from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import override
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
