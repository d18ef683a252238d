"""The editorial desk: publication dates, revisions, the workflow, ownership, pending
corrections, the desk page and optimistic locking (articles/desk.py, articles/services.py)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import reversion
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import services
from articles.models import Article, Author, EditorialNote, PendingCorrection, Section, Transition
from articles.roles import EDITORS, WRITERS
from tests.articles.test_admin import article_form, staff  # noqa: F401 (fixture)

ARCHIVE_TIME = datetime(2015, 3, 4, 9, 30, tzinfo=UTC)


@pytest.fixture
def editor(staff):  # noqa: F811
    return staff(EDITORS)


@pytest.fixture
def writer(staff):  # noqa: F811
    return staff(WRITERS)


@pytest.fixture
def other_writer(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("other", is_staff=True)
    user.groups.add(Group.objects.get(name=WRITERS))
    return user


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def step_url(article, step):
    return reverse("admin:articles_article_step", args=[article.pk, step])


def changelist_action(client, action, *articles):
    return client.post(
        reverse("admin:articles_article_changelist"),
        {"action": action, "_selected_action": [a.pk for a in articles]},
    )


def edit_form(article, **overrides):
    """The change form as the browser posts it, opened at the article's current version."""
    data = article_form(article.section, title_ar=article.title_ar, body_ar=article.body_ar)
    data.update({"lock_version": article.version, **overrides})
    return data


# 1. Dates -----------------------------------------------------------------------------------


def test_publishing_an_imported_item_keeps_its_date_and_records_who(client, editor, make_article):
    archive = make_article(status=Article.Status.REVIEW, published_at=ARCHIVE_TIME)
    client.force_login(editor)
    changelist_action(client, "publish", archive)
    archive.refresh_from_db()
    assert archive.is_public
    assert archive.published_at == ARCHIVE_TIME
    assert archive.first_published_at == ARCHIVE_TIME
    step = Transition.objects.get(article=archive, from_status="review")
    assert (step.user, step.to_status) == (editor, "published")


def test_publish_now_is_the_editors_choice(client, editor, make_article):
    archive = make_article(status=Article.Status.DRAFT, published_at=ARCHIVE_TIME)
    client.force_login(editor)
    before = timezone.now()
    changelist_action(client, "publish_now", archive)
    archive.refresh_from_db()
    assert archive.published_at >= before
    assert Transition.objects.get(article=archive, to_status="published").user == editor


def test_republishing_never_moves_the_first_publication(client, editor, make_article):
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)
    client.post(step_url(article, "publish"))
    article.refresh_from_db()
    first = article.first_published_at
    assert first is not None and first == article.published_at
    client.post(step_url(article, "unpublish"))
    client.post(step_url(article, "publish"), {"desk_now": "on"})
    article.refresh_from_db()
    assert article.is_public and article.first_published_at == first
    assert article.published_at > first
    trail = Transition.objects.filter(article=article).order_by("created_at", "pk")
    assert [step.to_status for step in trail] == ["published", "draft", "published"]
    assert {step.user for step in trail} == {editor}


def test_a_scheduled_article_is_labelled_and_filtered(client, editor, make_article):
    scheduled = make_article(title_ar="خبر الغد", published_at=timezone.now() + timedelta(days=1))
    make_article(title_ar="خبر اليوم")
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert 'desk-badge--scheduled">مجدول<' in page
    filtered = client.get(reverse("admin:articles_article_changelist"), {"state": "scheduled"})
    assert list(filtered.context["cl"].result_list) == [scheduled]


def test_the_list_shows_authors_and_the_sites_dates(client, editor, make_article):
    author = Author.objects.create(slug="layla", name_ar="ليلى حسن", name_en="Layla")
    make_article(author=author, published_at=datetime(2026, 12, 8, 10, 0, tzinfo=UTC))
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "ليلى حسن" in page
    assert "8 كانون الأول 2026" in page and "ديسمبر" not in page


# 2. Revisions -------------------------------------------------------------------------------


