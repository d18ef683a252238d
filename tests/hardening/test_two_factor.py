"""Optional two-factor login (django-otp TOTP): required once a person has set it up."""

import pytest
from django.contrib import admin
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from newsroom.admin import NewsroomAdminSite
from newsroom.roles import ADMINISTRATORS

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "a long correct passphrase"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)


@pytest.fixture
def device(editor):
    return TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):0{device.digits}d}"  # noqa: E501


def login(client, **extra):
    return client.post(LOGIN, {"username": "editor", "password": PASSWORD, **extra})


def test_the_admin_is_the_two_factor_site():
    assert isinstance(admin.site, NewsroomAdminSite)


def test_without_a_device_the_password_is_enough(client, editor):
    assert login(client).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_with_a_device_the_password_alone_is_refused(client, device):
    response = login(client)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get("/admin/").status_code == 302  # back to the login page


def test_with_a_device_a_wrong_code_is_refused(client, device):
    wrong = f"{(int(current_code(device)) + 1) % 10**6:06d}"
    assert login(client, otp_device=device.persistent_id, otp_token=wrong).status_code == 200


def test_with_a_device_the_current_code_lets_in(client, device):
    response = login(client, otp_device=device.persistent_id, otp_token=current_code(device))
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_session_without_the_second_factor_is_not_enough(client, editor, device):
    client.force_login(editor)  # a session from before the device, or a stolen password
    assert client.get("/admin/").status_code == 302


def test_administrators_set_up_devices_for_others(client, staff, editor):
    client.force_login(staff(ADMINISTRATORS, username="chief"))
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 200
    response = client.post(
        "/admin/otp_totp/totpdevice/add/",
        {
            "user": editor.pk,
            "name": "phone",
            "confirmed": "on",
            "key": "3132333435363738393031323334353637383930",
            "step": 30,
            "t0": 0,
            "digits": 6,
            "tolerance": 1,
            "drift": 0,
            "throttling_failure_count": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    device = TOTPDevice.objects.get(user=editor)
    qrcode = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/")
    assert qrcode.status_code == 200 and qrcode["Content-Type"].startswith("image/svg")


def test_an_editor_cannot_set_up_devices(client, staff):
    from articles.roles import EDITORS

    client.force_login(staff(EDITORS))
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 403
