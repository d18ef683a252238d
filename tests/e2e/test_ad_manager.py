"""An ad manager creates an image ad for `sidebar-1` in the Arabic admin, sees it on the
site, a reader clicks it and lands on the advertiser's site, and the click is counted."""

import io
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image
from playwright.sync_api import expect

from ads.models import Ad, AdDailyStat
from ads.roles import AD_MANAGERS
from tests.caches import clear_cache

ALT_AR = "مكتبة الفراهيدي: تخفيضات على الكتب المدرسية"
ALT_EN = "Farahidi bookshop: school books on sale"


def png_bytes(size=(300, 250), colour=(20, 70, 110)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def advertiser():
    """The advertiser's own site: another web server, on loopback (nothing leaves the
    machine). Yields (its address, the paths it was asked for)."""
    visits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            visits.append(self.path)
            body = b"<!DOCTYPE html><html lang=en><title>Bookshop</title><h1>Bookshop</h1>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", visits
    server.shutdown()
    server.server_close()


def test_ad_manager_creates_an_image_ad_and_sees_its_click_counted(
    site, session_factory, make_staff, tmp_path, advertiser
):
    advertiser_url, advertiser_visits = advertiser
    target = f"{advertiser_url}/offer?campaign=school"
    make_staff("admanager", AD_MANAGERS)
    # The slot shows one ad, picked at random by weight: leave it to the new ad alone.
    Ad.objects.filter(placements__key="sidebar-1").update(is_active=False)
    clear_cache()
    picture = tmp_path / "bookshop.png"
    picture.write_bytes(png_bytes())

    manager = session_factory(site.url, "desktop")
    page = manager.log_in("admanager")
    page.goto(manager.url("/admin/ads/ad/add/"))
    page.locator("#id_name").fill("Farahidi back to school")
    page.locator("#id_advertiser").fill("Farahidi bookshop")
    page.locator("#id_placements_from option", has_text="(300×250)").filter(has_text="1").dblclick()
    expect(page.locator("#id_placements_to option")).to_have_count(1)
    assert page.locator("#id_kind").input_value() == Ad.Kind.IMAGE
    page.locator("#id_image").set_input_files(picture)
    page.locator("#id_image_alt_ar").fill(ALT_AR)
    page.locator('a.ui-tabs-anchor[href="#tab_id_image_alt_en"]').click()
    page.locator("#id_image_alt_en").fill(ALT_EN)
    page.locator("#id_target_url").fill(target)
    page.locator("input[name=_save]").first.click()
    page.wait_for_url(re.compile(r"/admin/ads/ad/$"))

    ad = Ad.objects.get(name="Farahidi back to school")
    assert [p.key for p in ad.placements.all()] == ["sidebar-1"]
    assert ad.image_width == 300 and ad.target_url == target

    # A reader sees it in the sidebar, with its description, and clicks it.
    reader = session_factory(site.url, "phone")
    reader_page = reader.new_page()
    reader_page.goto(reader.url("/"))
    banner = reader_page.locator("aside.sidebar .ad-slot-sidebar-1 a.ad-link")
    expect(banner.locator(f'img[alt="{ALT_AR}"]')).to_be_visible()
    assert banner.get_attribute("href") == f"/ads/{ad.pk}/click/"
    banner.scroll_into_view_if_needed()
    with reader_page.expect_popup() as popup:
        banner.click()
    landed = popup.value
    landed.wait_for_load_state()
    assert landed.url == target
    assert advertiser_visits == ["/offer?campaign=school"]
    assert AdDailyStat.objects.get(ad=ad).clicks == 1

    # The English edition shows the English description.
    reader_page.goto(reader.url("/en/"))
    expect(reader_page.locator(f'.ad-slot-sidebar-1 img[alt="{ALT_EN}"]')).to_be_visible()

    # The ad manager sees the click in the ads list.
    page.reload()
    row = page.locator("#result_list tbody tr", has_text="Farahidi back to school")
    expect(row.locator("td.field-clicks")).to_have_text("1")
    manager.assert_clean()
    reader.assert_clean()
