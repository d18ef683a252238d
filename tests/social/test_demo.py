import pytest

from social import demo
from social.models import SocialLink


@pytest.mark.django_db
def test_demo_loads_the_four_legacy_networks_once():
    assert demo.load() == 4
    assert demo.load() == 0
    links = list(SocialLink.objects.active())
    assert [link.network for link in links] == ["facebook", "x", "youtube", "telegram"]
    for link in links:
        link.full_clean()
        assert link.shows_in("header") and link.shows_in("footer")


@pytest.mark.django_db
def test_demo_leaves_editors_changes_alone():
    demo.load()
    SocialLink.objects.filter(network="telegram").update(url="https://t.me/changed", order=1)
    demo.load()
    telegram = SocialLink.objects.get(network="telegram")
    assert telegram.url == "https://t.me/changed"
    assert SocialLink.objects.first() == telegram
