"""Reads of inspections, always scoped to the acting user; plus unscoped evidence reads for the
risk layer's batch jobs (grading, the plan), which run as the system."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.http import Http404

from shian.core.calendar import WorkingCalendar
from shian.core.models import User
from shian.core.permissions import ROLE_CAPABILITIES, Cap
from shian.core.scoping import scope_for

from .models import (
    Finding,
    FindingPhoto,
    Inspection,
    InspectionKind,
    InspectionResult,
    InspectionStatus,
    Rectification,
    RectificationStatus,
)


def inspection_queryset_for_user(*, user: Any) -> QuerySet[Inspection]:
    return scope_for(user).apply(
        Inspection.objects.all(), region_field="region_id", type_field="business__business_type"
    )


@dataclass(frozen=True)
class InspectionFilters:
    """The inspections list's filters (and its export's), parsed leniently from a query string: a
    bad value is ignored, never guessed."""

    start: dt.date | None = None
    end: dt.date | None = None
    region: str = ""
    inspector: int | None = None
    result: str = ""
    kind: str = ""
    status: str = ""
    business: int | None = None
    campaign: str = ""

    @classmethod
    def from_mapping(cls, data: Any) -> InspectionFilters:
        def day(key: str) -> dt.date | None:
            try:
                return dt.date.fromisoformat(str(data.get(key, "") or "").strip())
            except ValueError:
                return None

        def number(key: str) -> int | None:
            value = str(data.get(key, "") or "").strip()
            return int(value) if value.isdigit() and len(value) < 12 else None

        result, kind, status = (str(data.get(k, "") or "") for k in ("result", "kind", "status"))
        return cls(
            start=day("start"),
            end=day("end"),
            region=str(data.get("region", "") or "").strip()[:12],
            inspector=number("inspector"),
            result=result if result in InspectionResult.values else "",
            kind=kind if kind in InspectionKind.values else "",
            status=status if status in InspectionStatus.values else "",
            business=number("business"),
            campaign=str(data.get("campaign", "") or "").strip()[:40],
        )

    def as_query(self) -> dict[str, str]:
        q = {
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
            "region": self.region,
            "inspector": str(self.inspector or ""),
            "result": self.result,
            "kind": self.kind,
            "status": self.status,
            "business": str(self.business or ""),
            "campaign": self.campaign,
        }
        return {k: v for k, v in q.items() if v}


def inspection_list_for_user(
    *,
    user: Any,
    region: str = "",
    result: str = "",
    year: int | None = None,
    filters: InspectionFilters | None = None,
) -> QuerySet[Inspection]:
    qs = inspection_queryset_for_user(user=user)
    f = filters or InspectionFilters()
    region = f.region or region
    result = f.result or result
    if region:
        qs = qs.filter(region_id=region)
    if result:
        qs = qs.filter(result=result)
    if year:
        qs = qs.filter(inspected_on__year=year)
    if f.start:
        qs = qs.filter(inspected_on__gte=f.start)
    if f.end:
        qs = qs.filter(inspected_on__lte=f.end)
    if f.inspector:
        qs = qs.filter(inspectors=f.inspector)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.business:
        qs = qs.filter(business_id=f.business)
    if f.campaign:
        qs = qs.filter(campaign=f.campaign)
    return qs.select_related("business", "region").order_by("-inspected_on", "-id")


def inspectors_for_user(*, user: Any) -> QuerySet[User]:
    """People who record inspections in the user's towns (the inspections list's inspector filter)."""
    roles = [r for r, caps in ROLE_CAPABILITIES.items() if Cap.INSPECTION_RECORD in caps]
    scope = scope_for(user)
    qs = User.objects.filter(is_active=True, role__in=roles)
    if not scope.everything:
        towns = sorted(scope.region_codes)
        qs = qs.filter(Q(region__isnull=True) | Q(region__level="district") | Q(region_id__in=towns))
    return qs.order_by("full_name", "username")


def inspection_get_for_user(*, user: Any, pk: int | str) -> Inspection:
    try:
        return inspection_queryset_for_user(user=user).select_related("business", "region").get(pk=int(pk))
    except (Inspection.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def rectifications_late_for_user(*, user: Any, as_of: dt.date) -> QuerySet[Rectification]:
    qs = scope_for(user).apply(Rectification.objects.all(), region_field="region_id")
    return qs.filter(status=RectificationStatus.OPEN, due__lt=as_of).select_related(
        "finding__inspection__business"
    )


def finding_photo_get_for_user(*, user: Any, pk: int | str) -> FindingPhoto:
    """A photo the user may see: that of an inspection in their scope; any other is a 404."""
    qs = scope_for(user).apply(
        FindingPhoto.objects.all(),
        region_field="region_id",
        type_field="finding__inspection__business__business_type",
    )
    try:
        return qs.select_related("finding").get(pk=int(pk))
    except (FindingPhoto.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def rectification_queryset_for_user(*, user: Any) -> QuerySet[Rectification]:
    return scope_for(user).apply(
        Rectification.objects.all(),
        region_field="region_id",
        type_field="finding__inspection__business__business_type",
    )


@dataclass(frozen=True)
class RectificationFilters:
    """The follow-up page's filters, parsed leniently from a query string (a bad value is ignored)."""

    region: str = ""
    status: str = ""
    overdue: bool = False
    due_within: int | None = None  # working days from today

    @classmethod
    def from_mapping(cls, data: Any) -> RectificationFilters:
        status = data.get("status", "")
        try:
            within = int(data.get("due_within", "") or "")
        except ValueError:
            within = None
        return cls(
            region=str(data.get("region", "")).strip(),
            status=status if status in RectificationStatus.values else "",
            overdue=data.get("overdue", "") in ("1", "on", "true"),
            due_within=within if within is not None and 0 <= within <= 250 else None,
        )

    def as_query(self) -> dict[str, str]:
        q = {"region": self.region, "status": self.status, "overdue": "1" if self.overdue else ""}
        q["due_within"] = "" if self.due_within is None else str(self.due_within)
        return {k: v for k, v in q.items() if v}


