"""The editorial desk in a browser: a story goes from a writer's draft through review,
a request for changes and a comparison of revisions to publication; a correction of the
live story stays invisible to readers until an editor publishes it; a revision is
restored and a deleted article recovered; a simultaneous edit is refused."""

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from reversion.models import Version

from articles.models import Article, Section
from articles.roles import EDITORS, WRITERS
from tests.e2e.test_editor import choose_in_autocomplete, type_in_editor

TITLE = "انقطاع المياه عن أحياء في شرق البصرة"
REVISED = "انقطاع المياه عن ثلاثة أحياء في شرق البصرة"
CORRECTED = "انقطاع المياه عن أربعة أحياء في شرق البصرة"
BODY = "أعلنت مديرية ماء البصرة انقطاع المياه لساعات بسبب أعمال صيانة."
NOTE = "كم عدد الأحياء؟ اذكره في العنوان."


def button(page, name):
    return page.get_by_role("button", name=name, exact=True)


def test_a_story_through_the_desk(site, session_factory, make_staff):
    make_staff("writer", WRITERS)
    make_staff("editor", EDITORS)
    section = Section.objects.get(slug="news")
    writers = session_factory(site.url, "desktop")
    editors = session_factory(site.url, "desktop")
    readers = session_factory(site.url, "phone")
    writer = writers.log_in("writer")
    editor = editors.log_in("editor")
    reader = readers.new_page()

    # The writer drafts and sends it for review.
    writer.goto(writers.url("/admin/articles/article/add/"))
    writer.locator("#id_title_ar").fill(TITLE)
    type_in_editor(writer, "body_ar", BODY)
    choose_in_autocomplete(writer, "section", section.name_ar)
    writer.locator("input[name=_continue]").first.click()
    writer.wait_for_url(re.compile(r"/admin/articles/article/\d+/change/"))
    article = Article.objects.get(title_ar=TITLE)
    change = writers.url(f"/admin/articles/article/{article.pk}/change/")
    button(writer, "أرسل للمراجعة").click()
    expect(writer.locator(".messagelist")).to_contain_text("أُرسل للمراجعة")

    # The editor sees it on the desk and asks for changes, with a note.
    editor.goto(editors.url("/admin/"))
    expect(editor.locator("#desk-review")).to_contain_text(TITLE)
    editor.locator("#desk-review a", has_text=TITLE).click()
    editor.locator("#desk-note").fill(NOTE)
    button(editor, "اطلب تعديلات").click()
    expect(editor.locator(".messagelist")).to_contain_text("طُلبت التعديلات")

    # The writer reads the note, revises and sends it again.
    writer.goto(change)
    expect(writer.locator(".desk-notes")).to_contain_text(NOTE)
    writer.locator("#id_title_ar").fill(REVISED)
    writer.locator("input[name=_continue]").first.click()
    expect(writer.locator(".messagelist .success")).to_be_visible()
    button(writer, "أرسل للمراجعة").click()
    expect(writer.locator(".messagelist")).to_contain_text("أُرسل للمراجعة")

    # The editor compares the writer's two revisions, then publishes.
    editor.goto(editors.url(f"/admin/articles/article/{article.pk}/history/"))
    rows = editor.locator("table.desk-revisions tbody tr")
    expect(rows).to_have_count(5)  # created, review, changes, revised, review
    editor.locator("input[name=from]").nth(3).check()  # the first draft
    editor.locator("input[name=to]").nth(1).check()  # the revised one
    button(editor, "قارن").click()
    expect(editor.locator(".desk-diff ins", has_text="ثلاثة")).to_be_visible()
    assert "<p>" not in editor.locator("#content-main").inner_text()
    editor.goto(editors.url(f"/admin/articles/article/{article.pk}/change/"))
    button(editor, "انشر").click()
    expect(editor.locator(".messagelist")).to_contain_text("نُشر")
    article.refresh_from_db()
    assert article.is_public
    url = site.url + article.get_absolute_url()
    reader.goto(url)
    expect(reader.locator("main h1")).to_have_text(REVISED)

    # The writer corrects the live story: readers keep the published text...
    writer.goto(change)
    expect(writer.locator(".desk-hint").first).to_be_visible()
    writer.locator("#id_title_ar").fill(CORRECTED)
    writer.locator("input[name=_continue]").first.click()
    expect(writer.locator(".messagelist")).to_contain_text("أُرسل تصحيحك")
    reader.goto(url)
    expect(reader.locator("main h1")).to_have_text(REVISED)
    # ...until an editor publishes the correction.
    editor.goto(editors.url(f"/admin/articles/article/{article.pk}/change/"))
    expect(editor.locator(".desk-correction ins", has_text="أربعة")).to_be_visible()
    button(editor, "انشر التصحيح").click()
    expect(editor.locator(".messagelist")).to_contain_text("نُشر التصحيح")
    reader.goto(url)
    expect(reader.locator("main h1")).to_have_text(CORRECTED)

    # A simultaneous edit: two tabs open the same story; the second save is refused.
    second = editors.new_page()
    second.goto(editors.url(f"/admin/articles/article/{article.pk}/change/"))
    editor.goto(editors.url(f"/admin/articles/article/{article.pk}/change/"))
    editor.locator("#id_title_ar").fill(CORRECTED + " اليوم")
    editor.locator("input[name=_continue]").first.click()
    expect(editor.locator(".messagelist .success")).to_be_visible()
    second.locator("#id_title_ar").fill("عنوان من نافذة قديمة")
    second.locator("input[name=_continue]").first.click()
    expect(second.locator(".errornote, .errorlist").first).to_be_visible()
    expect(second.get_by_role("link", name="قارن نسختهم بنسختك")).to_be_visible()
    article.refresh_from_db()
    assert article.title_ar == CORRECTED + " اليوم"

    # A restore: the revised headline comes back, as a new revision.
    revised = next(
        version
        for version in Version.objects.get_for_object(article)
        if version.field_dict["title_ar"] == REVISED
    )
    editor.goto(editors.url(f"/admin/articles/article/{article.pk}/history/"))
    editor.locator(f'button[form="restore-{revised.pk}"]').click()
    expect(editor.locator(".messagelist")).to_contain_text("استُعيدت النسخة")
    article.refresh_from_db()
    assert article.title_ar == REVISED

    # A deletion, recovered as a draft.
    editor.goto(editors.url(f"/admin/articles/article/{article.pk}/delete/"))
    editor.locator("input[type=submit]").click()
    editor.wait_for_url(re.compile(r"/admin/articles/article/$"))
    assert not Article.objects.filter(pk=article.pk).exists()
    editor.get_by_role("link", name="استعادة المقالات المحذوفة").click()
    editor.locator("tr", has_text=REVISED).get_by_role("button").click()
    expect(editor.locator(".messagelist")).to_contain_text("استُعيد المقال")
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT

    writers.assert_clean()
    editors.assert_clean()
    readers.assert_clean()


def test_unsaved_text_warns_on_leaving_and_is_kept_in_the_browser(
    site, session_factory, make_staff
):
    make_staff("writer", WRITERS)
    writers = session_factory(site.url, "desktop")
    page = writers.log_in("writer")
    page.goto(writers.url("/admin/articles/article/add/"))
    page.locator("#id_title_ar").fill(TITLE)
    warnings = []

    def stay(dialog):
        warnings.append(dialog.type)
        dialog.dismiss()  # "stay on this page"

    page.once("dialog", stay)
    with pytest.raises(PlaywrightError, match="ERR_ABORTED"):  # the writer stayed
        page.goto(writers.url("/admin/"))
    assert warnings == ["beforeunload"]
    assert page.locator("#id_title_ar").input_value() == TITLE

    # Leaving anyway (or a crash): the text comes back from this browser on request.
    page.once("dialog", lambda dialog: dialog.accept())
    page.goto(writers.url("/admin/articles/article/add/"))
    page.get_by_role("button", name="استعِد النص غير المحفوظ").click()
    assert page.locator("#id_title_ar").input_value() == TITLE
    writers.assert_clean()
