"""Workforce records as the units and towns enter them: through the one write path."""

from __future__ import annotations

from typing import Any

from shian.core.models import AuditSource, Department, Role
from shian.core.tests.factories import UserFactory
from shian.core.unitrecords import unit_record_save
from shian.workforce.kinds import KINDS

TOWN_A, TOWN_B = "120113001", "120113100"


def liaison(unit: str) -> Any:
    return UserFactory.create(
        username=f"{unit}_liaison", role=Role.DEPARTMENT_LIAISON, department=Department.objects.get(pk=unit)
    )


def save(slug: str, by: Any, /, instance: Any = None, **data: Any) -> Any:
    clean = {k: ("true" if v is True else "" if v is False else v) for k, v in data.items()}
    return unit_record_save(
        kind=KINDS.kinds[slug], by=by, source=AuditSource.WEB, data=clean, instance=instance
    )
