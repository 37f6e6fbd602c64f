"""Property-based fuzzing of the whole API from its OpenAPI document (schemathesis): every
operation, with generated parameters and bodies, answers anything but a server error.

Bounded for CI: a fixed number of examples per operation, derandomized (the same examples on every
run, so the test is never flaky), no deadline per example. Calls go through the WSGI application
in the test's own transaction, as the district officer (the widest scope: the deepest paths)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from shian.core.tokens import api_token_create
from shian.registry.tests.factories import make_business

EXAMPLES = 12  # per operation and method: about 500 requests in all, a few minutes

# Loaded at collection, before the test settings apply: plain HTTP to the host schemathesis names.
with override_settings(ALLOWED_HOSTS=["localhost"], SECURE_SSL_REDIRECT=False):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI handler closes the database connection at each request's end; on PostgreSQL that
    would end the test's own transaction. Django's test client disconnects the same handlers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth(personas, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    make_business(name="果园新村甲餐厅", region_code="120113001", business_type="catering")
    _, key = api_token_create(user=personas("district_officer"), name="fuzz")
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_server_error(case, auth):
    case.call_and_validate(headers=auth, checks=[not_a_server_error])
