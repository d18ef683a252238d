import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from articles.models import Article
from articles.roles import EDITORS, WRITERS


@pytest.fixture
def staff(django_user_model):
    def make(group_name):
        user = django_user_model.objects.create_user(group_name.lower(), is_staff=True)
        user.groups.add(Group.objects.get(name=group_name))
        return user

    return make


def article_form(news, **overrides):
    """What the admin's add/change form posts, both language tabs included."""
    data = {
        "title_ar": "خبر من المحرر",
        "title_en": "",
        "slug_ar": "",
        "slug_en": "",
        "summary_ar": "",
        "summary_en": "",
        "body_ar": "<p>نص الخبر.</p>",
        "body_en": "",
        "section": news.pk,
        "byline_ar": "",
        "byline_en": "",
        "dateline_ar": "",
        "dateline_en": "",
        "image_alt_ar": "",
        "image_alt_en": "",
        "image_caption_ar": "",
        "image_caption_en": "",
        "image_credit": "",
        "status": Article.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
    }
    data.update(overrides)
    return data


def test_roles_are_created_with_least_privilege(db):
    writers = Group.objects.get(name=WRITERS)
    editors = Group.objects.get(name=EDITORS)
    writer_codes = set(writers.permissions.values_list("codename", flat=True))
    assert "publish_article" not in writer_codes
    assert "delete_article" not in writer_codes
    assert {"add_article", "change_article"} <= writer_codes
    assert "publish_article" in editors.permissions.values_list("codename", flat=True)


def test_writer_saves_a_draft_through_the_admin(client, staff, news):
    client.force_login(staff(WRITERS))
    response = client.post(reverse("admin:articles_article_add"), article_form(news))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert article.slug_ar == "خبر-من-المحرر"


def test_writer_cannot_publish_with_a_crafted_post(client, staff, news):
    client.force_login(staff(WRITERS))
    response = client.post(
        reverse("admin:articles_article_add"),
        article_form(
            news,
            status=Article.Status.PUBLISHED,
            published_at_0="2026-01-01",
            published_at_1="10:00:00",
            is_featured="on",
        ),
    )
    # The status is not a form field (the workflow buttons change it): a forged one is
    # ignored, and so are the publishing fields a Writer may not set.
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert article.published_at is None and not article.is_featured


def test_writer_cannot_edit_a_published_article(client, staff, make_article, news):
    article = make_article(title_ar="خبر منشور")
    client.force_login(staff(WRITERS))
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = client.post(url, article_form(news, title_ar="تشويه", status="published"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title_ar == "خبر منشور"


def test_writer_cannot_use_the_bulk_publish_action(client, staff, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    client.force_login(staff(WRITERS))
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_editor_publishes_with_the_form_and_the_bulk_action(client, staff, make_article, news):
    client.force_login(staff(EDITORS))
    response = client.post(
        reverse("admin:articles_article_add"), article_form(news, is_breaking="on")
    )
    assert response.status_code == 302
    published = Article.objects.get()
    client.post(reverse("admin:articles_article_step", args=[published.pk, "publish"]))
    published.refresh_from_db()
    assert published.is_public and published.is_breaking

    draft = make_article(status=Article.Status.DRAFT)
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.is_public

    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "unpublish", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_admin_sanitises_the_body(client, staff, news):
    client.force_login(staff(EDITORS))
    client.post(
        reverse("admin:articles_article_add"),
        article_form(news, body_ar='<p>نص<script>alert(1)</script><img src=x onerror="x()"></p>'),
    )
    body = Article.objects.get().body_ar
    assert "<script" not in body and "onerror" not in body


def test_admin_pages_render_in_arabic_with_tabs_and_local_assets(admin_client, make_article):
    article = make_article()
    changelist = admin_client.get(reverse("admin:articles_article_changelist"))
    assert changelist.status_code == 200
    page = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl"' in content
    assert "vendor/jquery-ui/jquery-ui.min.js" in content
    assert "tabbed_translation_fields.js" in content
    assert "ajax.googleapis.com" not in content and "cdn" not in content.lower()
    assert "data-django-prose-editor" in content
    assert admin_client.get(reverse("admin:articles_article_add")).status_code == 200
