"""`{% fragment %}`: cached HTML whose key holds the language, the host, the release and
content versions; never kept when it holds what differs on every response."""

import itertools

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

from newsroom import cache as content_cache
from newsroom.cache import bump_version
from newsroom.pagecache import live_fragment, register_fragment

counter = itertools.count()
register_fragment("tests.counter", lambda request: f"view {next(counter)}")

TEMPLATE = Template(
    '{% load fragments %}{% fragment "piece" thing versions="things" %}'
    "{{ thing }}:{{ calls.next }}{% endfragment %}"
)


class Calls:
    def __init__(self):
        self.count = 0

    def next(self):
        self.count += 1
        return self.count


def render(template=TEMPLATE, request=None, **context):
    return template.render(Context({"request": request, **context}))


@pytest.mark.django_db
def test_kept_until_its_version_changes(rf):
    request, calls = rf.get("/"), Calls()
    assert render(request=request, thing="a", calls=calls) == "a:1"
    assert render(request=request, thing="a", calls=calls) == "a:1"  # not rendered again
    assert render(request=request, thing="b", calls=calls) == "b:2"  # arguments are keys
    bump_version("things")
    assert render(request=request, thing="a", calls=calls) == "a:3"
    assert render(request=request, thing="a", calls=calls) == "a:3"


@pytest.mark.django_db
def test_language_host_and_release_are_part_of_the_key(rf):
    marker = Template('{% load fragments %}{% fragment "lang" %}{{ marker }}{% endfragment %}')
    assert render(marker, request=rf.get("/"), marker="one") == "one"
    with translation.override("en"):
        assert render(marker, request=rf.get("/"), marker="two") == "two"
    assert render(marker, request=rf.get("/", HTTP_HOST="localhost"), marker="three") == "three"
    assert render(marker, request=rf.get("/"), marker="four") == "one"
    content_cache.release.cache_clear()
    with override_settings(NEWSROOM_RELEASE="next"):
        assert render(marker, request=rf.get("/"), marker="five") == "five"
    content_cache.release.cache_clear()


@pytest.mark.django_db
def test_not_kept_when_it_holds_a_live_fragment_or_the_nonce(rf):
    template = Template('{% load fragments %}{% fragment "live" %}{{ live }}{% endfragment %}')

    class Live:
        def __init__(self, request):
            self.request = request

        def __str__(self):
            return live_fragment(self.request, "tests.counter")

    request = rf.get("/")
    first = render(template, request=request, live=Live(request))
    second = render(template, request=request, live=Live(request))
    assert first != second
    nonce = Template(
        '{% load fragments %}{% fragment "nonce" %}{{ request.csp_nonce }}{% endfragment %}'
    )
    request = rf.get("/")
    request.csp_nonce = request._csp_nonce = "first"
    assert render(nonce, request=request) == "first"
    request = rf.get("/")
    request.csp_nonce = request._csp_nonce = "second"
    assert render(nonce, request=request) == "second"


@pytest.mark.django_db
def test_a_memo_fragment_is_kept_by_the_process_too(rf):
    from django.core.cache import cache

    template = Template(
        '{% load fragments %}{% fragment "kept" versions="things" memo=True %}'
        "{{ calls.next }}{% endfragment %}"
    )
    request, calls = rf.get("/"), Calls()
    assert render(template, request=request, calls=calls) == "1"
    cache.clear()  # the shared cache lost it: this process still has it
    assert render(template, request=request, calls=calls) == "1"
    bump_version("things")  # but not past a change
    assert render(template, request=request, calls=calls) == "2"


@pytest.mark.django_db
def test_missing_pages_cache_nothing_under_their_address(client):
    from django.core.cache import cache

    assert client.get("/no-such-page/").status_code == 404
    stored = set(cache._cache)  # the test cache is local memory
    kept = set(content_cache.process_memo._entries)
    missing = client.get("/another-missing-page/")
    assert missing.status_code == 404
    assert set(cache._cache) == stored
    assert set(content_cache.process_memo._entries) == kept
    assert 'property="og:' not in missing.content.decode()
