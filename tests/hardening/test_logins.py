"""Admin logins: brute force is locked out per user name and per address; strong passwords."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "a long correct passphrase"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)


def attempt(client, username, password, ip="203.0.113.7", **headers):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **headers
    )


def test_right_password_logs_in(client, editor):
    assert attempt(client, "editor", PASSWORD).status_code == 302


def test_user_is_locked_after_five_failures_even_with_the_right_password(client, editor):
    for _ in range(4):
        assert attempt(client, "editor", "guess").status_code == 200
    locked = attempt(client, "editor", "guess", HTTP_ACCEPT_LANGUAGE="en")
    assert locked.status_code == 429
    assert "محاولات دخول فاشلة كثيرة" in locked.content.decode()
    assert "اطلب من أحد المسؤولين رفع الإيقاف" in locked.content.decode()
    # Now even the right password from a new address is refused for this user name.
    assert attempt(client, "editor", PASSWORD, ip="198.51.100.9").status_code == 429


def test_lockout_message_is_in_the_admin_language(client, editor):
    for _ in range(5):
        locked = attempt(client, "editor", "guess")
    html = locked.content.decode()
    assert 'lang="ar"' in html and 'dir="rtl"' in html


def test_address_is_locked_across_user_names(client, editor, django_user_model):
    django_user_model.objects.create_user("other", password=PASSWORD, is_staff=True)
    for number in range(5):
        attempt(client, f"someone{number}", "guess", ip="192.0.2.50")
    assert attempt(client, "other", PASSWORD, ip="192.0.2.50").status_code == 429
    # Another address is not affected.
    assert attempt(client, "other", PASSWORD, ip="192.0.2.51").status_code == 302


def test_a_superuser_unlocks_through_the_admin(client, editor, django_user_model):
    for _ in range(5):
        attempt(client, "editor", "guess")
    assert attempt(client, "editor", PASSWORD).status_code == 429
    boss = django_user_model.objects.create_superuser("boss", password=PASSWORD)
    admin = type(client)()
    admin.force_login(boss)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "editor" in listing.content.decode()
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert attempt(client, "editor", PASSWORD).status_code == 302


def test_an_editor_cannot_see_or_clear_the_lockouts(client, editor):
    client.force_login(editor)
    assert client.get("/admin/axes/accessattempt/").status_code == 403


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(client, editor, settings):
    settings.BEHIND_TLS_PROXY = True
    for _ in range(5):
        # The attacker forges the first hop; our proxy appends the real address.
        attempt(client, "x", "guess", ip="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.99")
    blocked = attempt(
        client, "editor", PASSWORD, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.99"
    )
    assert blocked.status_code == 429
    # Other readers behind the same proxy are not locked out with the attacker.
    fine = attempt(client, "editor", PASSWORD, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert fine.status_code == 302


@pytest.mark.parametrize(
    "password", ["short1", "password123456", "12345678901234", "editor-editor"]
)
def test_weak_passwords_are_refused(password, django_user_model):
    user = django_user_model(username="editor-editor", email="editor@news.example")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_passphrase_is_accepted(django_user_model):
    validate_password("tigris palm ledger 1958", django_user_model(username="editor"))
