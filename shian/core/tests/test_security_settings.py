"""Production settings pass Django's deployment checklist; login is throttled."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from shian.core.tests.factories import PASSWORD


def test_check_deploy_passes_for_a_production_config(tmp_path):
    env = {
        **os.environ,
        "SHIAN_DEBUG": "false",
        "SHIAN_SECRET_KEY": "x" * 20 + "production-secret-key-from-the-environment-0123456789",
        "SHIAN_ALLOWED_HOSTS": "shian.example.gov.cn",
        "SHIAN_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "shian", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _run(args: list[str], tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {
        **os.environ,
        "SHIAN_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    full.pop("SHIAN_DEBUG", None)
    full.update(env)
    return subprocess.run(  # noqa: S603 - this interpreter, the test's own arguments
        [sys.executable, "-m", "shian", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_debug_is_off_unless_asked_for(tmp_path):
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    env = {k: v for k, v in os.environ.items() if k != "SHIAN_DEBUG"}
    env.update(SHIAN_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="shian.settings")
    out = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "False"
    env["SHIAN_DEBUG"] = "true"
    out = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "True"


def test_without_a_key_a_random_one_is_kept_in_the_data_folder(tmp_path):
    result = _run(["check"], tmp_path, SHIAN_SECRET_KEY="")
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / "secret_key"
    assert len(key_file.read_text().strip()) >= 50 and oct(key_file.stat().st_mode)[-3:] == "600"


@pytest.mark.parametrize("key", ["x", "changeme", "ab" * 40, "django-insecure-" + "k9#" * 20])
def test_check_deploy_fails_on_a_short_or_well_known_key(key, tmp_path):
    result = _run(
        ["check", "--deploy"], tmp_path, SHIAN_SECRET_KEY=key, SHIAN_ALLOWED_HOSTS="shian.example.gov.cn"
    )
    assert result.returncode != 0
    assert "shian.E001" in result.stderr


@pytest.mark.django_db
def test_login_is_locked_after_repeated_failures(personas):
    user = personas("district_officer")
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": user.username, "password": "wrong-password"})
    # The right password no longer opens the account for this address.
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another account from the same address is unaffected (lockout is per account and address).
    other = personas("viewer")
    response = Client().post(reverse("login"), {"username": other.username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_one_address_trying_many_usernames_is_stopped(personas, settings):
    settings.SHIAN_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    user = personas("district_officer")
    client = Client()
    for n in range(6):  # one wrong password on each of six accounts: no account reaches its limit
        client.post(reverse("login"), {"username": f"guess{n}", "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_error_pages_are_chinese_and_list_no_urls(client_for):
    r = client_for("district_officer").get("/no-such-page/")
    body = r.content.decode()
    assert r.status_code == 404 and "页面不存在" in body
    assert "URLconf" not in body and "Django tried these URL patterns" not in body
