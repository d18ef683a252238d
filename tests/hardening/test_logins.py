"""Admin logins: brute force is locked out per user name and address, per address, and (only
under a real attack) per user name; strong passwords."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core import mail
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
    assert attempt(client, "editor", PASSWORD).status_code == 429
    # The editor, at the office, is not locked out by someone guessing from elsewhere.
    assert attempt(client, "editor", PASSWORD, ip="198.51.100.9").status_code == 302


def test_failures_from_many_addresses_do_not_lock_the_account_out(client, editor):
    for number in range(5):
        assert attempt(client, "editor", "guess", ip=f"198.51.100.{number}").status_code == 200
    assert attempt(client, "editor", PASSWORD, ip="203.0.113.200").status_code == 302


def test_a_login_forgives_only_its_own_address_mistakes(client, editor, settings):
    settings.NEWSROOM_LOGIN_FAILURE_LIMITS = {
        **settings.NEWSROOM_LOGIN_FAILURE_LIMITS,
        ("username",): 9,
    }
    for number in range(7):
        attempt(client, "editor", "guess", ip=f"198.51.100.{number}")
    attempt(client, "editor", "guess", ip="203.0.113.7")
    # The editor logs in from the office: the attack from elsewhere is not forgotten...
    attempt(client, "editor", PASSWORD, ip="203.0.113.7")
    client.logout()
    assert AccessAttempt.objects.filter(username="editor").count() == 7
    # ...so two more guesses from elsewhere reach the per-user limit.
    attempt(client, "editor", "guess", ip="192.0.2.98")
    attempt(client, "editor", "guess", ip="192.0.2.99")
    assert attempt(client, "editor", PASSWORD, ip="203.0.113.7").status_code == 429


def test_a_real_attack_on_one_account_locks_it_and_tells_the_administrators(
    client, editor, settings
):
    settings.ADMINS = [("Ops", "ops@news.example")]
    limit = settings.NEWSROOM_LOGIN_FAILURE_LIMITS[("username",)]
    assert limit >= 30  # far more than anyone mistypes in an hour
    for number in range(limit - 1):
        attempt(client, "editor", "guess", ip=f"10.{number // 250}.{number % 250}.1")
    assert not mail.outbox
    assert attempt(client, "editor", PASSWORD, ip="203.0.113.1").status_code == 302
    client.logout()
    # A successful login did not clear the attempts from elsewhere: two more trip the limit.
    attempt(client, "editor", "guess", ip="10.200.0.1")
    attempt(client, "editor", "guess", ip="10.200.0.2")
    assert attempt(client, "editor", PASSWORD, ip="203.0.113.2").status_code == 429
    attempt(client, "editor", "guess", ip="10.200.0.3")
    assert len(mail.outbox) == 1  # one notice per lock, not one per attempt
    notice = mail.outbox[0]
    assert notice.to == ["ops@news.example"]
    assert "editor" in notice.subject
    assert "Access attempts" in notice.body


def test_lockout_message_is_in_the_admin_language(client, editor):
    for _ in range(5):
        locked = attempt(client, "editor", "guess")
    html = locked.content.decode()
    assert 'lang="ar"' in html and 'dir="rtl"' in html


def test_address_is_locked_across_user_names(client, editor, django_user_model, settings):
    django_user_model.objects.create_user("other", password=PASSWORD, is_staff=True)
    limit = settings.NEWSROOM_LOGIN_FAILURE_LIMITS[("ip_address",)]
    for number in range(limit):
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
    settings.NEWSROOM_PROXY_COUNT = 1
    for _ in range(5):
        # The attacker forges the first hop; our proxy appends the real address.
        attempt(
            client, "editor", "guess", ip="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.99"
        )
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


def test_behind_a_cdn_and_a_load_balancer_each_reader_is_their_own_address(
    client, editor, settings
):
    # The CDN appends the reader's address, the load balancer the CDN edge's.
    settings.NEWSROOM_PROXY_COUNT = 2
    for _ in range(5):
        attempt(
            client,
            "editor",
            "guess",
            ip="10.0.0.2",
            HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.66, 192.0.2.10",
        )
    edge = {"ip": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.66, 192.0.2.10"}
    assert attempt(client, "editor", PASSWORD, **edge).status_code == 429
    # Another reader through the same CDN edge and load balancer is not locked out.
    other = {"ip": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.5, 192.0.2.10"}
    assert attempt(client, "editor", PASSWORD, **other).status_code == 302


def test_a_cdn_header_names_the_reader(client, editor, settings):
    settings.NEWSROOM_CLIENT_IP_HEADER = "CF-Connecting-IP"
    for _ in range(5):
        attempt(client, "editor", "guess", ip="10.0.0.3", HTTP_CF_CONNECTING_IP="203.0.113.77")
    locked = attempt(
        client, "editor", PASSWORD, ip="10.0.0.3", HTTP_CF_CONNECTING_IP="203.0.113.77"
    )
    assert locked.status_code == 429
    fine = attempt(client, "editor", PASSWORD, ip="10.0.0.3", HTTP_CF_CONNECTING_IP="198.51.100.6")
    assert fine.status_code == 302
