"""Reads of incidents and drills, scoped to the acting person, with each incident's reporting
clocks worked out from its edition."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from shian.core.scoping import get_scoped_or_404, scope_for

from . import rules
from .models import Drill, FoodborneCase, Incident, IncidentStep, MonitoringResult


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


def case_list_for_user(
    *,
    user: Any,
    q: str = "",
    region: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
    linked: str = "",
) -> QuerySet[FoodborneCase]:
    """Case reports the user sees, newest onset first, filtered by text (report number, hospital,
    suspected food, place), town, onset dates and whether an incident was linked ("yes"/"no")."""
    qs = cases_for_user(user).select_related("incident", "business")
    if q:
        qs = qs.filter(
            Q(report_no__icontains=q)
            | Q(hospital__icontains=q)
            | Q(suspected_food__icontains=q)
            | Q(place__icontains=q)
        )
    if region:
        qs = qs.filter(region_id=region)
    if start:
        qs = qs.filter(onset_on__gte=start)
    if end:
        qs = qs.filter(onset_on__lte=end)
    if linked == "yes":
        qs = qs.filter(incident__isnull=False)
    elif linked == "no":
        qs = qs.filter(incident__isnull=True)
    return qs.order_by("-onset_on", "-id")


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


def suspected_clusters(user: Any, *, since: dt.date) -> list[tuple[str, dt.date, int]]:
    """Clusters among the case reports in scope since `since` not yet linked to an incident: a place
    is the registered business, else the place name as written."""
    rows = cases_for_user(user).filter(onset_on__gte=since, incident__isnull=True)
    keyed = [
        (f"#{b}" if b else p.strip(), d) for b, p, d in rows.values_list("business_id", "place", "onset_on")
    ]
    return rules.clusters(keyed)


def monitoring_results_for_user(user: Any) -> QuerySet[MonitoringResult]:
    return scope_for(user).apply(MonitoringResult.objects.select_related("task", "region"))
