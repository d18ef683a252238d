from ads import demo
from ads.models import Ad, AdsTxt, Placement
from ads.validators import check_ads_txt


def test_demo_is_idempotent_and_complete(db, render_slots):
    assert demo.load() == 5
    html_ad = Ad.objects.get(kind=Ad.Kind.HTML)  # right after the first load
    assert (html_ad.language, html_ad.html_code.startswith("<!doctype html>")) == ("ar", True)
    assert demo.load() == 0
    assert set(Placement.objects.values_list("key", flat=True)) == {
        "header",
        "sidebar-1",
        "sidebar-2",
        "in-article",
    }
    assert Ad.objects.filter(kind=Ad.Kind.IMAGE).count() == 4
    for ad in Ad.objects.filter(kind=Ad.Kind.IMAGE):
        ad.full_clean()
        assert (ad.image_width, ad.image_height) == (
            ad.placements.first().width,
            ad.placements.first().height,
        )
    assert not [line for line in check_ads_txt(AdsTxt.current().content) if line.error]
    html = render_slots("header", "sidebar-1", "sidebar-2")
    assert html.count('class="ad-slot ') == 3


def test_demo_pages_show_both_sidebar_slots(db, client):
    demo.load()
    for path in ("/", "/en/"):
        html = client.get(path, HTTP_USER_AGENT="Mozilla/5.0").content.decode()
        sidebar = html[html.index('<aside class="sidebar"') :]
        assert "ad-slot-sidebar-1" in sidebar and "ad-slot-sidebar-2" in sidebar, path
    assert client.get("/ads.txt").status_code == 200
