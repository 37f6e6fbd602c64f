"""Edits made in the admin site are audited like any other write."""

from __future__ import annotations

import pytest
from django.test import Client

from shian.core.audit import audit_verify
from shian.core.models import AuditEntry, Region

pytestmark = pytest.mark.django_db


def test_population_edit_in_admin_is_audited(personas):
    admin_user = personas("district_admin")
    admin_user.is_staff = True
    admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")
    region = Region.objects.get(pk="120113001")
    response = client.post(
        f"/admin/core/region/{region.pk}/change/",
        {
            "code": region.code,
            "name": region.name,
            "level": region.level,
            "parent": region.parent_id,
            "population": 70123,
            "population_source": "镇街核实 2022-03",
            "population_is_estimate": "",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    entry = AuditEntry.objects.get(object_type="core.region", object_id="120113001")
    assert entry.before["population"] == 68000 and entry.after["population"] == 70123
    assert entry.actor_id == admin_user.pk
    assert audit_verify().ok


def test_register_is_read_only_in_admin(personas):
    admin_user = personas("district_admin")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/admin/registry/business/add/").status_code == 403
