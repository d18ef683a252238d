import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from ads.models import Ad, AdDailyStat
from ads.roles import AD_MANAGERS
from newsroom.roles import ADMINISTRATORS
from tests.ads.conftest import png

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def ad_manager(django_user_model):
    user = django_user_model.objects.create_user("ads", password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name=AD_MANAGERS))
    return user


@pytest.fixture
def manager_client(client, ad_manager):
    client.force_login(ad_manager)
    return client


def form_data(placement, **overrides):
    now = timezone.localtime()
    data = {
        "name": "Spring sale",
        "advertiser": "Shop",
        "placements": [placement.pk],
        "kind": "image",
        "is_active": "on",
        "image_alt_ar": "تخفيضات",
        "image_alt_en": "Sale",
        "target_url": "https://shop.example/",
        "html_code": "",
        "starts_at_0": now.strftime("%Y-%m-%d"),
        "starts_at_1": now.strftime("%H:%M:%S"),
        "ends_at_0": "",
        "ends_at_1": "",
        "weight": "1",
        "language": "all",
        "sections": "",
    }
    data.update(overrides)
    return data


def test_ad_managers_role(db):
    codenames = set(
        Group.objects.get(name=AD_MANAGERS).permissions.values_list("codename", flat=True)
    )
    assert {"add_ad", "change_ad", "delete_ad", "view_ad", "change_adstxt"} <= codenames
    assert "manage_html_ads" not in codenames
    assert not any(codename.endswith("_article") for codename in codenames)
    html_permission = Permission.objects.get(codename="manage_html_ads")
    assert list(html_permission.group_set.values_list("name", flat=True)) == [ADMINISTRATORS]


def test_article_roles_cannot_manage_ads(db):
    for group in Group.objects.exclude(name__in=[AD_MANAGERS, ADMINISTRATORS]):
        assert not group.permissions.filter(content_type__app_label="ads").exists()


def test_manager_creates_an_image_ad(manager_client, placement):
    slot = placement()
    response = manager_client.post("/admin/ads/ad/add/", {**form_data(slot), "image": png()}, **EN)
    assert response.status_code == 302, response.content.decode()[:3000]
    ad = Ad.objects.get()
    assert ad.kind == Ad.Kind.IMAGE
    assert list(ad.placements.all()) == [slot]
    assert (ad.image_width, ad.image_height) == (30, 25)


def test_address_without_scheme_becomes_https(manager_client, placement):
    data = {**form_data(placement(), target_url="shop.example/sale"), "image": png()}
    assert manager_client.post("/admin/ads/ad/add/", data, **EN).status_code == 302
    assert Ad.objects.get().target_url == "https://shop.example/sale"


def test_javascript_address_is_refused_in_the_admin(manager_client, placement):
    data = {**form_data(placement(), target_url="javascript:alert(1)"), "image": png()}
    assert manager_client.post("/admin/ads/ad/add/", data, **EN).status_code == 200
    assert not Ad.objects.exists()


def test_image_that_is_not_an_image_is_refused(manager_client, placement):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("ad.png", b"<script>not a picture</script>", "image/png")
    response = manager_client.post(
        "/admin/ads/ad/add/", {**form_data(placement()), "image": fake}, **EN
    )
    assert response.status_code == 200
    assert not Ad.objects.exists()


def test_manager_cannot_create_an_html_ad(manager_client, placement):
    data = form_data(placement(), kind="html", html_code="<script>steal()</script>")
    response = manager_client.post("/admin/ads/ad/add/", data, **EN)
    assert response.status_code == 200
    assert "لا يضيف إعلانات شيفرة HTML أو يعدّلها" in response.content.decode()
    assert not Ad.objects.exists()


def test_manager_cannot_turn_an_image_ad_into_html(manager_client, placement, make_ad):
    slot = placement()
    ad = make_ad(slot)
    data = form_data(slot, kind="html", html_code="<script>steal()</script>", name=ad.name)
    response = manager_client.post(f"/admin/ads/ad/{ad.pk}/change/", data, **EN)
    assert response.status_code == 200
    ad.refresh_from_db()
    assert (ad.kind, ad.html_code) == (Ad.Kind.IMAGE, "")


