"""Reads of inspections, always scoped to the acting user; plus unscoped evidence reads for the
risk layer's batch jobs (grading, the plan), which run as the system."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from shian.core.scoping import scope_for

from .models import Inspection, InspectionStatus, Rectification, RectificationStatus


def inspection_queryset_for_user(*, user: Any) -> QuerySet[Inspection]:
    return scope_for(user).apply(
        Inspection.objects.all(), region_field="region_id", type_field="business__business_type"
    )


def inspection_list_for_user(
    *, user: Any, region: str = "", result: str = "", year: int | None = None
) -> QuerySet[Inspection]:
    qs = inspection_queryset_for_user(user=user)
    if region:
        qs = qs.filter(region_id=region)
    if result:
        qs = qs.filter(result=result)
    if year:
        qs = qs.filter(inspected_on__year=year)
    return qs.select_related("business", "region").order_by("-inspected_on", "-id")


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
    out: dict[int, tuple[dt.date, int, int]] = {}
    for bid, day, kf, gf in (
        qs.order_by("inspected_on", "id")
        .values_list("business_id", "inspected_on", "key_failed", "general_failed")
        .iterator(chunk_size=20_000)
    ):
        out[bid] = (day, kf, gf)
    return out


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
