"""The four roles, through the admin: each can do its job and nothing more."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from ads.models import Ad, Placement
from ads.roles import AD_MANAGERS
from articles.models import Article
from articles.roles import EDITORS, WRITERS
from newsroom.roles import ADMINISTRATORS
from tests.ads.conftest import png
from tests.ads.test_admin import form_data as ad_form
from tests.articles.test_admin import article_form

ROLES = [WRITERS, EDITORS, AD_MANAGERS, ADMINISTRATORS]


@pytest.fixture
def as_role(client, staff):
    def login(role):
        client.force_login(staff(role))
        return client

    return login


@pytest.fixture
def slot(db):
    return Placement.objects.create(key="sidebar-1", name="Side", width=300, height=250)


def html_ad_form(slot):
    return ad_form(slot, kind="html", html_code="<p>network tag</p>", image_alt_ar="")


def test_the_four_groups_exist_after_migrate(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)


def test_writer_cannot_publish(as_role, news):
    client = as_role(WRITERS)
    data = article_form(news, status=Article.Status.PUBLISHED)
    response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302  # saved, as a draft: the status is not a form field
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    step = reverse("admin:articles_article_step", args=[article.pk, "publish"])
    assert client.post(step).status_code == 403
    data = {"action": "publish", "_selected_action": [article.pk]}
    client.post(reverse("admin:articles_article_changelist"), data)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_writer_cannot_see_or_edit_ads(as_role, slot):
    client = as_role(WRITERS)
    assert client.get("/admin/ads/ad/").status_code == 403
    assert client.post("/admin/ads/ad/add/", {**ad_form(slot), "image": png()}).status_code == 403
    assert not Ad.objects.exists()


def test_ad_manager_cannot_edit_articles(as_role, make_article, news):
    client = as_role(AD_MANAGERS)
    article = make_article(status=Article.Status.DRAFT)
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 403
    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form(news, title_ar="عنوان مزوّر"),
    )
    assert response.status_code == 403
    assert client.post(reverse("admin:articles_article_add"), article_form(news)).status_code == 403
    article.refresh_from_db()
    assert article.title_ar != "عنوان مزوّر"


def test_ad_manager_adds_image_ads_but_not_html_ads(as_role, slot):
    client = as_role(AD_MANAGERS)
    response = client.post("/admin/ads/ad/add/", {**ad_form(slot), "image": png()})
    assert response.status_code == 302
    response = client.post("/admin/ads/ad/add/", html_ad_form(slot))
    assert response.status_code == 200
    assert list(Ad.objects.values_list("kind", flat=True)) == [Ad.Kind.IMAGE]


@pytest.mark.parametrize("role", [WRITERS, EDITORS, AD_MANAGERS])
def test_only_administrators_add_html_ads(as_role, slot, role):
    response = as_role(role).post("/admin/ads/ad/add/", html_ad_form(slot))
    assert response.status_code in (200, 403)
    assert not Ad.objects.exists()


def test_administrator_adds_an_html_ad(as_role, slot):
    response = as_role(ADMINISTRATORS).post("/admin/ads/ad/add/", html_ad_form(slot))
    assert response.status_code == 302
    assert Ad.objects.get().kind == Ad.Kind.HTML


def test_administrator_publishes_and_manages_people(as_role, news, django_user_model):
    client = as_role(ADMINISTRATORS)
    assert client.post(reverse("admin:articles_article_add"), article_form(news)).status_code == 302
    article = Article.objects.get()
    client.post(reverse("admin:articles_article_step", args=[article.pk, "publish"]))
    assert Article.objects.get().status == Article.Status.PUBLISHED
    assert client.get("/admin/auth/user/").status_code == 200
    assert client.get("/admin/axes/accessattempt/").status_code == 200


@pytest.mark.parametrize("role", [WRITERS, EDITORS, AD_MANAGERS])
def test_other_roles_cannot_manage_people_or_logins(as_role, role):
    client = as_role(role)
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403
    assert client.get("/admin/axes/accessattempt/").status_code == 403
