"""Editors in the Arabic admin: write an article with its English translation in the
language tabs, upload a picture, preview the draft, publish it; a Writer cannot publish."""

import re

from django.core.files.base import ContentFile
from django.utils.translation import override
from playwright.sync_api import expect

from articles.models import Article, Section
from articles.roles import EDITORS, WRITERS
from articles.services import image_create
from tests.conftest import jpeg_bytes
from tests.e2e import checks

TITLE_AR = "افتتاح جسر جديد على شط العرب يربط ضفتي البصرة"
BODY_AR = "افتتحت محافظة البصرة اليوم جسراً جديداً يختصر الطريق بين الضفتين."
TITLE_EN = "A new bridge over the Shatt al-Arab joins the two banks of Basra"
BODY_EN = "Basra province opened a new bridge today, shortening the way between the banks."


def choose_in_autocomplete(page, field, text):
    """Pick `text` in one of the admin's autocomplete (select2) widgets."""
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def type_in_editor(page, field, text):
    """Type into the rich-text editor of `field` (a ProseMirror area, not the textarea)."""
    editor = page.locator(f".field-{field} .ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.type(text)


def open_tab(page, field):
    """Open a field's language tab (django-modeltranslation's jQuery UI tabs)."""
    page.locator(f'a.ui-tabs-anchor[href="#tab_id_{field}"]').click()
    panel = page.locator(f"#tab_id_{field}")
    panel.wait_for(state="visible")
    return panel


def test_editor_drafts_translates_previews_and_publishes(site, session_factory, make_staff):
    make_staff("editor", EDITORS)
    section = Section.objects.get(slug="news")
    # A picture of the media library (tests/e2e/test_media.py uploads one in the admin).
    image_create(
        file=ContentFile(jpeg_bytes(size=(800, 450), colour=(30, 90, 140)), name="bridge.jpg"),
        texts={"ar": {"alt": "جسر فوق النهر عند الغروب"}, "en": {"alt": "A bridge over the river"}},
    )

    editor = session_factory(site.url, "desktop")
    page = editor.log_in("editor")
    assert checks.page_facts(page)["dir"] == "rtl"
    assert checks.page_facts(page)["lang"] == "ar"

    page.goto(editor.url("/admin/articles/article/add/"))
    # The language tabs are drawn by jQuery UI, served from our own static files.
    assert page.locator(".ui-tabs-nav").first.is_visible()
    assert page.locator("#id_title_en").is_hidden()
    page.locator("#id_title_ar").fill(TITLE_AR)
    type_in_editor(page, "body_ar", BODY_AR)
    open_tab(page, "title_en").locator("#id_title_en").fill(TITLE_EN)
    assert page.locator("#id_title_ar").is_hidden()
    open_tab(page, "body_en")
    type_in_editor(page, "body_en", BODY_EN)
    choose_in_autocomplete(page, "section", section.name_ar)
    choose_in_autocomplete(page, "main_image", "جسر فوق النهر")
    assert page.locator("#id_status").count() == 0  # the workflow is buttons, not a drop-down
    page.locator("input[name=_continue]").first.click()
    page.wait_for_url(re.compile(r"/admin/articles/article/\d+/change/"))

    article = Article.objects.get(title_ar=TITLE_AR)
    assert article.status == Article.Status.DRAFT
    assert article.title_en == TITLE_EN
    assert BODY_AR in article.body_ar and BODY_EN in article.body_en
    assert article.section == section
    assert article.main_image and article.main_image.width == 800

    # Readers cannot see the draft...
    reader = session_factory(site.url, "phone")
    reader_page = reader.new_page()
    assert reader_page.goto(reader.url(article.get_absolute_url())).status == 404

    # ...the editor previews it, with its banner and picture.
    page.locator("a.viewsitelink").click()
    page.wait_for_url(re.compile(re.escape(article.get_absolute_url()) + "$"))
    assert page.locator(".preview-banner").is_visible()
    assert page.locator("main h1").inner_text().strip() == TITLE_AR
    picture_loaded = "img => img.complete && img.naturalWidth > 0"
    assert page.locator(".article-image img").evaluate(picture_loaded)

    # Publish it.
    page.go_back()
    page.get_by_role("button", name="انشر", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("نُشر")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.is_public

    # Readers see it on the home page of both editions, and follow it.
    reader_page.goto(reader.url("/"))
    reader_page.locator("main .teaser-title a", has_text=TITLE_AR).first.click()
    reader_page.wait_for_url(re.compile(re.escape(article.get_absolute_url()) + "$"))
    assert reader_page.locator(".preview-banner").count() == 0
    assert BODY_AR in reader_page.locator(".article-body").inner_text()
    checks.audit_page(reader_page, language="ar")
    reader_page.goto(reader.url("/en/"))
    reader_page.locator("main .teaser-title a", has_text=TITLE_EN).first.click()
    with override("en"):
        reader_page.wait_for_url(re.compile(re.escape(article.get_absolute_url()) + "$"))
    checks.audit_page(reader_page, language="en")

    editor.assert_clean()
    reader.assert_clean()


def test_writer_cannot_publish(site, session_factory, make_staff):
    make_staff("writer", WRITERS)
    published = Article.objects.public().first()
    writer = session_factory(site.url, "desktop")
    page = writer.log_in("writer")

    page.goto(writer.url("/admin/articles/article/add/"))
    assert page.locator("#id_status").count() == 0

    # Even a hand-made "published" status is ignored by the server: a draft is saved,
    # and the draft offers "send for review", never "publish".
    page.locator("#id_title_ar").fill(TITLE_AR)
    type_in_editor(page, "body_ar", BODY_AR)
    choose_in_autocomplete(page, "section", published.section.name_ar)
    page.locator("#article_form").evaluate(
        "form => form.insertAdjacentHTML('beforeend', "
        "'<input type=hidden name=status value=published>')"
    )
    page.locator("input[name=_continue]").first.click()
    page.wait_for_url(re.compile(r"/admin/articles/article/\d+/change/"))
    assert Article.objects.get(title_ar=TITLE_AR).status == Article.Status.DRAFT
    expect(page.get_by_role("button", name="أرسل للمراجعة")).to_be_visible()
    assert page.get_by_role("button", name="انشر", exact=True).count() == 0

    # A published article is read-only for a Writer.
    page.goto(writer.url(f"/admin/articles/article/{published.pk}/change/"))
    assert page.locator("input[name=_save]").count() == 0
    assert page.locator("#id_title_ar").count() == 0
    writer.assert_clean()
