"""What search engines and aggregators read in <head>: JSON-LD structured data,
canonical addresses and feed links."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language

from newsroom.site import site_name

register = template.Library()

LOGO = "newsroom/logo.png"
LOGO_SIZE = 512
DESCRIPTION_WORDS = 40
# Inside <script>, "</script>" or "<!--" would end or confuse the element: JSON allows
# these characters escaped, so the data can never leave its script element.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data) -> str:
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(  # noqa: S308 - the three characters that matter are escaped above
        f'<script type="application/ld+json">{text.translate(_SCRIPT_ESCAPES)}</script>'
    )


def _publisher(request):
    return {
        "@type": "NewsMediaOrganization",
        "name": site_name(),
        "url": request.build_absolute_uri(reverse("articles:home")),
        "logo": {
            "@type": "ImageObject",
            "url": request.build_absolute_uri(static(LOGO)),
            "width": LOGO_SIZE,
            "height": LOGO_SIZE,
        },
    }


def article_data(article, request):
    """NewsArticle and BreadcrumbList for one article, in the active language."""
    url = request.build_absolute_uri(article.get_absolute_url())
    publisher = _publisher(request)
    if article.author and not article.byline:
        author = {
            "@type": "Person",
            "name": article.author.name,
            "url": request.build_absolute_uri(article.author.get_absolute_url()),
        }
    elif article.byline_text:
        author = {"@type": "Organization", "name": article.byline_text}
    else:
        author = {"@type": "Organization", "name": publisher["name"], "url": publisher["url"]}
    news_article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": Truncator(article.title).chars(110),
        "description": description_of(article),
        "datePublished": article.published_at,
        # Changed for readers: a published correction (the desk), not any save.
        "dateModified": article.corrected_at or article.published_at or article.updated_at,
        "author": [author],
        "publisher": publisher,
        "articleSection": article.section.name,
        "inLanguage": get_language(),
        "isAccessibleForFree": True,
    }
    if article.main_image:
        news_article["image"] = [request.build_absolute_uri(article.main_image.file.url)]
    keywords = [tag.name for tag in article.tag_list]
    if keywords:
        news_article["keywords"] = keywords
    breadcrumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": item}
            for position, (name, item) in enumerate(
                [
                    (site_name(), publisher["url"]),
                    (
                        article.section.name,
                        request.build_absolute_uri(article.section.get_absolute_url()),
                    ),
                    (Truncator(article.title).chars(110), url),
                ],
                start=1,
            )
        ],
    }
    return [news_article, breadcrumbs]


def website_data(request):
    """WebSite with a SearchAction: the search page of the active edition."""
    home = request.build_absolute_uri(reverse("articles:home"))
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": site_name(),
        "url": home,
        "inLanguage": get_language(),
        "publisher": _publisher(request),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{home}search/?q={{query}}"},
            "query-input": "required name=query",
        },
    }


def description_of(article):
    text = article.summary or strip_tags(article.body) or article.title
    return Truncator(" ".join(text.split())).words(DESCRIPTION_WORDS)


@register.simple_tag(takes_context=True)
def article_json_ld(context, article):
    return mark_safe("".join(json_ld(data) for data in article_data(article, context["request"])))


@register.simple_tag(takes_context=True)
def website_json_ld(context):
    return json_ld(website_data(context["request"]))


@register.simple_tag
def article_description(article):
    return description_of(article)


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's address without a query string, but for the page number of a list."""
    request = context["request"]
    url = request.build_absolute_uri(request.path)
    page = context.get("page_obj")
    if page is not None and page.number > 1:
        url += f"?page={page.number}"
    return url