def test_every_admin_save_is_a_revision_with_who(client, writer, news):
    client.force_login(writer)
    client.post(reverse("admin:articles_article_add"), article_form(news))
    article = Article.objects.get()
    response = client.post(change_url(article), edit_form(article, title_ar="عنوان جديد للخبر"))
    assert response.status_code == 302
    versions = Version.objects.get_for_object(article)
    assert versions.count() == 2
    assert {v.revision.user for v in versions} == {writer}
    assert "العنوان (العربية)" in versions.first().revision.comment


def test_service_writes_are_revisions_with_user_and_comment(editor, make_article):
    article = make_article(status=Article.Status.DRAFT)
    services.publish_article(article=article, user=editor)
    version = Version.objects.get_for_object(article).get()
    assert version.revision.user == editor
    assert version.revision.comment == "مسودة ← منشور"


def test_history_lists_revisions_with_arabic_field_names(client, editor, make_article):
    article = make_article(status=Article.Status.DRAFT, title_ar="العنوان الأول")
    client.force_login(editor)
    client.post(change_url(article), edit_form(article))
    article.refresh_from_db()
    client.post(change_url(article), edit_form(article, title_ar="العنوان الثاني"))
    page = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "العنوان (العربية)" in html
    assert "Headline [ar]" not in html and "Headline" not in html


def saved_twice(client, article, **second):
    client.post(change_url(article), edit_form(article))
    article.refresh_from_db()
    client.post(change_url(article), edit_form(article, **second))
    article.refresh_from_db()
    newer, older = Version.objects.get_for_object(article)[:2]
    return older, newer


def test_compare_shows_a_readable_diff_per_language(client, editor, make_article):
    article = make_article(
        status=Article.Status.DRAFT, body_ar="<p>وصل الوفد إلى <strong>البصرة</strong> صباحا.</p>"
    )
    client.force_login(editor)
    older, newer = saved_twice(
        client,
        article,
        body_ar="<p>وصل الوفد إلى <strong>البصرة</strong> مساء.</p>",
        title_en="The delegation arrives",
        body_en="<p>The delegation reached Basra.</p>",
    )
    url = reverse("admin:articles_article_compare", args=[article.pk])
    page = client.get(url, {"from": older.pk, "to": newer.pk}).content.decode()
    assert "<del>صباحا.</del>" in page and "<ins>مساء.</ins>" in page
    assert "&lt;p&gt;" not in page and "&lt;strong&gt;" not in page
    assert '<td lang="en" dir="ltr"><ins>The delegation reached Basra.</ins> </td>' in page
    assert "النص (الإنجليزية)" in page


def test_restore_is_a_new_revision(client, editor, make_article):
    article = make_article(status=Article.Status.DRAFT, title_ar="النسخة الأولى")
    client.force_login(editor)
    older, _newer = saved_twice(client, article, title_ar="النسخة الثانية")
    response = client.post(reverse("admin:articles_article_restore", args=[article.pk, older.pk]))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title_ar == "النسخة الأولى"
    assert Version.objects.get_for_object(article).count() == 3
    newest = Version.objects.get_for_object(article).first().revision
    assert newest.user == editor and newest.comment.startswith("استُعيدت نسخة")


def test_a_revision_whose_section_is_gone_is_not_restored(client, editor, make_article, news):
    gone = Section.objects.create(slug="gone", name_ar="قسم محذوف")
    article = make_article(status=Article.Status.DRAFT, section=gone, title_ar="في القسم القديم")
    client.force_login(editor)
    client.post(change_url(article), edit_form(article))
    old = Version.objects.get_for_object(article).get()
    article.refresh_from_db()
    client.post(change_url(article), edit_form(article, section=news.pk, title_ar="نقل"))
    gone.delete()
    response = client.post(
        reverse("admin:articles_article_restore", args=[article.pk, old.pk]), follow=True
    )
    assert "قسمها لم يعد موجودا" in response.content.decode()
    article.refresh_from_db()
    assert article.title_ar == "نقل" and article.section == news


