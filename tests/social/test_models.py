import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import translation

from social.models import Network, Placement, SocialLink


def make_link(network, url, **kwargs):
    link = SocialLink(network=network, url=url, **kwargs)
    link.full_clean()
    return link


@pytest.mark.parametrize(
    ("network", "url"),
    [
        (Network.FACEBOOK, "https://www.facebook.com/newsroom.example"),
        (Network.FACEBOOK, "https://m.facebook.com/newsroom.example/"),
        (Network.X, "https://x.com/newsroom_example"),
        (Network.X, "https://twitter.com/newsroom_example"),
        (Network.YOUTUBE, "https://www.youtube.com/@newsroom.example"),
        (Network.TELEGRAM, "https://t.me/newsroom_example"),
        (Network.TELEGRAM, "https://telegram.me/newsroom_example"),
        (Network.INSTAGRAM, "https://www.instagram.com/newsroom.example/"),
        (Network.WHATSAPP, "https://whatsapp.com/channel/0029VaExample"),
        (Network.TIKTOK, "https://www.tiktok.com/@newsroom.example"),
        (Network.RSS, "/feed/"),
        (Network.RSS, "https://news.example/feed/"),
        (Network.OTHER, "https://mastodon.example/@newsroom"),
    ],
)
def test_valid_urls(network, url):
    Network(network).validate_url(url)


@pytest.mark.parametrize(
    ("network", "url", "code"),
    [
        # A Telegram link must point at Telegram, and so on for every network.
        (Network.TELEGRAM, "https://www.facebook.com/newsroom.example", "wrong_network"),
        (Network.TELEGRAM, "https://telegram.example/newsroom", "wrong_network"),
        (Network.FACEBOOK, "https://t.me/newsroom_example", "wrong_network"),
        (Network.FACEBOOK, "https://evilfacebook.com/newsroom", "wrong_network"),
        (Network.FACEBOOK, "https://facebook.com.evil.example/newsroom", "wrong_network"),
        (Network.FACEBOOK, "https://facebook.com@evil.example/newsroom", "wrong_network"),
        (Network.X, "https://www.youtube.com/@newsroom", "wrong_network"),
        (Network.YOUTUBE, "https://x.com/newsroom", "wrong_network"),
        (Network.INSTAGRAM, "https://www.tiktok.com/@newsroom", "wrong_network"),
        (Network.TIKTOK, "https://www.instagram.com/newsroom", "wrong_network"),
        (Network.WHATSAPP, "https://t.me/newsroom", "wrong_network"),
        # https only
        (Network.TELEGRAM, "http://t.me/newsroom_example", "invalid"),
        (Network.OTHER, "http://news.example/", "invalid"),
        (Network.OTHER, "javascript:alert(1)", "invalid"),
        (Network.RSS, "//evil.example/feed/", "invalid"),
        (Network.RSS, "feed/", "invalid"),
        # Browsers read "\\" as "/": "/\\evil.example/" is another site.
        (Network.RSS, "/\\evil.example/", "invalid"),
        (Network.RSS, "/\\/evil.example/feed/", "invalid"),
        (Network.RSS, "/\t/evil.example/", "invalid"),
        # the network's home page is not an account
        (Network.FACEBOOK, "https://www.facebook.com/", "no_account"),
        (Network.TELEGRAM, "https://t.me", "no_account"),
        (Network.WHATSAPP, "https://www.whatsapp.com/newsroom", "no_account"),
        (Network.WHATSAPP, "https://www.whatsapp.com/channel/", "no_account"),
    ],
)
def test_invalid_urls(network, url, code):
    with pytest.raises(ValidationError) as raised:
        Network(network).validate_url(url)
    assert raised.value.error_list[0].code == code


def test_full_clean_puts_the_error_on_the_url_field():
    with pytest.raises(ValidationError) as raised:
        make_link(Network.TELEGRAM, "https://www.facebook.com/newsroom.example")
    assert list(raised.value.message_dict) == ["url"]
    assert "تيليغرام" in raised.value.message_dict["url"][0]
    assert "t.me" in raised.value.message_dict["url"][0]


def test_name_is_the_label_or_the_translated_network_name():
    link = SocialLink(network=Network.X, url="https://x.com/newsroom_example")
    with translation.override("en"):
        assert link.name == "X (Twitter)"
    link.label_en = "Follow us on X"
    with translation.override("en"):
        assert link.name == "Follow us on X"
    with translation.override("ar"):
        # No Arabic label: the network's name, never the English label.
        assert link.name != "Follow us on X"


@pytest.mark.django_db
def test_ordering_and_placement():
    telegram = SocialLink.objects.create(
        network=Network.TELEGRAM, url="https://t.me/a", order=2, placement=Placement.HEADER
    )
    facebook = SocialLink.objects.create(
        network=Network.FACEBOOK, url="https://facebook.com/a", order=1, placement=Placement.BOTH
    )
    rss = SocialLink.objects.create(
        network=Network.RSS, url="/feed/", order=0, placement=Placement.FOOTER
    )
    SocialLink.objects.create(
        network=Network.X, url="https://x.com/a", order=0, placement=Placement.BOTH, is_active=False
    )
    active = SocialLink.objects.active()
    assert list(active) == [rss, facebook, telegram]
    assert list(active.shown_in("header")) == [facebook, telegram]
    assert list(active.shown_in("footer")) == [rss, facebook]
    assert [link for link in active if link.shows_in("header")] == [facebook, telegram]
    assert [link for link in active if link.shows_in("footer")] == [rss, facebook]


@pytest.mark.django_db
def test_editors_manage_social_links():
    editors = Group.objects.get(name="Editors")
    codenames = set(
        editors.permissions.filter(content_type__app_label="social").values_list(
            "codename", flat=True
        )
    )
    assert codenames == {
        "add_sociallink",
        "change_sociallink",
        "delete_sociallink",
        "view_sociallink",
    }


@pytest.mark.django_db
def test_the_database_refuses_unsafe_addresses():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        SocialLink.objects.create(network=Network.OTHER, url="javascript:alert(1)")


@pytest.mark.django_db
def test_the_database_refuses_a_feed_path_that_leads_off_the_site():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        SocialLink.objects.create(network=Network.RSS, url="/\\evil.example/")


def test_an_http_address_is_one_error_on_the_url_field():
    with pytest.raises(ValidationError) as raised:
        make_link(Network.TELEGRAM, "http://t.me/newsroom_example")
    assert list(raised.value.message_dict) == ["url"]
    assert len(raised.value.message_dict["url"]) == 1


def test_x_handle():
    assert SocialLink(network=Network.X, url="https://x.com/newsroom_example/").x_handle == (
        "@newsroom_example"
    )
    assert SocialLink(network=Network.TELEGRAM, url="https://t.me/newsroom").x_handle == ""
