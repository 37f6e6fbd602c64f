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
def _test_settings(tmp_path_factory):
    """Tests make many accounts: a fast hasher for them (production keeps PBKDF2's default). The
    test client speaks plain HTTP to the production settings (DEBUG is off by default): no
    redirect to HTTPS. Background jobs run in the request, their files in a temporary directory."""
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SECURE_SSL_REDIRECT=False,
        SHIAN_JOBS_RUNNER="inline",
        SHIAN_JOBS_DIR=tmp_path_factory.mktemp("jobs"),
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


# Tests whose outcome does not depend on the database run once, on SQLite: a real browser
# (`browser`) exercises pages and scripts, and the 100,000-row import (`slow`) the importer's
# parsing and checking — the PostgreSQL write path (COPY) is covered by the smaller imports, which
# run on both. Mark a test `both_databases` as well to keep it on PostgreSQL too.
SQLITE_ONLY_MARKERS = ("browser", "slow")


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "sqlite" in engine:
        return
    skip = pytest.mark.skip(reason="database-independent: runs on SQLite only (conftest.SQLITE_ONLY_MARKERS)")
    for item in items:
        if any(item.get_closest_marker(m) for m in SQLITE_ONLY_MARKERS) and not item.get_closest_marker(
            "both_databases"
        ):
            item.add_marker(skip)
