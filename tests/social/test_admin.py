import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from social.models import SocialLink


@pytest.fixture
def editor(db):
    user = get_user_model().objects.create_user("editor", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.mark.django_db
def test_changelist_shows_icons_and_edits_order_in_place(client, editor, legacy_links):
    client.force_login(editor)
    url = reverse("admin:social_sociallink_changelist")
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg class="social-icon"') == len(legacy_links)
    assert 'name="form-0-order"' in html and 'name="form-0-is_active"' in html
    links = list(SocialLink.objects.all())
    data = {
        "form-TOTAL_FORMS": str(len(links)),
        "form-INITIAL_FORMS": str(len(links)),
        "_save": "Save",
    }
    for index, link in enumerate(links):
        data[f"form-{index}-id"] = str(link.pk)
        data[f"form-{index}-placement"] = link.placement
        data[f"form-{index}-order"] = str(100 - index)
        if link.network != "x":
            data[f"form-{index}-is_active"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302
    assert [link.network for link in SocialLink.objects.active()] == [
        "telegram", "youtube", "facebook", "rss",
    ]  # fmt: skip


@pytest.mark.django_db
def test_add_form_refuses_a_link_to_another_network(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:social_sociallink_add"),
        {
            "network": "telegram",
            "url": "https://www.facebook.com/newsroom.example",
            "label_ar": "",
            "label_en": "",
            "placement": "both",
            "order": "1",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"]
    assert not SocialLink.objects.exists()