def test_a_deleted_article_is_recovered_as_a_draft(client, editor, make_article):
    article = make_article(title_ar="خبر حذف خطأ")  # saved before any revision
    pk = article.pk
    client.force_login(editor)
    client.post(reverse("admin:articles_article_delete", args=[pk]), {"post": "yes"})
    assert not Article.objects.filter(pk=pk).exists()
    listing = client.get(reverse("admin:articles_article_recover_list")).content.decode()
    assert "خبر حذف خطأ" in listing
    version = Version.objects.get_deleted(Article).get()
    client.post(reverse("admin:articles_article_recover", args=[version.pk]))
    recovered = Article.objects.get(pk=pk)
    assert recovered.title_ar == "خبر حذف خطأ" and recovered.status == Article.Status.DRAFT


def test_writers_cannot_restore_or_recover_what_is_not_theirs(
    client, editor, other_writer, make_article
):
    article = make_article(status=Article.Status.DRAFT, title_ar="مسودة زميل")
    client.force_login(editor)
    older, _newer = saved_twice(client, article, title_ar="تعديل المحرر")
    client.force_login(other_writer)
    url = reverse("admin:articles_article_restore", args=[article.pk, older.pk])
    assert client.post(url).status_code == 403
    compare = reverse("admin:articles_article_compare", args=[article.pk])
    assert client.get(compare, {"from": older.pk, "to": _newer.pk}).status_code == 403
    history = reverse("admin:articles_article_history", args=[article.pk])
    assert client.get(history).status_code == 403
    assert client.get(reverse("admin:articles_article_recover_list")).status_code == 403
    article.refresh_from_db()
    assert article.title_ar == "تعديل المحرر"


# 3. Workflow --------------------------------------------------------------------------------


def test_the_review_cycle_with_a_note(client, writer, editor, news):
    client.force_login(writer)
    client.post(reverse("admin:articles_article_add"), article_form(news))
    article = Article.objects.get()
    client.post(step_url(article, "review"))
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW

    client.force_login(editor)
    refused = client.post(step_url(article, "changes"), {"desk_note": " "}, follow=True)
    assert "الملاحظة مطلوبة" in refused.content.decode()
    client.post(step_url(article, "changes"), {"desk_note": "أضف مصدرا للرقم"})
    article.refresh_from_db()
    assert article.status == Article.Status.CHANGES

    client.force_login(writer)
    form = client.get(change_url(article)).content.decode()
    assert "أضف مصدرا للرقم" in form
    assert client.post(step_url(article, "publish")).status_code == 403
    client.post(step_url(article, "review"))
    steps = Transition.objects.filter(article=article).order_by("created_at", "pk")
    assert [(s.from_status, s.to_status, s.user) for s in steps] == [
        ("draft", "review", writer),
        ("review", "changes", editor),
        ("changes", "review", writer),
    ]
    assert EditorialNote.objects.get(article=article).author == editor


def test_forged_workflow_posts_are_refused(client, writer, make_article):
    review = make_article(status=Article.Status.REVIEW)
    live = make_article()
    audited = Transition.objects.count()
    client.force_login(writer)
    for article, step in [(review, "publish"), (review, "changes"), (live, "unpublish")]:
        assert client.post(step_url(article, step)).status_code == 403
    assert client.get(step_url(live, "unpublish")).status_code == 403
    review.refresh_from_db()
    live.refresh_from_db()
    assert review.status == Article.Status.REVIEW and live.is_public
    assert Transition.objects.count() == audited


def test_schedule_needs_a_future_time(client, editor, make_article):
    article = make_article(status=Article.Status.REVIEW)
    client.force_login(editor)
    response = client.post(step_url(article, "schedule"), {"desk_when": "2001-01-01T10:00"})
    article.refresh_from_db()
    assert response.status_code == 302 and article.status == Article.Status.REVIEW
    when = timezone.localtime() + timedelta(days=2)
    client.post(step_url(article, "schedule"), {"desk_when": when.strftime("%Y-%m-%dT%H:%M")})
    article.refresh_from_db()
    assert article.is_scheduled
    step = Transition.objects.get(article=article, to_status="published")
    assert step.published_at == article.published_at


def test_notes_are_never_public(client, editor, make_article):
    article = make_article()
    EditorialNote.objects.create(article=article, author=editor, text="ملاحظة داخلية سرية")
    assert "ملاحظة داخلية سرية" not in client.get(article.get_absolute_url()).content.decode()


