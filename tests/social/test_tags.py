import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from social.links import absolute_url, share_targets
from social.models import SocialLink

# Run with the page cache off and on (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("both_page_cache_states")

ARABIC_TITLE = "البصرة تفتتح جسراً جديداً & «الطريق» مفتوح"
ARABIC_URL = "https://news.example/سياسة/12/البصرة-تفتتح-جسرا/"


def render(source, **context):
    return Template("{% load social %}" + source).render(Context(context))


def hrefs(html, css_class):
    return re.findall(rf'class="{css_class}[^"]*" href="([^"]*)"', html)


def social_queries(queries):
    return [q for q in queries if "social_sociallink" in q["sql"]]


def test_share_links_encode_arabic_titles_and_urls():
    targets = {
        target["service"]: target["href"] for target in share_targets(ARABIC_URL, ARABIC_TITLE)
    }
    assert set(targets) == {"whatsapp", "telegram", "facebook", "x", "email"}
    for href in targets.values():
        # Nothing but ASCII in the link itself: every Arabic letter, space and & is encoded.
        assert href.isascii()
        assert " " not in href
    query = parse_qs(urlsplit(targets["telegram"]).query)
    assert query == {"url": [ARABIC_URL], "text": [ARABIC_TITLE]}
    query = parse_qs(urlsplit(targets["x"]).query)
    assert query == {"url": [ARABIC_URL], "text": [ARABIC_TITLE]}
    assert parse_qs(urlsplit(targets["facebook"]).query) == {"u": [ARABIC_URL]}
    assert parse_qs(urlsplit(targets["whatsapp"]).query) == {
        "text": [f"{ARABIC_TITLE} {ARABIC_URL}"]
    }
    assert targets["whatsapp"].startswith("https://wa.me/?text=")
    # mailto (RFC 6068): spaces as %20, never "+".
    assert targets["email"].startswith("mailto:?subject=")
    assert "+" not in targets["email"]
    subject, body = targets["email"].removeprefix("mailto:?").split("&")
    assert unquote(subject.removeprefix("subject=")) == ARABIC_TITLE
    assert unquote(body.removeprefix("body=")) == ARABIC_URL


def test_share_links_tag_renders_plain_links_and_a_copy_link(rf):
    request = rf.get("/")
    with translation.override("en"):
        html = render(
            "{% share_links url title %}",
            url="/politics/12/bridge/",
            title=ARABIC_TITLE,
            request=request,
        )
    absolute = "http://testserver/politics/12/bridge/"
    assert 'href="https://wa.me/?text=' in html
    assert "Share on WhatsApp" in html and "Share by email" in html
    # The copy button is, without JavaScript, a plain link to the page itself.
    assert f'class="share-link share-link--copy" href="{absolute}" data-share-copy' in html
    assert 'data-label="Copy link"' in html
    assert 'role="status"' in html
    assert "<script" not in html and "onclick" not in html
    # Icons are decorative; the names are in the link.
    assert html.count('aria-hidden="true"') == 6
    # The & of the title is encoded in the URL and the URL escaped in the attribute.
    assert "%26" in html


def test_absolute_url_prefers_the_site_url_setting(rf, settings):
    request = rf.get("/", HTTP_HOST="localhost:8000")
    assert absolute_url("/feed/", request) == "http://localhost:8000/feed/"
    settings.NEWSROOM_SITE_URL = "https://news.example"
    assert absolute_url("/feed/", request) == "https://news.example/feed/"
    assert absolute_url("https://cdn.example/a.jpg", request) == "https://cdn.example/a.jpg"
    assert absolute_url("", request) == ""
    assert (
        absolute_url("/سياسة/", request) == "https://news.example/%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9/"
    )


@pytest.mark.django_db
def test_social_links_by_placement_in_order(legacy_links, rf):
    request = rf.get("/")
    with translation.override("en"):
        header = render('{% social_links "header" %}', request=request)
        footer = render('{% social_links "footer" %}', request=request)
    assert hrefs(header, "social-link") == [
        "https://www.facebook.com/newsroom.example",
        "https://x.com/newsroom_example",
        "https://www.youtube.com/@newsroom.example",
        "https://t.me/newsroom_example",
    ]
    assert hrefs(footer, "social-link") == [
        "/feed/",
        "https://www.facebook.com/newsroom.example",
        "https://www.youtube.com/@newsroom.example",
        "https://t.me/newsroom_example",
    ]
    assert '<nav class="social-links social-links--header" aria-label="Follow us">' in header
    assert ">X (Twitter)</span>" in header
    assert header.count("<svg") == 4


@pytest.mark.django_db
def test_inactive_links_are_hidden_and_no_links_render_nothing(rf):
    SocialLink.objects.create(network="x", url="https://x.com/a", is_active=False)
    assert render('{% social_links "header" %}', request=rf.get("/")).strip() == ""


@pytest.mark.django_db
def test_header_and_footer_cost_one_query_then_none_until_a_link_changes(legacy_links, rf):
    request = rf.get("/")
    template = '{% social_links "header" %}{% social_links "footer" %}{% site_og_tags %}'
    with CaptureQueriesContext(connection) as queries:
        render(template, request=request)
    assert len(queries) == 1
    # The links are shared by every process through the cache, with or without a request.
    with CaptureQueriesContext(connection) as queries:
        render(template, request=rf.get("/"))
        render(template)
    assert len(queries) == 0
    # A change to any link is seen by the next render.
    link = legacy_links[0] if isinstance(legacy_links, list) else SocialLink.objects.first()
    link.label = "Renamed account"
    link.save()
    with CaptureQueriesContext(connection) as queries:
        html = render(template)
    assert len(queries) == 1
    assert "Renamed account" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "direction", "language"), [("/", "rtl", "ar"), ("/en/", "ltr", "en")]
)
def test_every_page_header_shows_the_links_in_order(
    client, legacy_links, path, direction, language
):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in html
    header = html.split('<header class="site-header">')[1].split("</header>")[0]
    # The document order is the editors' order; the direction (RTL: from the right) is the
    # browser's job, through flex layout and logical properties.
    assert hrefs(header, "social-link") == [
        "https://www.facebook.com/newsroom.example",
        "https://x.com/newsroom_example",
        "https://www.youtube.com/@newsroom.example",
        "https://t.me/newsroom_example",
    ]
    footer = html.split('<footer class="site-footer">')[1]
    assert 'href="/feed/"' in footer
    assert len(social_queries(queries.captured_queries)) == 1
    assert 'social/social.css"' in html
    assert 'social/share.js" defer></script>' in html


@pytest.mark.django_db
def test_accessible_names_follow_the_active_language(client):
    SocialLink.objects.create(
        network="telegram",
        url="https://t.me/a",
        label_ar="قناتنا على تلغرام",
        label_en="Our Telegram channel",
    )
    arabic = client.get("/").content.decode()
    english = client.get("/en/").content.decode()
    assert ">قناتنا على تلغرام</span>" in arabic
    assert ">Our Telegram channel</span>" in english
    assert "Our Telegram channel" not in arabic


def test_social_links_placement_must_be_header_or_footer():
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        render('{% social_links "sidebar" %}')
