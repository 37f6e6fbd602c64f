"""Reads of the schools module, scoped through core.scoping: a town sees its schools, the
education liaison (who oversees school canteens) every school, a business account only the school
whose canteen it runs (for its accompanied meals). A record outside the scope is a 404."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from shian.core.calendar import WorkingCalendar
from shian.core.scoping import Scope, own_credit_code, scope_for
from shian.inspections import rules as inspection_rules
from shian.inspections.models import Inspection, InspectionStatus
from shian.registry.models import Business, BusinessStatus

from . import rules
from .models import (
    AccompaniedMeal,
    Certificate,
    OpenKitchen,
    School,
    SchoolSupplier,
    SupplierRole,
)

SCHOOL_TYPE = "school_canteen"


def _pk(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def school_scope_q(scope: Scope) -> Q:
    """Schools in a scope: by region; a department liaison sees them when its unit oversees
    school canteens (the education bureau), else none."""
    if scope.nothing:
        return Q(pk__in=[])
    if scope.business_types is not None and SCHOOL_TYPE not in scope.business_types:
        return Q(pk__in=[])
    return Q() if scope.everything else Q(region_id__in=sorted(scope.region_codes))


def school_queryset_for_user(*, user: Any) -> QuerySet[School]:
    return School.objects.filter(school_scope_q(scope_for(user)))


@dataclass(frozen=True)
class SchoolFilters:
    region: str = ""
    level: str = ""
    rural: str = ""  # "1" rural only, "0" not rural
    operation: str = ""
    q: str = ""

    @classmethod
    def from_mapping(cls, data: Any) -> SchoolFilters:
        return cls(
            region=str(data.get("region", "")).strip()[:12],
            level=str(data.get("level", "")).strip()[:16],
            rural=str(data.get("rural", "")).strip()[:1],
            operation=str(data.get("operation", "")).strip()[:12],
            q=str(data.get("q", "")).strip()[:50],
        )

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def school_list_for_user(*, user: Any, filters: SchoolFilters) -> QuerySet[School]:
    qs = school_queryset_for_user(user=user)
    if filters.region:
        qs = qs.filter(region_id=filters.region)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.rural in ("0", "1"):
        qs = qs.filter(rural=filters.rural == "1")
    if filters.operation:
        qs = qs.filter(canteen_operation=filters.operation)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(code__startswith=filters.q))
    return qs.select_related("region", "canteen", "operator").order_by("region_id", "name")


def school_get_for_user(*, user: Any, pk: Any) -> School:
    school = (
        school_queryset_for_user(user=user)
        .select_related("region", "canteen", "operator")
        .filter(pk=_pk(pk))
        .first()
    )
    if school is None:
        raise Http404
    return school


def school_for_business_account(*, user: Any, pk: Any) -> School:
    """The school whose canteen (or contracted operator) a business account runs; else 404."""
    code = own_credit_code(user)
    school = (
        School.objects.select_related("region", "canteen", "operator")
        .filter(pk=_pk(pk))
        .filter(Q(canteen__credit_code=code) | Q(operator__credit_code=code))
        .first()
        if code
        else None
    )
    if school is None:
        raise Http404
    return school


def schools_of_business_account(*, user: Any) -> QuerySet[School]:
    code = own_credit_code(user)
    if not code:
        return School.objects.none()
    return School.objects.filter(Q(canteen__credit_code=code) | Q(operator__credit_code=code)).order_by(
        "name"
    )


def suppliers_of(*, school: School) -> QuerySet[SchoolSupplier]:
    return school.suppliers.select_related("business").order_by("role", "business__name")


def meals_of(*, school: School, start: dt.date, end: dt.date) -> QuerySet[AccompaniedMeal]:
    return school.accompanied_meals.filter(on__gte=start, on__lte=end).order_by("-on", "meal")


def school_businesses(school: School) -> list[int]:
    """The businesses that feed a school: its canteen, its operator and its meal providers."""
    ids = [b for b in (school.canteen_id, school.operator_id) if b]
    ids += list(
        school.suppliers.filter(role=SupplierRole.MEAL_PROVIDER).values_list("business_id", flat=True)
    )
    return ids


def school_campaigns(year: int) -> list[inspection_rules.Campaign]:
    """The year's school campaigns (spring, autumn): those that cover school canteens."""
    return sorted(
        (c for c in inspection_rules.campaigns_for_year(year) if SCHOOL_TYPE in c.business_types),
        key=lambda c: c.starts,
    )


def campaign_inspections(*, schools: Iterable[School], year: int) -> dict[int, dict[str, int]]:
    """Per school, the submitted inspections of its canteen, operator and meal providers in each
    of the year's school campaigns: {school id: {campaign code: count}}."""
    schools = list(schools)
    codes = [c.code for c in school_campaigns(year)]
    feeders: dict[int, list[int]] = {s.pk: [] for s in schools}
    for s in schools:
        feeders[s.pk] += [b for b in (s.canteen_id, s.operator_id) if b]
    for school_id, business_id in SchoolSupplier.objects.filter(
        school_id__in=list(feeders), role=SupplierRole.MEAL_PROVIDER
    ).values_list("school_id", "business_id"):
        feeders[school_id].append(business_id)
    all_ids = {b for ids in feeders.values() for b in ids}
    counts: dict[tuple[int, str], int] = {}
    for business_id, campaign, n in (
        Inspection.objects.filter(
            business_id__in=all_ids, campaign__in=codes, status=InspectionStatus.SUBMITTED
        )
        .values_list("business_id", "campaign")
        .annotate(n=Count("id"))
    ):
        counts[(business_id, campaign)] = n
    return {
        sid: {code: sum(counts.get((b, code), 0) for b in set(ids)) for code in codes}
        for sid, ids in feeders.items()
    }


