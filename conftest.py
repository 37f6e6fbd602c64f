"""Fixtures for every test: personas of the permission matrix and a logged-in client per persona."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from hypothesis import settings as hypothesis_settings

from shian.core.tests.factories import persona

# Property tests judge results, not speed: on a loaded CI machine a per-example deadline only makes
# them flaky (speed is measured by the benchmarks in bench/).
hypothesis_settings.register_profile("shian", deadline=None)
hypothesis_settings.load_profile("shian")


@pytest.fixture(autouse=True, scope="session")
def _test_settings():
    """Tests make many accounts: a fast hasher for them (production keeps PBKDF2's default). The
    test client speaks plain HTTP to the production settings (DEBUG is off by default): no
    redirect to HTTPS."""
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], SECURE_SSL_REDIRECT=False
    ):
        yield


@pytest.fixture
def personas(db):
    """persona name -> User, created lazily."""
    cache: dict = {}

    def get(name: str):
        if name not in cache:
            cache[name] = persona(name)
        return cache[name]

    return get


@pytest.fixture
def client_for(personas):
    """persona name -> Client logged in as that persona ("anonymous" -> a plain client)."""

    def make(name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(personas(name), backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make
