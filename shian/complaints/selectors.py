"""Reads of complaints and reports, always scoped to the acting person, and the public tracking
look-up (status only). Identity is masked here for everyone but the handling officer, so pages, the
API and exports get the same masked view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from shian.core.scoping import get_scoped_or_404, scope_for

from . import rules
from .models import CheckEvent, Complaint, ComplaintClock, ListEntry, Survey, Vote, VoteRound
from .workflow import PUBLIC_STATUS, ComplaintStatus


def complaints_for_user(user: Any) -> QuerySet[Complaint]:
    return scope_for(user).apply(
        Complaint.objects.all(), region_field="region", type_field="business__business_type"
    )


def complaint_get(user: Any, pk: Any) -> Complaint:
    return get_scoped_or_404(
        Complaint.objects.select_related("region", "business", "handler"),
        user,
        pk,
        type_field="business__business_type",
    )


def complaint_list(user: Any, filters: dict[str, str]) -> QuerySet[Complaint]:
    qs = complaints_for_user(user).select_related("region", "handler").order_by("-received_on", "-id")
    if filters.get("q"):
        q = filters["q"]
        qs = qs.filter(Q(code__icontains=q) | Q(business_name__icontains=q) | Q(external_ref__icontains=q))
    for key in ("kind", "status", "channel"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if filters.get("region"):
        qs = qs.filter(region_id=filters["region"])
    if filters.get("open"):
        qs = qs.exclude(status=ComplaintStatus.CLOSED)
    if filters.get("overdue"):
        qs = qs.filter(clocks__done_on__isnull=True, clocks__due_on__lt=filters["overdue"]).distinct()
    return qs


def can_see_identity(user: Any, complaint: Complaint) -> bool:
    """第三十三条: only the handling officer sees who complained or reported."""
    return complaint.handler_id is not None and complaint.handler_id == getattr(user, "pk", None)


@dataclass(frozen=True)
class Person:
    name: str
    phone: str
    address: str
    id_number: str
    masked: bool


def person_view(user: Any, complaint: Complaint) -> Person:
    if can_see_identity(user, complaint):
        return Person(
            complaint.person_name,
            complaint.person_phone,
            complaint.person_address,
            complaint.person_id_number,
            masked=False,
        )
    return Person(
        rules.mask_name(complaint.person_name),
        rules.mask_phone(complaint.person_phone),
        rules.mask_text(complaint.person_address),
        rules.mask_text(complaint.person_id_number),
        masked=True,
    )


def open_clocks_for_user(user: Any) -> QuerySet[ComplaintClock]:
    return ComplaintClock.objects.filter(
        done_on__isnull=True, complaint__in=complaints_for_user(user).exclude(status=ComplaintStatus.CLOSED)
    )


@dataclass(frozen=True)
class PublicView:
    code: str
    kind: str
    received_on: dt.date
    status: str
    steps: list[tuple[dt.date, str]]


def public_track(code: str) -> PublicView | None:
    """What the tracking code shows a resident without logging in: the status and its days only."""
    code = code.strip().upper()[:16]
    if len(code) < 12:
        return None
    c = Complaint.objects.filter(code=code).first()
    if c is None:
        return None
    steps = [(s.on, PUBLIC_STATUS.get(s.status, "")) for s in c.steps.order_by("on", "id")]
    return PublicView(c.code, c.get_kind_display(), c.received_on, PUBLIC_STATUS.get(c.status, ""), steps)


# -- public participation -------------------------------------------------------------------------


def surveys() -> QuerySet[Survey]:
    return Survey.objects.prefetch_related("results__region")


def vote_rounds() -> QuerySet[VoteRound]:
    return VoteRound.objects.annotate(n=Count("votes"))


def vote_results(round: Any) -> list[tuple[str, str, int]]:
    """(category code, label, votes) of a round, most votes first."""
    rows = round.options.annotate(n=Count("votes")).values_list("category_id", "label", "n")
    return sorted(rows, key=lambda r: (-r[2], r[0]))


def published_vote_counts(year: int) -> dict[str, int]:
    """Votes per food category of the rounds published for a sampling year: the annual sampling plan
    reads these beside the votes entered by hand."""
    rows = (
        Vote.objects.filter(round__year=year, round__published_on__isnull=False)
        .values("option__category_id")
        .annotate(n=Count("id"))
        .values_list("option__category_id", "n")
    )
    return dict(rows)


def list_entries_for_user(user: Any) -> QuerySet[ListEntry]:
    return scope_for(user).apply(
        ListEntry.objects.select_related("business", "region"), type_field="business__business_type"
    )


def public_lists() -> QuerySet[ListEntry]:
    return ListEntry.objects.filter(withdrawn_on__isnull=True).select_related("business", "region")


def check_events_for_user(user: Any) -> QuerySet[CheckEvent]:
    return scope_for(user).apply(
        CheckEvent.objects.select_related("region").prefetch_related("visits__business")
    )