def test_manager_cannot_change_or_delete_an_html_ad(manager_client, placement, make_ad):
    slot = placement()
    ad = make_ad(slot, kind=Ad.Kind.HTML, html_code="<p>network</p>")
    data = form_data(slot, kind="html", html_code="<script>steal()</script>")
    response = manager_client.post(f"/admin/ads/ad/{ad.pk}/change/", data, **EN)
    assert response.status_code == 403
    assert manager_client.post(f"/admin/ads/ad/{ad.pk}/delete/", {"post": "yes"}).status_code == 403
    ad.refresh_from_db()
    assert ad.html_code == "<p>network</p>"
    # They may still look at it.
    assert manager_client.get(f"/admin/ads/ad/{ad.pk}/change/").status_code == 200


def test_holder_of_the_html_permission_creates_html_ads(manager_client, ad_manager, placement):
    ad_manager.user_permissions.add(Permission.objects.get(codename="manage_html_ads"))
    data = form_data(placement(), kind="html", html_code="<p>network tag</p>", image_alt_ar="")
    response = manager_client.post("/admin/ads/ad/add/", data, **EN)
    assert response.status_code == 302
    assert Ad.objects.get().html_code == "<p>network tag</p>"


def test_form_refuses_ending_before_start(admin_client, placement):
    now = timezone.localtime()
    earlier = now - timedelta(days=1)
    data = form_data(
        placement(),
        ends_at_0=earlier.strftime("%Y-%m-%d"),
        ends_at_1=earlier.strftime("%H:%M:%S"),
    )
    response = admin_client.post("/admin/ads/ad/add/", {**data, "image": png()}, **EN)
    assert response.status_code == 200
    assert "يجب أن ينتهي الإعلان بعد بدئه." in response.content.decode()
    assert not Ad.objects.exists()


def test_changelist_shows_status_counts_and_ctr(admin_client, placement, make_ad):
    slot = placement("sidebar-1")
    ad = make_ad(slot, name="Counted")
    make_ad(placement("sidebar-2"), name="Later", starts_at=timezone.now() + timedelta(days=1))
    today = timezone.localdate()
    AdDailyStat.objects.create(ad=ad, date=today, impressions=150, clicks=3)
    AdDailyStat.objects.create(ad=ad, date=today - timedelta(days=1), impressions=50, clicks=1)
    response = admin_client.get("/admin/ads/ad/", **EN)
    html = response.content.decode()
    assert response.status_code == 200
    row = re.search(r"<tr>.*?Counted.*?</tr>", html, re.S).group(0)
    assert ">200<" in row and ">4<" in row and "2.00%" in row
    assert "يُعرض الآن" in row and "sidebar-1" in row
    scheduled = admin_client.get("/admin/ads/ad/?status=scheduled", **EN).content.decode()
    assert "Later" in scheduled and "Counted" not in scheduled
    by_placement = admin_client.get(f"/admin/ads/ad/?placements__id__exact={slot.pk}", **EN)
    assert "Counted" in by_placement.content.decode()
    assert "Later" not in by_placement.content.decode()


def test_change_page_previews_the_ad_in_its_slot(admin_client, placement, make_ad):
    ad = make_ad(placement("sidebar-1", width=300, height=250), kind=Ad.Kind.HTML)
    html = admin_client.get(f"/admin/ads/ad/{ad.pk}/change/", **EN).content.decode()
    assert re.search(r'<iframe [^>]*sandbox="allow-scripts[^"]*"', html)
    assert "allow-same-origin" not in html
    assert "ads/ads.css" in html
    image_ad = make_ad(placement("sidebar-2"), name="img")
    html = admin_client.get(f"/admin/ads/ad/{image_ad.pk}/change/", **EN).content.decode()
    assert f'src="{image_ad.image.url}"' in html
    assert 'width="300" height="250"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/admin/ads/",
        "/admin/ads/placement/",
        "/admin/ads/placement/add/",
        "/admin/ads/ad/add/",
        "/admin/ads/addailystat/",
        "/admin/ads/adstxt/",
    ],
)
def test_admin_pages_open(admin_client, path, placement, make_ad):
    make_ad(placement())
    assert admin_client.get(path).status_code == 200


def test_changelist_flushes_cached_impressions(admin_client, placement, make_ad, render_slots):
    ad = make_ad(placement())
    render_slots("sidebar-1")
    render_slots("sidebar-1")
    admin_client.get("/admin/ads/ad/")
    assert AdDailyStat.objects.get(ad=ad).impressions == 2
