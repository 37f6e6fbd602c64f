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


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {
        **os.environ,
        "SHIAN_DEBUG": "false",
        "SHIAN_SECRET_KEY": "",
        "SHIAN_ALLOWED_HOSTS": "x",
        "SHIAN_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "shian", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SHIAN_SECRET_KEY" in result.stderr


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
