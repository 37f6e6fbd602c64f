"""Jurisdiction and calendar endpoints."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from .calendar import WorkingCalendar
from .models import Department
from .scoping import regions_for

router = Router(tags=["jurisdiction"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    population: int
    population_is_estimate: bool


class DepartmentOut(Schema):
    code: str
    name: str
    short_name: str


class DeadlineOut(Schema):
    start: dt.date
    working_days: int
    due: dt.date
    provisional: bool


@router.get("/regions", response=list[RegionOut])
def region_list(request: HttpRequest) -> list[RegionOut]:
    return [
        RegionOut(
            code=r.code,
            name=r.name,
            level=r.level,
            parent_code=r.parent_id,
            population=r.population,
            population_is_estimate=r.population_is_estimate,
        )
        for r in regions_for(request.user)
    ]


@router.get("/departments", response=list[DepartmentOut])
def department_list(request: HttpRequest) -> list[Department]:
    return list(Department.objects.all())


@router.get("/deadline", response=DeadlineOut)
def deadline(
    request: HttpRequest, start: dt.date, working_days: int = Query(..., ge=0, le=366)
) -> DeadlineOut:
    """The date a period of `working_days` Chinese working days starting on `start` ends."""
    d = WorkingCalendar().deadline(start, working_days)
    return DeadlineOut(start=d.start, working_days=d.working_days, due=d.due, provisional=d.provisional)
