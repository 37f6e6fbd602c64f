"""Reads of incidents and drills, scoped to the acting person, with each incident's reporting
clocks worked out from its edition."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from shian.core.scoping import get_scoped_or_404, scope_for

from . import rules
from .models import Drill, FoodborneCase, Incident, IncidentStep


def incidents_for_user(user: Any) -> QuerySet[Incident]:
    return scope_for(user).apply(Incident.objects.all(), type_field="business__business_type")


def incident_get(user: Any, pk: Any) -> Incident:
    return get_scoped_or_404(
        Incident.objects.select_related("region", "business"), user, pk, type_field="business__business_type"
    )


def drills_for_user(user: Any) -> QuerySet[Drill]:
    scope = scope_for(user)
    if scope.nothing:
        return Drill.objects.none()
    if scope.everything:
        return Drill.objects.select_related("region")
    # A town's staff see their own drills and the district's.
    return Drill.objects.select_related("region").filter(
        region_id__in=sorted(scope.region_codes | {"120113"})
    )


def cases_for_user(user: Any) -> QuerySet[FoodborneCase]:
    return scope_for(user).apply(
        FoodborneCase.objects.select_related("region"), type_field="business__business_type"
    )


@dataclass(frozen=True)
class ClockRow:
    code: str
    name: str
    article: str
    verified: bool
    due: dt.datetime
    sent: dt.datetime | None

    @property
    def late(self) -> bool:
        return self.sent is not None and self.sent > self.due


def incident_clocks(incident: Incident) -> list[ClockRow]:
    edition = rules.edition_in_force(incident.onset_at.date())
    sent: dict[str, dt.datetime] = {}
    for clock, at in incident.steps.filter(kind=IncidentStep.Kind.REPORT_SENT).values_list("clock", "at"):
        sent.setdefault(clock, at)
    return [
        ClockRow(
            c.code,
            c.name,
            c.article,
            c.verification == "V",
            rules.report_due(c, incident.known_at),
            sent.get(c.code),
        )
        for c in edition.clocks
    ]
