"""Reads of the register, always scoped to the acting user."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shian.core.models import AuditEntry, FoodCategory
from shian.core.rules import normalise_code
from shian.core.scoping import scope_for

from .models import Business, BusinessEvent
from .services import OBJECT_TYPE


@dataclass(frozen=True)
class BusinessFilters:
    q: str = ""
    region: str = ""
    business_type: str = ""
    status: str = ""
    category: str = ""
    scale: str = ""
    # The licence's validity today: "expired", "valid" or "unknown" (no expiry date on file).
    licence: str = ""

    @classmethod
    def from_mapping(cls, data: Any) -> BusinessFilters:
        return cls(**{f: str(data.get(f, "") or "").strip() for f in cls.__dataclass_fields__})

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def business_queryset_for_user(*, user: Any) -> QuerySet[Business]:
    return scope_for(user).apply(Business.objects.all(), region_field="region_id", type_field="business_type")


CODE_LIKE = re.compile(r"(?:SC|JY)?[0-9][0-9A-Z]{3,}")


def _search(qs: QuerySet[Business], q: str) -> QuerySet[Business]:
    """Name contains the words, or a code starts with what was typed (codes are stored canonical)."""
    code = normalise_code(q)
    codes = Q()
    if code and code.isascii() and code.isalnum() and len(code) >= 4:
        # A prefix as a range (code <= x < code + U+FFFF): both databases answer it from the
        # code's unique index, where SQLite's case-insensitive LIKE would scan the table.
        end = code + "\uffff"
        for field in ("credit_code", "business_licence", "production_licence"):
            codes |= Q(**{f"{field}__gte": code, f"{field}__lt": end})
    if CODE_LIKE.fullmatch(code):
        # What was typed is the start of a code (a digit first, or SC/JY and a digit): search the
        # codes only, so the indexes answer it without scanning every name.
        return qs.filter(codes)
    return qs.filter(Q(name__contains=q.strip()) | codes) if codes else qs.filter(name__contains=q.strip())


def business_list_for_user(*, user: Any, filters: BusinessFilters) -> QuerySet[Business]:
    qs = business_queryset_for_user(user=user)
    if filters.region:
        qs = qs.filter(region_id=filters.region)
    if filters.business_type:
        qs = qs.filter(business_type=filters.business_type)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.scale:
        qs = qs.filter(scale=filters.scale)
    if filters.category:
        qs = qs.filter(businessfoodcategory__category_id=filters.category)
    if filters.licence:
        qs = _licence_filter(qs, filters.licence, timezone.localdate())
    if filters.q:
        qs = _search(qs, filters.q)
    return qs.select_related("region").order_by("name", "id")


def _licence_filter(qs: QuerySet[Business], licence: str, today: dt.date) -> QuerySet[Business]:
    """A licence is expired after its last valid day (licence_valid_until)."""
    if licence == "expired":
        return qs.filter(licence_valid_until__lt=today)
    if licence == "valid":
        return qs.filter(licence_valid_until__gte=today)
    if licence == "unknown":
        return qs.filter(licence_valid_until__isnull=True)
    return qs


def business_get_for_user(*, user: Any, pk: int | str) -> Business:
    """One business the user may see; anything else, existing or not, is Http404."""
    try:
        return business_queryset_for_user(user=user).select_related("region").get(pk=int(pk))
    except (Business.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def business_categories(*, business: Business) -> list[FoodCategory]:
    return list(FoodCategory.objects.filter(businessfoodcategory__business=business).order_by("sort_order"))


def business_history(*, business: Business) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=OBJECT_TYPE, object_id=str(business.pk)).order_by("-seq")


def business_counts_for_user(*, user: Any) -> dict[str, list[Any]]:
    """Active businesses by town and by type, for the dashboard (two grouped queries)."""
    qs = business_queryset_for_user(user=user).filter(status="active")
    by_region = list(qs.values("region_id", "region__name").annotate(n=Count("id")).order_by("region_id"))
    by_type = list(qs.values("business_type").annotate(n=Count("id")).order_by("-n"))
    return {"by_region": by_region, "by_type": by_type}


# --- The business-event ledger -------------------------------------------------------------------


def business_events_between(
    *,
    start: dt.date,
    end: dt.date,
    business_ids: Iterable[int] | None = None,
    kinds: Iterable[str] | None = None,
) -> dict[int, list[tuple[str, dt.date]]]:
    """Live (not voided) events from `start` to `end` inclusive, per business: what the judgment
    modules (risk, credit) read. Unscoped: they grade every business; pages use the scoped readers."""
    qs = BusinessEvent.objects.filter(occurred_on__gte=start, occurred_on__lte=end, voided_at__isnull=True)
    if business_ids is not None:
        qs = qs.filter(business_id__in=list(business_ids))
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    out: dict[int, list[tuple[str, dt.date]]] = defaultdict(list)
    for bid, kind, day in (
        qs.order_by().values_list("business_id", "kind", "occurred_on").iterator(chunk_size=20_000)
    ):
        out[bid].append((kind, day))
    return out


def business_events_until(*, end: dt.date) -> Iterator[tuple[int, dt.date, str]]:
    """Every live event up to `end`, as (business id, date, kind): the targeting model's history."""
    qs = BusinessEvent.objects.filter(occurred_on__lte=end, voided_at__isnull=True).order_by()
    return qs.values_list("business_id", "occurred_on", "kind").iterator(chunk_size=20_000)


