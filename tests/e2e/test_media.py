"""An editor uploads a picture to the media library, sets its focal point with a click,
places it in a story with a caption, embeds a YouTube video and a post on X; readers get
the figure, the crops around the focal point and click-to-load embeds under the site's CSP."""

import io
import re

from PIL import Image as Pillow
from playwright.sync_api import expect

from articles.models import Article, Image, Section
from articles.roles import EDITORS
from tests.e2e import checks
from tests.e2e.test_editor import choose_in_autocomplete, type_in_editor

TITLE = "صور ومقاطع من افتتاح الجسر الجديد في البصرة"
CAPTION = "الجسر عند الغروب، من الضفة الشرقية"
YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
X_POST = "https://x.com/BasraGov/status/1790000000000000000"


def photo(path):
    """1600×900, white, with a red block in the top corner on the right: the subject."""
    canvas = Pillow.new("RGB", (1600, 900), (255, 255, 255))
    canvas.paste((220, 0, 0), (1400, 0, 1600, 225))
    buffer = io.BytesIO()
    canvas.save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def submit_dialog(page, values):
    dialog = page.locator("dialog[open]")
    for name, value in values.items():
        dialog.locator(f"[name={name}]").fill(value)
    dialog.locator("button[type=submit]").click()


def test_editor_places_a_library_picture_and_embeds_readers_load_them_on_click(
    site, session_factory, make_staff, tmp_path, html_checker
):
    make_staff("editor", EDITORS)
    section = Section.objects.get(slug="news")
    editor = session_factory(site.url, "desktop")
    page = editor.log_in("editor")

    # Upload into the library, with its texts.
    page.goto(editor.url("/admin/articles/image/add/"))
    page.locator("#id_file").set_input_files(photo(tmp_path / "bridge.jpg"))
    page.locator("#id_alt_ar").fill("جسر حديدي فوق شط العرب")
    page.locator("#id_caption_ar").fill("جسر البصرة الجديد")
    page.locator("#id_credit_ar").fill("تصوير: مكتب الإعلام")
    page.locator("input[name=_continue]").first.click()
    page.wait_for_url(re.compile(r"/admin/articles/image/\d+/change/"))
    picture = Image.objects.get(uploaded_by__username="editor")
    assert picture.uploaded_by.username == "editor" and picture.width == 1600

    # A click on the red corner sets the focal point.
    target = page.locator(".focal-picture")
    box = target.bounding_box()
    target.click(position={"x": box["width"] * 0.94, "y": box["height"] * 0.12})
    assert abs(float(page.locator("#id_focal_x").input_value()) - 0.94) < 0.02
    page.locator("input[name=_continue]").first.click()
    page.wait_for_url(re.compile(r"/admin/articles/image/\d+/change/"))
    picture.refresh_from_db()
    assert picture.focal_x > 0.9 and picture.focal_y < 0.2

    # A story with the picture as its main image and in the body, and two embeds.
    page.goto(editor.url("/admin/articles/article/add/"))
    page.locator("#id_title_ar").fill(TITLE)
    type_in_editor(page, "body_ar", "افتتح الجسر الجديد اليوم.")
    body = page.locator(".field-body_ar")
    body.locator("[data-name=newsFigure]").click()
    # The picker: the library in a popup, searched in normal form ("حديدى" for "حديدي").
    with page.expect_popup() as opened:
        page.locator("dialog[open] .prose-editor-field-with-picker button").click()
    library = opened.value
    library.locator("#searchbar").fill("جسر حديدى")
    library.locator("#searchbar").press("Enter")
    expect(library.locator("#result_list tbody tr")).to_have_count(1)
    # The admin binds the popup's "choose" links once the page has loaded: a click before
    # that follows the link to the picture's own page (seen on a loaded machine).
    library.wait_for_load_state("load")
    library.locator("#result_list tbody tr a").first.click()
    expect(page.locator("dialog[open] [name=imageId]")).to_have_value(str(picture.pk))
    submit_dialog(page, {"caption": CAPTION})
    expect(body.locator(".news-figure-preview img")).to_be_visible()
    body.locator("[data-name=newsEmbed]").click()
    submit_dialog(page, {"url": "javascript:alert(1)"})
    # Refused, with the reason, in the same dialog.
    expect(page.locator("dialog[open]")).to_contain_text("لا يمكن تضمين هذا العنوان")
    submit_dialog(page, {"url": "https://www.youtube.com/embed/../../redirect?q=x"})
    expect(page.locator("dialog[open]")).to_contain_text("لا يمكن تضمين هذا العنوان")
    submit_dialog(page, {"url": YOUTUBE})
    # An address pasted into the text becomes an embed too.
    body.locator(".ProseMirror[contenteditable=true]").evaluate(
        "(editor, url) => { const data = new DataTransfer(); data.setData('text/plain', url);"
        " editor.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,"
        " cancelable: true})) }",
        X_POST,
    )
    expect(body.locator(".news-embed-preview")).to_have_count(2)
    choose_in_autocomplete(page, "section", section.name_ar)
    choose_in_autocomplete(page, "main_image", "جسر حديدي")
    page.locator("input[name=_continue]").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    page.get_by_role("button", name="انشر", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("نُشر")
    article = Article.objects.get(title_ar=TITLE)
    assert article.is_public
    assert f'<figure data-image="{picture.pk}"><figcaption>{CAPTION}' in article.body_ar
    assert f'<figure data-embed="{YOUTUBE}"></figure>' in article.body_ar
    assert f'<figure data-embed="{X_POST}"></figure>' in article.body_ar
    assert "javascript" not in article.body_ar

    # The reader's page: the figure, the crops around the focal point, the facades.
    reader = session_factory(site.url, "phone")
    reader_page = reader.new_page()
    reader_page.goto(reader.url(article.get_absolute_url()))
    figure = reader_page.locator(".article-body figure.figure")
    expect(figure.locator("figcaption")).to_contain_text(CAPTION)
    expect(figure.locator("figcaption .credit")).to_have_text("تصوير: مكتب الإعلام")
    assert figure.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    preview = reader_page.locator('meta[property="og:image"]').get_attribute("content")
    assert "-1200x630-at" in preview  # cropped around the focal point, not the centre
    with Pillow.open(io.BytesIO(reader_page.request.get(preview).body())) as crop:
        assert crop.size == (1200, 630) and crop.convert("RGB").getpixel((1150, 40))[1] < 80
    videos = reader_page.locator(".article-body figure.embed--youtube")
    expect(videos.locator("a.embed-link")).to_have_attribute("href", YOUTUBE)
    expect(reader_page.locator(".article-body figure.embed--x a.embed-link")).to_have_attribute(
        "href", X_POST
    )
    assert reader_page.locator(".article-body iframe").count() == 0  # nothing before a click
    checks.audit_page(reader_page, language="ar")
    checks.assert_valid_html({"story with figure and embeds": reader_page.content()})

    reader_page.evaluate(
        "window.violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " event => window.violations.push(event.violatedDirective + ' ' + event.blockedURI))"
    )
    videos.locator("button.embed-load").click()
    frame = videos.locator("iframe")
    expect(frame).to_have_attribute(
        "src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"
    )
    reader_page.wait_for_timeout(500)
    assert reader_page.evaluate("window.violations") == []
    # The frame's request is the only one that left the site (this test stops it there).
    assert reader.outside_requests == [
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"
    ]
    reader.outside_requests.clear()
    editor.assert_clean()
    reader.assert_clean()