def test_bulk_unpublish_leaves_audit_entries(client, editor, make_article):
    one, two = make_article(), make_article()
    client.force_login(editor)
    changelist_action(client, "unpublish", one, two)
    assert Transition.objects.filter(user=editor, to_status="draft").count() == 2


# 4. Ownership and corrections ---------------------------------------------------------------


def test_a_writer_edits_only_their_own_drafts(client, writer, other_writer, news):
    client.force_login(writer)
    client.post(reverse("admin:articles_article_add"), article_form(news))
    article = Article.objects.get()
    client.force_login(other_writer)
    response = client.post(change_url(article), edit_form(article, title_ar="تعديل غريب"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title_ar != "تعديل غريب"


def test_a_writers_correction_stays_pending_until_an_editor_publishes_it(
    client, writer, editor, make_article
):
    article = make_article(title_ar="العنوان المنشور", created_by=writer)
    client.force_login(writer)
    response = client.post(
        change_url(article),
        edit_form(article, title_ar="العنوان المصحح", correction_note_ar="صُحّح اسم المدينة"),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title_ar == "العنوان المنشور"
    reader = client.__class__()
    assert "العنوان المصحح" not in reader.get(article.get_absolute_url()).content.decode()
    assert PendingCorrection.objects.get(article=article).proposed_by == writer

    client.force_login(editor)
    form = client.get(change_url(article)).content.decode()
    assert "<ins>المصحح</ins>" in form
    client.post(reverse("admin:articles_article_correction", args=[article.pk, "publish"]))
    article.refresh_from_db()
    assert article.title_ar == "العنوان المصحح" and article.corrected_at is not None
    assert not PendingCorrection.objects.exists()
    assert Transition.objects.filter(article=article).latest("pk").via == "correction"


def test_an_older_correction_never_undoes_a_later_edit(client, writer, editor, make_article):
    article = make_article(title_ar="العنوان الأول", body_ar="<p>نص فيه خطأ</p>", created_by=writer)
    client.force_login(writer)
    client.post(change_url(article), edit_form(article, body_ar="<p>نص مصحح</p>"))
    proposal = PendingCorrection.objects.get(article=article)
    assert set(proposal.values) == {"body_ar"}  # what the writer changed, nothing else
    client.force_login(editor)
    article.refresh_from_db()
    client.post(change_url(article), edit_form(article, title_ar="عنوان المحرر"))
    response = client.post(
        reverse("admin:articles_article_correction", args=[article.pk, "publish"]), follow=True
    )
    article.refresh_from_db()
    assert article.title_ar == "عنوان المحرر" and "نص فيه خطأ" in article.body_ar
    assert PendingCorrection.objects.filter(article=article).exists()
    assert "بعد اقتراح هذا التصحيح" in response.content.decode()


def test_a_revision_naming_deleted_tags_and_sources_is_restored_without_them(
    client, editor, make_article
):
    from articles.models import Source, Tag

    tag = Tag.objects.create(slug="gone-tag", name_ar="وسم محذوف")
    kept = Tag.objects.create(slug="kept-tag", name_ar="وسم باق")
    source = Source.objects.create(name_ar="مصدر محذوف")
    article = make_article(status=Article.Status.DRAFT, title_ar="الأولى", source=source)
    client.force_login(editor)
    tags = [tag.pk, kept.pk]
    client.post(change_url(article), edit_form(article, tags=tags, source=source.pk))
    article.refresh_from_db()
    client.post(change_url(article), edit_form(article, tags=tags, title_ar="الثانية"))
    older = Version.objects.get_for_object(article)[1]
    assert sorted(older.field_dict["tags"]) == sorted(tags) and older.field_dict["source_id"]
    tag.delete()
    source.delete()
    response = client.post(reverse("admin:articles_article_restore", args=[article.pk, older.pk]))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title_ar == "الأولى" and article.source is None
    assert list(article.tags.all()) == [kept]


def test_a_restore_keeps_the_editors_placement(client, editor, make_article):
    article = make_article(status=Article.Status.DRAFT, title_ar="الأولى")
    client.force_login(editor)
    older, _newer = saved_twice(client, article, title_ar="الثانية")
    Article.objects.filter(pk=article.pk).update(is_featured=True, is_breaking=True)
    client.post(reverse("admin:articles_article_restore", args=[article.pk, older.pk]))
    article.refresh_from_db()
    assert article.title_ar == "الأولى" and article.is_featured and article.is_breaking


# 5. The desk page and query budgets ---------------------------------------------------------


def desk_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(100) as captured:
        page = client.get(reverse("admin:index"))
    assert page.status_code == 200
    return len(captured), page.content.decode()


def test_the_desk_shows_what_waits_for_whom(client, editor, writer, make_article):
    make_article(status=Article.Status.REVIEW, title_ar="ينتظر المراجعة")
    make_article(published_at=timezone.now() + timedelta(hours=3), title_ar="خبر مجدول")
    make_article(status=Article.Status.DRAFT, title_ar="مسودتي", created_by=editor)
    make_article(status=Article.Status.DRAFT, title_ar="مسودة غيري", created_by=writer)
    client.force_login(editor)
    page = client.get(reverse("admin:index")).content.decode()
    for text in ("بانتظار المراجعة", "ينتظر المراجعة", "خبر مجدول", "مسودتي"):
        assert text in page
    assert "مسودة غيري" not in page


def test_the_desk_costs_the_same_queries_for_one_or_many_articles(
    client, editor, make_article, django_assert_num_queries
):
    make_article(status=Article.Status.REVIEW)
    client.force_login(editor)
    client.get(reverse("admin:index"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("admin:index"))
    for status in ["review", "draft", "published", "changes"] * 5:
        make_article(status=status, created_by=editor)
    make_article(published_at=timezone.now() + timedelta(hours=1))
    with django_assert_num_queries(len(one)):
        page = client.get(reverse("admin:index"))
    assert page.content.decode().count('class="desk-count"') == 5


def test_the_change_form_has_a_query_budget(
    client, editor, make_article, tag, django_assert_num_queries
):
    article = make_article(tags=[tag])
    client.force_login(editor)
    services.unpublish_article(article=article, user=editor)
    EditorialNote.objects.create(article=article, author=editor, text="ملاحظة")
    client.get(change_url(article))
    with CaptureQueriesContext(connection) as few:
        client.get(change_url(article))
    assert len(few) <= 20
    for number in range(30):  # revisions, workflow entries and notes add no query
        services.publish_article(article=article, user=editor)
        services.unpublish_article(article=article, user=editor)
        EditorialNote.objects.create(article=article, author=editor, text=f"ملاحظة {number}")
    with django_assert_num_queries(len(few)):
        assert client.get(change_url(article)).status_code == 200


# 6. Conflicts -------------------------------------------------------------------------------


def test_a_stale_form_is_refused_with_a_link_to_compare(client, editor, writer, news):
    client.force_login(writer)
    client.post(reverse("admin:articles_article_add"), article_form(news))
    article = Article.objects.get()
    opened = article.version
    client.force_login(editor)
    client.post(change_url(article), edit_form(article, title_ar="تعديل المحرر الأول"))
    client.force_login(writer)
    stale = edit_form(article, title_ar="تعديل الكاتب المتأخر", lock_version=opened)
    response = client.post(change_url(article), stale)
    assert response.status_code == 200
    html = response.content.decode()
    assert "حفظ شخص آخر هذا الخبر" in html
    assert reverse("admin:articles_article_compare", args=[article.pk]) in html
    article.refresh_from_db()
    assert article.title_ar == "تعديل المحرر الأول"


def test_the_form_marks_each_languages_fields(client, editor, make_article):
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)
    html = client.get(change_url(article)).content.decode()
    assert 'name="summary_en"' in html
    summary_en = html[html.index('name="summary_en"') - 300 : html.index('name="summary_en"')]
    summary_en += html[html.index('name="summary_en"') : html.index('name="summary_en"') + 200]
    assert 'dir="ltr"' in summary_en and 'lang="en"' in summary_en
    title_ar = html[html.index('name="title_ar"') - 200 : html.index('name="title_ar"') + 200]
    assert 'dir="rtl"' in title_ar and 'lang="ar"' in title_ar


def test_a_read_only_body_is_rendered_html(client, other_writer, make_article):
    article = make_article(body_ar="<p>فقرة <strong>مهمة</strong></p>")
    client.force_login(other_writer)
    html = client.get(change_url(article)).content.decode()
    assert "<strong>مهمة</strong>" in html and "&lt;p&gt;" not in html


def test_a_published_correction_shows_its_note_and_time_to_readers(
    client, writer, editor, make_article
):
    article = make_article(title_ar="خبر عن السدود", created_by=writer)
    services.propose_correction(
        article=article,
        values={"title_ar": "خبر عن السدود المائية", "correction_note_ar": "صُحّح اسم السد"},
        user=writer,
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert "صُحّح اسم السد" not in page and "حُدّث:" not in page
    services.publish_correction(correction=article.pending_correction, user=editor)
    article.refresh_from_db()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "خبر عن السدود المائية" in page
    assert "صُحّح اسم السد" in page and "حُدّث:" in page
    modified = json.dumps(article.corrected_at, cls=DjangoJSONEncoder)
    assert f'"dateModified":{modified}' in page


def test_a_long_history_is_read_a_page_at_a_time(
    client, editor, make_article, django_assert_max_num_queries
):
    article = make_article(status=Article.Status.DRAFT, title_ar="خبر كثير التعديل")
    for number in range(60):
        article.title_ar = f"خبر كثير التعديل {number}"
        with reversion.create_revision():
            article.save()
    client.force_login(editor)
    url = reverse("admin:articles_article_history", args=[article.pk])
    with django_assert_max_num_queries(20):
        first = client.get(url)
    assert len(first.context["rows"]) == 50 and first.context["rows"][0]["number"] == 60
    older = client.get(url, {"page": 2})
    assert [row["number"] for row in older.context["rows"]] == list(range(10, 0, -1))
    assert older.context["rows"][0]["changed"] == ["العنوان (العربية)"]


def test_a_status_change_by_any_save_is_audited(make_article, editor):
    """Imports and commands write through Article.save: their status changes are audited
    too, with the user of the revision block when there is one."""
    article = make_article(status=Article.Status.REVIEW)
    created = Transition.objects.get()  # created for review: a step from nothing
    assert (created.from_status, created.to_status, created.user) == ("", "review", None)
    article = Article.objects.get(pk=article.pk)
    article.status = Article.Status.PUBLISHED
    with reversion.create_revision():
        reversion.set_user(editor)
        article.save()
    step = Transition.objects.get(to_status="published")
    assert (step.from_status, step.user, step.via) == ("review", editor, "save")
    article.title_ar = "عنوان آخر"
    article.save()  # no status change: no entry
    assert Transition.objects.count() == 2


def test_a_revision_whose_author_is_gone_is_not_restored(client, editor, make_article):
    author = Author.objects.create(slug="gone", name_ar="كاتب غادر")
    article = make_article(status=Article.Status.DRAFT, author=author, title_ar="بقلم كاتب")
    client.force_login(editor)
    client.post(change_url(article), edit_form(article, author=author.pk))
    old = Version.objects.get_for_object(article).get()
    author.delete()
    article.refresh_from_db()
    client.post(change_url(article), edit_form(article, title_ar="بلا كاتب"))
    response = client.post(
        reverse("admin:articles_article_restore", args=[article.pk, old.pk]), follow=True
    )
    assert "كاتبها لم يعد موجودا" in response.content.decode()
    article.refresh_from_db()
    assert article.title_ar == "بلا كاتب"


def test_a_writers_desk_shows_their_own_work(client, writer, other_writer, make_article):
    make_article(status=Article.Status.DRAFT, title_ar="مسودة الكاتب", created_by=writer)
    make_article(status=Article.Status.CHANGES, title_ar="يحتاج تعديلا", created_by=writer)
    make_article(status=Article.Status.REVIEW, title_ar="مراجعة زميل", created_by=other_writer)
    client.force_login(writer)
    page = client.get(reverse("admin:index")).content.decode()
    assert "مسودة الكاتب" in page and "يحتاج تعديلا" in page
    assert "مراجعة زميل" not in page