def business_events_for_user(
    *, user: Any, business: Business, include_voided: bool = True
) -> QuerySet[BusinessEvent]:
    """A business's ledger as the person may see it (the grade page, the credit file)."""
    qs = scope_for(user).apply(
        BusinessEvent.objects.filter(business=business),
        region_field="region_id",
        type_field="business__business_type",
    )
    if not include_voided:
        qs = qs.filter(voided_at__isnull=True)
    return qs.select_related("recorded_by").order_by("-occurred_on", "-id")


def business_event_get_for_user(*, user: Any, pk: int | str) -> BusinessEvent:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    event = (
        scope_for(user)
        .apply(
            BusinessEvent.objects.filter(pk=key),
            region_field="region_id",
            type_field="business__business_type",
        )
        .first()
    )
    if event is None:
        raise Http404
    return event


# -- licence applications ------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationFilters:
    q: str = ""
    status: str = ""
    kind: str = ""
    region: str = ""
    # "due_soon": open and due within 3 working days; "overdue": open past the due date;
    # "blocked": a named person is barred (法第一百三十五条).
    clock: str = ""

    @classmethod
    def from_mapping(cls, data: Any) -> ApplicationFilters:
        return cls(**{f: str(data.get(f, "") or "").strip() for f in cls.__dataclass_fields__})

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def application_queryset_for_user(*, user: Any) -> QuerySet[Any]:
    from .models import LicenceApplication

    return scope_for(user).apply(
        LicenceApplication.objects.all(), region_field="region_id", type_field="business_type"
    )


def application_list_for_user(
    *, user: Any, filters: ApplicationFilters, today: dt.date | None = None
) -> QuerySet[Any]:
    from . import workflow

    today = today or timezone.localdate()
    qs = application_queryset_for_user(user=user).select_related("region")
    if filters.q:
        qs = qs.filter(Q(applicant_name__icontains=filters.q) | Q(credit_code=filters.q.upper()))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.region:
        qs = qs.filter(region__code__startswith=filters.region)
    if filters.clock == "overdue":
        qs = qs.filter(status__in=workflow.OPEN, due_on__lt=today)
    elif filters.clock == "due_soon":
        from shian.core.calendar import WorkingCalendar

        horizon = WorkingCalendar().deadline(today, 3).due
        qs = qs.filter(status__in=workflow.OPEN, due_on__gte=today, due_on__lte=horizon)
    elif filters.clock == "blocked":
        qs = qs.exclude(ban_blocks=[])
    return qs.order_by("-received_on", "-id")


def application_get_for_user(*, user: Any, pk: int | str) -> Any:
    """One application the user may see; anything else is Http404."""
    from .models import LicenceApplication

    try:
        return (
            application_queryset_for_user(user=user)
            .select_related("region", "business")
            .prefetch_related("persons", "steps__by")
            .get(pk=int(pk))
        )
    except (LicenceApplication.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def application_blocks_for_user(*, user: Any, application: Any) -> list[dict[str, Any]]:
    """The application's ban blocks as this reader may see them: the case's date and term when the
    case's town is in their scope, its number only otherwise (法第一百三十五条)."""
    from .services import ban_block_message

    scope = scope_for(user)
    out = []
    for b in application.ban_blocks:
        full = scope.allows_region(b["case_region"])
        out.append({**b, "full": full, "message": ban_block_message(b, full=full)})
    return out
