"""Hostile input: whatever readers, robots and attackers send, the answer is a normal page
or a 4xx, never a server error."""

from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from articles.models import Article
from articles.roles import EDITORS
from tests.articles.test_admin import article_form

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI never flakes
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text as the web sends it: Arabic, Latin, digits, emoji, marks, controls, NUL, surrogates'
# neighbours, bidi overrides and the characters URLs treat specially.
hostile_text = st.lists(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإةى٠١٢٣٤٥٦٧٨٩")),
        st.sampled_from(["😀", "👍🏽", "🇮🇶", "\u202e", "\u200f", "\x00", "%", "/", "?", "#", ".."]),
    ),
    max_size=120,
).map("".join)
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["-1", "0", "1", "abc", "1e9", "NaN", "last", "", " 2", "٣", "0x10"]),
)
segment = st.one_of(hostile_text, numbers, st.sampled_from(["news", "tag", "author", "ads"]))
prefix = st.sampled_from(
    ["/", "/en/", "/tag/", "/author/", "/news/", "/news/1/", "/ads/", "/en/news/", "/search/",
     "/en/search/", "/feed/", "/sitemap.xml", "/robots.txt", "/ads.txt", "/media/", "/static/"]
)  # fmt: skip
query = st.dictionaries(
    st.one_of(st.sampled_from(["page", "q", "sort", "section", "filter", "lang"]), hostile_text),
    st.one_of(numbers, hostile_text),
    max_size=4,
)


def path_of(start, segments, params):
    path = start + "/".join(quote(s, safe="") for s in segments)
    if params:
        path += "?" + urlencode(params)
    return path


@pytest.fixture
def site(client, make_article, tag, author):
    make_article(tags=[tag], author=author)
    make_article(title_en="English", body_en="<p>Body</p>")
    client.raise_request_exception = True  # a server error fails the test with its cause
    return client


@FUZZ
@given(start=prefix, segments=st.lists(segment, max_size=4), params=query)
@example(start="/news/", segments=[], params={"page": "-1"})
@example(start="/news/", segments=[], params={"page": "abc"})
@example(start="/news/", segments=[], params={"page": "9" * 40})
@example(start="/news/", segments=["9" * 30, "x"], params={})
@example(start="/tag/", segments=["ب" * 2000], params={})
@example(start="/ads/", segments=["9" * 30, "click"], params={})
@example(start="/ads/", segments=["9" * 30, "frame"], params={})
@example(start="/", segments=["\x00"], params={"unknown[filter]": "😀"})
def test_public_urls_never_answer_a_server_error(site, start, segments, params):
    path = path_of(start, segments, params)
    response = site.get(path)
    assert response.status_code < 500, path


@FUZZ
@given(title=hostile_text.filter(lambda text: text.strip() and "\x00" not in text))
def test_any_headline_gives_a_reachable_article(client, news, title):
    """Arabic, emoji and control characters in the headline: the slug and the address
    still work (NUL is refused by PostgreSQL; the admin form never lets it through)."""
    article = Article.objects.create(
        title_ar=title, body_ar="<p>نص</p>", section=news, status=Article.Status.PUBLISHED
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200, article.get_absolute_url()


@pytest.fixture
def editor_client(client, staff):
    client.force_login(staff(EDITORS))
    return client


def test_arabic_and_emoji_in_every_field_of_the_article_form(editor_client, news):
    text = "خبر عاجل 🚨 من البصرة — Basra 👍🏽 \u200f"
    data = article_form(
        news,
        title_ar=text,
        title_en=text,
        summary_ar=text,
        summary_en=text,
        body_ar=f"<p>{text}</p>",
        body_en=f"<p>{text}</p>",
        byline_ar=text,
        dateline_ar=text,
        correction_note_ar=text,
    )
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.title_ar == text
    step = reverse("admin:articles_article_step", args=[article.pk, "publish"])
    assert editor_client.post(step, {"desk_now": "on"}).status_code == 302
    for path in (article.get_absolute_url(), "/", "/news/"):
        assert editor_client.get(path).status_code == 200


def test_over_long_fields_are_form_errors(editor_client, news):
    data = article_form(news, title_ar="أ" * 10_000, byline_ar="x" * 5000)
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) >= {"title_ar", "byline_ar"}
    assert not Article.objects.exists()


def test_oversized_form_body_is_refused(client, db, settings):
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post("/admin/login/", {"username": big, "password": "x"})
    assert response.status_code == 400


def test_too_many_form_fields_are_refused(client, db, settings):
    fields = {f"f{number}": "x" for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    assert client.post("/admin/login/", fields).status_code == 400


def test_login_does_not_redirect_elsewhere(client, django_user_model):
    django_user_model.objects.create_user("ed", password="a long passphrase", is_staff=True)
    response = client.post(
        "/admin/login/?next=https://evil.example/",
        {"username": "ed", "password": "a long passphrase", "next": "//evil.example/"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
