"""Reads of risk grades, the annual inspection plan and the draws, scoped to the acting user."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from shian.core.models import Role, User
from shian.core.scoping import scope_for
from shian.inspections import rules as inspection_rules
from shian.inspections import selectors as inspection_selectors

from . import rules
from .models import Draw, RiskGrade


def grade_queryset_for_user(*, user: Any) -> QuerySet[RiskGrade]:
    return scope_for(user).apply(
        RiskGrade.objects.all(), region_field="region_id", type_field="business__business_type"
    )


def grade_list_for_user(*, user: Any, region: str = "", grade: str = "") -> QuerySet[RiskGrade]:
    qs = grade_queryset_for_user(user=user)
    if region:
        qs = qs.filter(region_id=region)
    if grade:
        qs = qs.filter(grade=grade)
    return qs.select_related("business", "region").order_by("-total", "business_id")


def grade_get_for_user(*, user: Any, business_id: int | str) -> RiskGrade:
    try:
        return (
            grade_queryset_for_user(user=user)
            .select_related("business", "region")
            .get(business_id=int(business_id))
        )
    except (RiskGrade.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def grade_mix_for_user(*, user: Any) -> dict[str, int]:
    rows = grade_queryset_for_user(user=user).values("grade").annotate(n=Count("business_id"))
    mix = dict.fromkeys(rules.GRADES, 0)
    for r in rows:
        mix[r["grade"]] = r["n"]
    return mix


def plan_inspectors() -> dict[str, list[int]]:
    """Inspectors per town; inspectors attached to the district serve every town ("*")."""
    out: dict[str, list[int]] = defaultdict(list)
    for pk, region, level in (
        User.objects.filter(role=Role.INSPECTOR, is_active=True)
        .order_by("pk")
        .values_list("pk", "region_id", "region__level")
    ):
        out["*" if region is None or level == "district" else region].append(pk)
    return dict(out)


def annual_plan(
    *,
    year: int,
    region: str | None = None,
    as_of: dt.date | None = None,
    grades: QuerySet[RiskGrade] | None = None,
    inspectors: dict[str, list[int]] | None = None,
) -> rules.AnnualPlan:
    """The year's inspection plan from the current grades and the inspections already made."""
    edition = rules.rules_in_force(dt.date(year, 1, 1))
    ins_edition = inspection_rules.rules_in_force(dt.date(year, 1, 1))
    qs = grades if grades is not None else RiskGrade.objects.filter(business__status="active")
    if region:
        qs = qs.filter(region_id=region)
    fulls = inspection_selectors.latest_full_checks(on=dt.date(year, 1, 1) - dt.timedelta(days=1))
    done = inspection_selectors.inspection_dates_between(start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    year_start = dt.date(year, 1, 1)
    businesses = (
        rules.PlanBusiness(
            id=bid,
            region=reg,
            grade=grade,
            business_type=btype,
            full_check_due=inspection_rules.full_check_due(
                fulls[bid][0] if bid in fulls else None, year_start, ins_edition
            ),
            done=tuple(done.get(bid, ())),
        )
        for bid, reg, grade, btype in qs.values_list(
            "business_id", "region_id", "grade", "business__business_type"
        )
        .order_by("region_id", "business_id")
        .iterator(chunk_size=20_000)
    )
    return rules.annual_plan(
        year=year,
        businesses=businesses,
        inspectors=inspectors if inspectors is not None else plan_inspectors(),
        freq=edition.frequency,
        as_of=as_of,
    )


def draws_published() -> QuerySet[Draw]:
    """Draws are public (双随机、一公开): no scope."""
    return Draw.objects.order_by("-drawn_on", "-id")