def rectification_list_for_user(
    *,
    user: Any,
    filters: RectificationFilters,
    today: dt.date,
    calendar: WorkingCalendar | None = None,
) -> QuerySet[Rectification]:
    """Rectification orders in the user's scope, the late ones first (then by due date)."""
    qs = rectification_queryset_for_user(user=user)
    if filters.region:
        qs = qs.filter(region_id=filters.region)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.overdue:
        qs = qs.filter(status=RectificationStatus.OPEN, due__lt=today)
    if filters.due_within is not None:
        limit = (calendar or WorkingCalendar()).deadline(today, filters.due_within).due
        qs = qs.filter(status=RectificationStatus.OPEN, due__gte=today, due__lte=limit)
    # Open orders first, the longest overdue at the top; then closed ones, the most recent first.
    is_open = Q(status=RectificationStatus.OPEN)
    return (
        qs.select_related("finding__inspection__business", "region", "follow_up")
        .annotate(open_first=Case(When(is_open, then=Value(0)), default=Value(1)))
        .order_by(
            "open_first",
            Case(When(is_open, then=F("due"))).asc(nulls_last=True),
            F("due").desc(),
            "id",
        )
    )


def rectification_overdue_count_for_user(*, user: Any, today: dt.date, region: str = "") -> int:
    qs = rectification_queryset_for_user(user=user).filter(status=RectificationStatus.OPEN, due__lt=today)
    if region:
        qs = qs.filter(region_id=region)
    return qs.count()


