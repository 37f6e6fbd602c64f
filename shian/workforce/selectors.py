"""Reads of the workforce module, scoped to the acting person."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from shian.core.indicators import Period
from shian.core.models import Coordinator, RegionLevel
from shian.core.scoping import regions_for, unit_records_for

from . import rules
from .models import GridCell, Inspector, TrainingRecord


@dataclass(frozen=True)
class TownStaffing:
    """Task 二十二 for one town: residents, coordinators needed (1 per 10,000), in post, grid."""

    code: str
    name: str
    population: int
    needed: int
    in_post: int
    cells: int
    cell_population: int

    @property
    def short(self) -> int:
        return max(0, self.needed - self.in_post)

    @property
    def per_10k(self) -> Decimal | None:
        return None if not self.population else Decimal(self.in_post) / Decimal(self.population) * 10000


def coordinator_staffing(*, user: Any, on: dt.date) -> list[TownStaffing]:
    """Per town in the person's scope: full-time coordinators in post on a date against the
    register's resident population (core.Region.population)."""
    towns = regions_for(user).exclude(level=RegionLevel.DISTRICT).order_by("code")
    active = Q(coordinators__full_time=True, coordinators__since__lte=on) & (
        Q(coordinators__until__isnull=True) | Q(coordinators__until__gte=on)
    )
    in_post = dict(towns.annotate(n=Count("coordinators", filter=active)).values_list("code", "n"))
    cells = {
        r["region_id"]: (r["n"], r["p"] or 0)
        for r in GridCell.objects.filter(region__in=towns)
        .values("region_id")
        .annotate(n=Count("id"), p=Sum("population"))
    }
    return [
        TownStaffing(
            code=t.code,
            name=t.name,
            population=t.population,
            needed=rules.coordinators_needed(t.population, on=on),
            in_post=in_post.get(t.code, 0),
            cells=cells.get(t.code, (0, 0))[0],
            cell_population=cells.get(t.code, (0, 0))[1],
        )
        for t in towns
    ]


def coordinators_for_user(user: Any) -> Any:
    return unit_records_for(Coordinator.objects.select_related("region"), user)


@dataclass(frozen=True)
class InspectorHours:
    inspector: Inspector
    hours: Decimal
    required: Decimal
    certificate_valid: bool

    @property
    def met(self) -> bool:
        return self.hours >= self.required


def inspector_hours(*, user: Any, period: Period) -> list[InspectorHours]:
    inspectors = unit_records_for(Inspector.objects.select_related("region"), user).filter(active=True)
    hours = dict(
        TrainingRecord.objects.filter(
            inspector__in=inspectors, completed_on__gte=period.start, completed_on__lte=period.end
        )
        .values("inspector_id")
        .annotate(h=Sum("hours"))
        .values_list("inspector_id", "h")
    )
    need = rules.training_hours_required(period.end)
    rows = [
        InspectorHours(
            i, hours.get(i.pk) or Decimal(0), need, rules.certificate_valid(i.cert_valid_until, on=period.end)
        )
        for i in inspectors.order_by("region", "name")
    ]
    rows.sort(key=lambda r: (r.met, r.hours))
    return rows


def certificates_expiring(*, user: Any, today: dt.date, days: int = 60) -> int:
    return (
        unit_records_for(Inspector.objects.all(), user)
        .filter(active=True, cert_valid_until__lte=today + dt.timedelta(days=days))
        .count()
    )
