"""Production settings: the deploy check, security headers and the Content-Security-Policy."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from articles.roles import EDITORS

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    env.update(
        DJANGO_SECRET_KEY="x" * 30 + "production-like-secret-with-enough-length",
        DJANGO_ALLOWED_HOSTS="news.example",
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        **extra,
    )
    return env


def run_manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "choices",
    [
        {},
        {"DJANGO_HSTS_PRELOAD": "1"},
        {"DJANGO_HSTS_INCLUDE_SUBDOMAINS": "0"},
    ],
)
def test_check_deploy_is_clean_in_production(choices):
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG", env=production_env(**choices))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def hsts_settings(**choices):
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    )
    result = run_manage("shell", "--no-imports", "-c", code, env=production_env(**choices))
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_hsts_preload_is_an_explicit_choice():
    # Preloading is hard to undo (browsers ship the list): never on by default.
    assert hsts_settings() == ["31536000", "True", "False"]
    assert hsts_settings(DJANGO_HSTS_PRELOAD="1") == ["31536000", "True", "True"]
    assert hsts_settings(DJANGO_HSTS_INCLUDE_SUBDOMAINS="0") == ["31536000", "False", "False"]


def test_the_hsts_header_has_no_preload_by_default(client, db):
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_check_deploy_notices_a_weakened_setting():
    """The check above can fail: turn HSTS off and it complains."""
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(DJANGO_HSTS_SECONDS="0")
    )
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def csp(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/en/", "/no-such-section/"])
def test_public_pages_send_the_security_headers(client, db, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    policy = csp(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]  # no inline style on public pages either


def test_public_page_has_no_inline_script_without_the_nonce(client, make_article):
    article = make_article()
    for path in ("/", article.get_absolute_url()):
        response = client.get(path)
        html = response.content.decode()
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        for tag in re.findall(r"<script\b[^>]*>", html):
            if 'type="application/ld+json"' in tag:
                continue  # structured data is never executed: CSP does not apply
            assert "src=" in tag or (nonce and f'nonce="{nonce.group(1)}"' in tag), tag
        assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_cookies_are_secure_and_http_only(settings, client, django_user_model):
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    django_user_model.objects.create_superuser("boss", password="correct horse battery")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "boss", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    # A browser-session cookie: it ends with the browser, and in any case after a day's work.
    assert not cookie["max-age"] and not cookie["expires"]
    assert 0 < client.session.get_expiry_age() <= 8 * 3600
    assert client.session.get_expire_at_browser_close()


def test_https_redirect_and_hsts_behind_the_proxy(settings, client, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/").status_code == 301
    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_csrf_trusted_origins_come_from_the_environment():
    code = "from django.conf import settings; print(settings.CSRF_TRUSTED_ORIGINS)"
    env = production_env(
        DJANGO_CSRF_TRUSTED_ORIGINS="https://news.example, https://www.news.example"
    )
    result = run_manage("shell", "-c", code, env=env)
    assert "['https://news.example', 'https://www.news.example']" in result.stdout, result.stderr


def test_the_editor_import_map_carries_the_nonce_of_the_header(client, staff, news):
    client.force_login(staff(EDITORS))
    response = client.get(reverse("admin:articles_article_add"))
    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    importmap = re.search(r'<script type="importmap"[^>]*>', html).group(0)
    assert f'nonce="{nonce}"' in importmap
    # Every inline script of the admin page can run; none needs 'unsafe-inline'.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or f'nonce="{nonce}"' in tag, tag
    assert "'unsafe-inline'" not in csp(response)["script-src"]
    # The editor (Tiptap) injects a <style> element: inline styles only in the admin.
    assert csp(response)["style-src"] == ["'self'", "'unsafe-inline'"]
    # modeltranslation's tabs: jQuery UI from our own static files, not a CDN.
    assert "vendor/jquery-ui/jquery-ui.min.js" in html
    assert not re.search(r'src="https?://', html)


def test_html_ad_frame_has_its_own_sandboxed_policy(client, db):
    from ads.models import Ad

    ad = Ad.objects.create(
        name="Net", advertiser="Net", kind=Ad.Kind.HTML, html_code="<script>x()</script>"
    )
    response = client.get(reverse("ads:frame", args=[ad.pk]))
    assert response.status_code == 200
    assert response.content == b"<script>x()</script>"
    policy = response["Content-Security-Policy"]
    assert "sandbox allow-scripts allow-popups allow-popups-to-escape-sandbox" in policy
    assert "allow-same-origin" not in policy
    assert "frame-ancestors 'self'" in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    ad.is_active = False
    ad.save()
    assert client.get(reverse("ads:frame", args=[ad.pk])).status_code == 404


def test_csp_violation_reports_go_where_the_environment_says():
    code = (
        "from django.conf import settings; "
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES'].get('report-uri'))"
    )
    env = production_env(DJANGO_CSP_REPORT_URI="https://reports.news.example/csp")
    assert (
        run_manage("shell", "-c", code, env=env)
        .stdout.strip()
        .endswith("https://reports.news.example/csp")
    )