def rectification_get_for_user(*, user: Any, pk: int | str) -> Rectification:
    try:
        return (
            rectification_queryset_for_user(user=user)
            .select_related("finding__inspection__business", "region", "follow_up")
            .get(pk=int(pk))
        )
    except (Rectification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def inspectors_for_region(*, region_code: str) -> QuerySet[User]:
    """People who may record an inspection in a town: its own staff and the district's."""
    roles = [r for r, caps in ROLE_CAPABILITIES.items() if Cap.INSPECTION_RECORD in caps]
    return (
        User.objects.filter(is_active=True, role__in=roles)
        .filter(Q(region__isnull=True) | Q(region__level="district") | Q(region_id=region_code))
        .order_by("full_name", "username")
    )


# ---------------------------------------------------------------------------------------------
# Evidence for batch jobs (no user: the caller is a command or a service that checked permission).


def latest_full_checks(
    *, business_ids: list[int] | None = None, on: dt.date | None = None
) -> dict[int, tuple[dt.date, int, int]]:
    """business -> (date, key items failed, general items failed) of its latest submitted
    full-checklist inspection, in one scan ordered by date."""
    qs = Inspection.objects.filter(
        status=InspectionStatus.SUBMITTED, full_check=True, corrected_by__isnull=True
    )
    if on is not None:
        qs = qs.filter(inspected_on__lte=on)
    if business_ids is not None:
        qs = qs.filter(business_id__in=business_ids)
    out: dict[int, tuple[Any, int, int]] = {}
    for bid, day, kf, gf in _plain_rows(
        qs.order_by("inspected_on", "id").values_list(
            "business_id", "inspected_on", "key_failed", "general_failed"
        )
    ):
        out[bid] = (day, kf, gf)
    # Dates converted once per business kept, not once per row read.
    for bid, (day, kf, gf) in out.items():
        if type(day) is not dt.date:
            out[bid] = (dt.date.fromisoformat(day), kf, gf)
    return out


def _plain_rows(qs: QuerySet[Any]) -> Any:
    """The rows of a values_list() queryset of integer, text and date columns as the driver
    returns them (dates come as ISO text from SQLite): Django's converters, one call per value,
    cost more than the query when a city's 300,000 rows are read for the regrade."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        while chunk := cur.fetchmany(20_000):
            yield from chunk


def results_between(
    *, start: dt.date, end: dt.date, business_ids: list[int] | None = None
) -> dict[int, list[str]]:
    """business -> results of its submitted inspections in [start, end]."""
    qs = Inspection.objects.filter(
        status=InspectionStatus.SUBMITTED,
        corrected_by__isnull=True,
        inspected_on__gte=start,
        inspected_on__lte=end,
    )
    if business_ids is not None:
        qs = qs.filter(business_id__in=business_ids)
    out: dict[int, list[str]] = defaultdict(list)
    for bid, res in qs.values_list("business_id", "result").iterator(chunk_size=20_000):
        out[bid].append(res)
    return dict(out)


def result_counts_between(
    *, start: dt.date, end: dt.date, business_ids: list[int] | None = None
) -> dict[int, tuple[int, int]]:
    """business -> (submitted inspections in [start, end], how many of them were not 符合),
    counted by the database: the regrade of a city needs the counts, not the 500,000 rows."""
    qs = Inspection.objects.filter(
        status=InspectionStatus.SUBMITTED,
        corrected_by__isnull=True,
        inspected_on__gte=start,
        inspected_on__lte=end,
    )
    if business_ids is not None:
        qs = qs.filter(business_id__in=business_ids)
    rows = (
        qs.order_by()
        .values("business_id")
        .annotate(n=Count("id"), failed=Count("id", filter=~Q(result="pass")))
        .values_list("business_id", "n", "failed")
    )
    return {bid: (n, failed) for bid, n, failed in _plain_rows(rows)}


def inspection_dates_between(*, start: dt.date, end: dt.date) -> dict[int, list[dt.date]]:
    """business -> dates of its submitted inspections in [start, end] (the plan's "done")."""
    qs = Inspection.objects.filter(
        status=InspectionStatus.SUBMITTED,
        corrected_by__isnull=True,
        inspected_on__gte=start,
        inspected_on__lte=end,
    )
    out: dict[int, list[dt.date]] = defaultdict(list)
    for bid, day in qs.values_list("business_id", "inspected_on").iterator(chunk_size=20_000):
        out[bid].append(day)
    return dict(out)


def inspection_outcomes_until(*, end: dt.date) -> list[tuple[int, int, dt.date, str, str, int, int, bool]]:
    """(id, business, date, kind, result, key items failed, general items failed, full checklist) of
    every submitted, uncorrected inspection up to `end`, oldest first (the targeting model's history)."""
    qs = Inspection.objects.filter(
        status=InspectionStatus.SUBMITTED, corrected_by__isnull=True, inspected_on__lte=end
    )
    return list(
        qs.order_by("inspected_on", "id")
        .values_list(
            "id",
            "business_id",
            "inspected_on",
            "kind",
            "result",
            "key_failed",
            "general_failed",
            "full_check",
        )
        .iterator(chunk_size=20_000)
    )


def drafts_for_user(*, user: Any) -> QuerySet[Inspection]:
    """Drafts in the user's scope that name the user among their inspectors (their own work)."""
    return (
        inspection_queryset_for_user(user=user)
        .filter(status=InspectionStatus.DRAFT, inspectors=user)
        .select_related("business", "region")
        .order_by("inspected_on", "id")
    )


def drafts_of_business_for_user(*, user: Any, business_id: int) -> QuerySet[Inspection]:
    """A business's open drafts the user may see, the newest first (to continue rather than start
    a second record of the same visit)."""
    return (
        inspection_queryset_for_user(user=user)
        .filter(status=InspectionStatus.DRAFT, business_id=business_id)
        .prefetch_related("inspectors")
        .order_by("-inspected_on", "-id")
    )


def rectifications_to_follow_for_user(*, user: Any) -> QuerySet[Rectification]:
    """Open rectification orders from inspections the user made (theirs to follow up)."""
    return rectification_queryset_for_user(user=user).filter(
        status=RectificationStatus.OPEN, finding__inspection__inspectors=user
    )


def business_inspection_summary_for_user(*, user: Any, business_id: int) -> tuple[int, Inspection | None]:
    """How many inspections of a business the user may see, and the latest submitted one."""
    qs = inspection_queryset_for_user(user=user).filter(business_id=business_id)
    latest = qs.filter(status=InspectionStatus.SUBMITTED).order_by("-inspected_on", "-id").first()
    return qs.count(), latest


# ---------------------------------------------------------------------------------------------
# The reports' core inspection results (shian.reports).


@dataclass(frozen=True)
class InspectionCounts:
    """A town's submitted inspections in a period (corrected ones count once, as corrected)."""

    region: str
    inspections: int
    businesses: int  # distinct businesses inspected: three visits to one business count once
    compliant: int  # 符合
    basic: int  # 基本符合
    failed: int  # 不符合
    findings: int  # problems found (checklist items not met)
    corrected_on_spot: int


@dataclass(frozen=True)
class RectificationCounts:
    """A town's rectification orders given in a period, as they stood on a date."""

    region: str
    ordered: int
    on_time: int  # rectified by the working-day due date
    late: int  # rectified after it
    overdue: int  # not rectified on the date, past the due date
    in_progress: int  # not rectified on the date, not yet due


def _submitted_between(user: Any, start: dt.date, end: dt.date) -> QuerySet[Inspection]:
    return inspection_queryset_for_user(user=user).filter(
        status=InspectionStatus.SUBMITTED,
        corrected_by__isnull=True,
        inspected_on__gte=start,
        inspected_on__lte=end,
    )


def inspection_counts_for_user(*, user: Any, start: dt.date, end: dt.date) -> list[InspectionCounts]:
    """Per town, the submitted inspections between `start` and `end`, the businesses they covered,
    their results and the problems found. Two queries."""
    qs = _submitted_between(user, start, end)
    rows = (
        qs.values("region_id")
        .annotate(
            n=Count("id"),
            businesses=Count("business_id", distinct=True),
            compliant=Count("id", filter=Q(result=InspectionResult.PASS)),
            basic=Count("id", filter=Q(result=InspectionResult.BASIC)),
            failed=Count("id", filter=Q(result=InspectionResult.FAIL)),
        )
        .order_by("region_id")
    )
    findings = {
        r["inspection__region_id"]: r
        for r in Finding.objects.filter(inspection__in=qs)
        .values("inspection__region_id")
        .annotate(n=Count("id"), spot=Count("id", filter=Q(corrected_on_spot=True)))
        .order_by()
    }
    out = []
    for r in rows:
        f = findings.get(r["region_id"], {"n": 0, "spot": 0})
        out.append(
            InspectionCounts(
                r["region_id"],
                r["n"],
                r["businesses"],
                r["compliant"],
                r["basic"],
                r["failed"],
                f["n"],
                f["spot"],
            )
        )
    return out


def inspected_business_count_for_user(*, user: Any, start: dt.date, end: dt.date) -> int:
    """Distinct businesses with a submitted inspection between `start` and `end`."""
    return _submitted_between(user, start, end).values("business_id").distinct().count()


def rectification_counts_for_user(
    *, user: Any, start: dt.date, end: dt.date, as_of: dt.date
) -> list[RectificationCounts]:
    """Per town, the rectification orders given between `start` and `end` against their due dates
    (set by the working-day calendar), as they stood on `as_of`. One query."""
    done = Q(closed_on__isnull=False, closed_on__lte=as_of)
    rows = (
        rectification_queryset_for_user(user=user)
        .filter(ordered_on__gte=start, ordered_on__lte=end)
        .values("region_id")
        .annotate(
            n=Count("id"),
            on_time=Count("id", filter=done & Q(closed_on__lte=F("due"))),
            late=Count("id", filter=done & Q(closed_on__gt=F("due"))),
            overdue=Count("id", filter=~done & Q(due__lt=as_of)),
        )
        .order_by("region_id")
    )
    return [
        RectificationCounts(
            r["region_id"],
            r["n"],
            r["on_time"],
            r["late"],
            r["overdue"],
            r["n"] - r["on_time"] - r["late"] - r["overdue"],
        )
        for r in rows
    ]
