"""What a newcomer meets: `make run` writes a development `.env` that every `manage.py`
command reads (and production never does), prints the demo accounts last and framed, and
the designed error pages can be seen in development."""

import importlib
import os
import re
import shutil
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import clear_url_caches

from newsroom.settings import read_development_env

ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT = "# written by make run\nDJANGO_DEBUG=1\nDJANGO_SECRET_KEY=from-the-file\n"


@pytest.fixture
def env_file(tmp_path):
    path = tmp_path / ".env"
    path.write_text(DEVELOPMENT)
    return path


def test_the_development_env_is_read_when_nothing_is_configured(env_file):
    environ = {"PATH": "/usr/bin"}
    read_development_env(environ, env_file)
    assert environ == {
        "PATH": "/usr/bin",
        "DJANGO_DEBUG": "1",
        "DJANGO_SECRET_KEY": "from-the-file",
    }


@pytest.mark.parametrize(
    "configured",
    [{"DJANGO_DEBUG": "0"}, {"DJANGO_DEBUG": "1"}, {"DJANGO_SECRET_KEY": "production"}],
)
def test_a_configured_environment_never_reads_the_development_env(env_file, configured):
    environ = dict(configured)
    read_development_env(environ, env_file)
    assert environ == configured


def test_a_file_that_does_not_turn_debug_on_is_not_read(env_file):
    env_file.write_text("DJANGO_SECRET_KEY=from-the-file\n")
    environ = {}
    read_development_env(environ, env_file)
    assert environ == {}


def test_production_settings_ignore_the_env_file_when_debug_is_off(tmp_path):
    """DJANGO_DEBUG=0 with a .env beside the code: still refused without a secret key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NEWSROOM_"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, "DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_writes_a_private_env_file_with_a_new_secret_each_time(tmp_path):
    secrets = []
    for name in ("one", "two"):
        path = tmp_path / name / ".env"
        path.parent.mkdir()
        subprocess.run(
            ["make", "-s", f"ENV_FILE={path}", str(path)], cwd=ROOT, check=True, timeout=60
        )
        values = dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
        assert values["DJANGO_DEBUG"] == "1"
        assert len(values["DJANGO_SECRET_KEY"]) >= 50
        assert len(values["NEWSROOM_DEMO_PASSWORD"]) >= 16
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        secrets.append(values["DJANGO_SECRET_KEY"])
    assert secrets[0] != secrets[1]
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False, timeout=30
    )
    assert ignored.returncode == 0


def framed_block(output):
    """The framed lines at the end of `output` (nothing may follow the frame)."""
    lines = re.sub(r"\x1b\[[0-9;]*m", "", output).rstrip("\n").splitlines()
    assert re.fullmatch(r"\+-+\+", lines[-1]), "the frame is not the last thing printed"
    start = max(i for i, line in enumerate(lines[:-1]) if line == lines[-1])
    block = lines[start + 1 : -1]
    assert all(line.startswith("| ") and line.endswith(" |") for line in block)
    return "\n".join(block)


def test_loaddemo_prints_the_accounts_last_framed_and_again_later(db, settings):
    settings.NEWSROOM_DEMO_PASSWORD = "a-demo-password-1"
    first = StringIO()
    call_command("loaddemo", stdout=first)
    block = framed_block(first.getvalue())
    assert "admin" in block and "editor" in block and "writer" in block
    assert "a-demo-password-1" in block

    again = StringIO()
    call_command("loaddemo", stdout=again)
    assert "a-demo-password-1" in framed_block(again.getvalue())

    admin = get_user_model().objects.get(username="admin")
    admin.set_password("changed by its owner, long enough")
    admin.save()
    changed = StringIO()
    call_command("loaddemo", stdout=changed)
    block = framed_block(changed.getvalue())
    assert "a-demo-password-1" not in block
    assert "manage.py changepassword admin" in block


@pytest.fixture
def development_urls(settings):
    import newsroom.urls

    settings.DEBUG = True
    importlib.reload(newsroom.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(newsroom.urls)
    clear_url_caches()


def test_the_designed_error_pages_can_be_seen_in_development(development_urls, client, db):
    not_found = client.get("/errors/404/")
    assert not_found.status_code == 404
    assert "<main" in not_found.content.decode()
    assert "Traceback" not in not_found.content.decode()
    server_error = client.get("/errors/500/")
    assert server_error.status_code == 500
    assert "Traceback" not in server_error.content.decode()