def meal_shortfalls(
    *, schools: Iterable[School], start: dt.date, end: dt.date, calendar: WorkingCalendar | None = None
) -> dict[int, rules.MealShortfall | None]:
    """Per school, the meals owed an accompanying leader in the period and those that had one."""
    schools = list(schools)
    rule = rules.meal_rule_in_force(end)
    cal = calendar or WorkingCalendar()
    days = rules.meal_days(start=start, end=end, rule=rule, is_workday=cal.is_workday)
    records: dict[int, list[tuple[dt.date, str, str]]] = defaultdict(list)
    for school_id, on, meal, role in AccompaniedMeal.objects.filter(
        school_id__in=[s.pk for s in schools], on__gte=start, on__lte=end
    ).values_list("school_id", "on", "meal", "person_role"):
        records[school_id].append((on, meal, role))
    return {
        s.pk: rules.meal_shortfall(level=s.level, meals=s.meals, days=days, records=records[s.pk], rule=rule)
        for s in schools
    }


def open_kitchen_of(*, business: Business) -> OpenKitchen | None:
    return OpenKitchen.objects.filter(business=business).first()


def latest_c9_answer(*, business: Business) -> tuple[dt.date, str] | None:
    """The latest submitted inspection's answer to the checklist's open-kitchen item (C9)."""
    for on, answers in (
        Inspection.objects.filter(business=business, status=InspectionStatus.SUBMITTED)
        .order_by("-inspected_on", "-id")
        .values_list("inspected_on", "answers")[:5]
    ):
        if isinstance(answers, dict) and answers.get("C9"):
            return on, str(answers["C9"])
    return None


def open_kitchen_population(*, user: Any, group: str, on: dt.date) -> QuerySet[Business]:
    """The businesses of T10 ("t10": medium and larger caterers) or T20 ("t20": school canteens and
    meal providers) in the reader's scope, each with its status (`ok_level`)."""
    rule = rules.open_kitchen_rule_in_force(on)
    qs = scope_for(user).apply(
        Business.objects.filter(status=BusinessStatus.ACTIVE),
        region_field="region_id",
        type_field="business_type",
    )
    if group == "t10":
        qs = qs.filter(business_type__in=rule.t10_business_types, scale__in=rule.t10_scales)
    else:
        providers = SchoolSupplier.objects.filter(business=OuterRef("pk"), role=SupplierRole.MEAL_PROVIDER)
        cond: Any = Q(business_type__in=rule.t20_business_types)
        if rule.t20_meal_providers:
            cond = cond | Exists(providers)
        qs = qs.filter(cond)
    return qs.select_related("region", "open_kitchen").order_by("region_id", "name")


def _businesses_in_scope(user: Any) -> QuerySet[Business]:
    return scope_for(user).apply(Business.objects.all(), region_field="region_id", type_field="business_type")


def open_kitchen_business_get(*, user: Any, pk: Any) -> Business:
    business = _businesses_in_scope(user).filter(pk=_pk(pk)).select_related("region").first()
    if business is None:
        raise Http404
    return business


def business_ids_in_scope(*, user: Any, ids: list[int]) -> set[int]:
    """Which of `ids` the user may act on (put a certificate on file for): a school's suppliers
    can lie outside a liaison's scope, and a link to one would answer 404."""
    return set(_businesses_in_scope(user).filter(pk__in=ids).values_list("pk", flat=True))


def certificates_for_user(
    *, user: Any, state: str = "", today: dt.date, kind: str = ""
) -> QuerySet[Certificate]:
    qs = scope_for(user).apply(
        Certificate.objects.all(), region_field="region_id", type_field="business__business_type"
    )
    rule = rules.certificate_rule_in_force(today)
    if kind:
        qs = qs.filter(kind=kind)
    if state == "expired":
        qs = qs.filter(valid_until__lt=today)
    elif state == "expiring":
        qs = qs.filter(
            valid_until__gte=today, valid_until__lte=today + dt.timedelta(days=rule.expiry_warning_days)
        )
    elif state == "valid":
        qs = qs.filter(valid_from__lte=today, valid_until__gte=today)
    return qs.select_related("business", "region").order_by("valid_until", "id")


def certificates_of(*, business: Business) -> QuerySet[Certificate]:
    return Certificate.objects.filter(business=business).order_by("-valid_until")


def meal_providers_without_certificate(*, user: Any, on: dt.date) -> QuerySet[Business]:
    """Off-campus meal providers in scope with no valid HACCP/ISO 22000 certificate on the day."""
    rule = rules.certificate_rule_in_force(on)
    valid = Certificate.objects.filter(
        business=OuterRef("pk"), kind__in=rule.t11_kinds, valid_from__lte=on, valid_until__gte=on
    )
    providers = SchoolSupplier.objects.filter(business=OuterRef("pk"), role=SupplierRole.MEAL_PROVIDER)
    return (
        scope_for(user)
        .apply(Business.objects.all(), region_field="region_id", type_field="business_type")
        .filter(Exists(providers))
        .filter(~Exists(valid))
        .order_by("region_id", "name")
    )


def open_kitchen_business_get_own(*, user: Any, pk: Any, code: str) -> Business:
    """A business account's own business by key; any other is a 404."""
    business = Business.objects.filter(pk=_pk(pk), credit_code=code).first() if code else None
    if business is None:
        raise Http404
    return business
