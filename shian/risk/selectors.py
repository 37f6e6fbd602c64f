"""Reads of risk grades, the annual inspection plan and the draws, scoped to the acting user."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from shian.core.models import Role, User
from shian.core.scoping import scope_for
from shian.enforcement.selectors import credit_classes
from shian.inspections import rules as inspection_rules
from shian.inspections import selectors as inspection_selectors
from shian.registry import selectors as registry_selectors
from shian.registry.models import Business, BusinessEventKind, BusinessFoodCategory
from shian.sampling import selectors as sampling_selectors

from . import rules, targeting
from .models import Draw, RiskGrade, TargetingNote, TargetingRun, TargetingScore


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


NEXT_GRADE = {"A": "B", "B": "C", "C": "D"}


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
    # A business in credit class D (listed as seriously dishonest, or a revoked licence) is planned
    # at the next grade's frequency: 食品安全法第一百一十三条 (more inspections for a bad credit
    # record) and the list's measures (44号令, higher frequency and priority).
    raised = {bid for bid, c in credit_classes(None, on=year_start).items() if c.code == "D"}
    businesses = (
        rules.PlanBusiness(
            id=bid,
            region=reg,
            grade=NEXT_GRADE.get(grade, grade) if bid in raised else grade,
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


# ---------------------------------------------------------------------------------------------
# Predictive targeting: the history it learns from (system reads for the batch job) and the ranked
# list (scoped reads).


def targeting_facts(*, business_ids: list[int] | None = None) -> dict[int, targeting.BusinessFacts]:
    """The register's facts the model uses, for every business (closed ones too: their past
    inspections are training examples). Licence age counts from the opening date, else from the
    licence's start (its end less its five-year term)."""
    cats: dict[int, list[str]] = defaultdict(list)
    cat_qs = BusinessFoodCategory.objects.all()
    biz_qs = Business.objects.all()
    if business_ids is not None:
        cat_qs = cat_qs.filter(business_id__in=business_ids)
        biz_qs = biz_qs.filter(id__in=business_ids)
    for bid, cat in cat_qs.values_list("business_id", "category_id").iterator(chunk_size=50_000):
        cats[bid].append(cat)
    out = {}
    for bid, region, btype, scale, opened, valid_until in biz_qs.values_list(
        "id", "region_id", "business_type", "scale", "opened_on", "licence_valid_until"
    ).iterator(chunk_size=20_000):
        licensed = opened or (
            inspection_rules.add_months(valid_until, -12 * targeting.LICENCE_TERM_YEARS)
            if valid_until
            else None
        )
        out[bid] = targeting.BusinessFacts(
            id=bid,
            region=region,
            business_type=btype,
            scale=scale,
            categories=tuple(sorted(cats.get(bid, ()))),
            licensed_on=licensed,
        )
    return out


def targeting_history(*, end: dt.date) -> targeting.History:
    """Inspections, unqualified samples, risk events and upheld complaints and reports up to `end`.
    Upheld complaints reach the ranking through the business-event ledger (kind complaint_upheld,
    written by the complaints module) and count as complaints, not as adverse events."""
    inspections = (
        targeting.InspectionFact(
            id=i, business_id=b, day=d, kind=k, result=r, key_failed=kf, general_failed=gf, full_check=fc
        )
        for i, b, d, k, r, kf, gf, fc in inspection_selectors.inspection_outcomes_until(end=end)
    )
    events: list[tuple[int, dt.date, str]] = []
    complaints: list[tuple[int, dt.date]] = []
    for bid, day, kind in registry_selectors.business_events_until(end=end):
        if kind == BusinessEventKind.COMPLAINT_UPHELD:
            complaints.append((bid, day))
        elif kind == BusinessEventKind.INSPECTION_FINDINGS:
            continue  # the inspections themselves are the model's history of findings
        else:
            events.append((bid, day, kind))
    return targeting.History.build(
        inspections=inspections,
        failed_samples=sampling_selectors.unqualified_sample_dates(end=end),
        events=events,
        complaints=complaints,
    )


def targeting_run_latest() -> TargetingRun | None:
    """The latest district-wide run (a run limited to one town is not the district's list)."""
    return TargetingRun.objects.filter(region_code="").order_by("-id").first() or (
        TargetingRun.objects.order_by("-id").first()
    )


def targeting_scores_for_user(
    *, user: Any, run: TargetingRun | None, region: str = "", business_type: str = "", grade: str = ""
) -> QuerySet[TargetingScore]:
    if run is None:
        return TargetingScore.objects.none()
    qs = scope_for(user).apply(
        TargetingScore.objects.filter(run=run), region_field="region_id", type_field="business__business_type"
    )
    if region:
        qs = qs.filter(region_id=region)
    if business_type:
        qs = qs.filter(business__business_type=business_type)
    if grade:
        qs = qs.filter(grade=grade)
    return qs.select_related("business", "region").order_by("rank")


def targeting_business_get_for_user(*, user: Any, business_id: int | str) -> Business:
    """A business the user may annotate in the list: in scope, or 404 like a missing one."""
    qs = scope_for(user).apply(Business.objects.all(), region_field="region_id", type_field="business_type")
    try:
        return qs.get(pk=int(business_id))
    except (Business.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def targeting_notes_for_user(*, user: Any, business_ids: list[int]) -> dict[int, list[TargetingNote]]:
    """Notes on the given businesses, newest first, limited to the user's scope."""
    qs = (
        scope_for(user)
        .apply(
            TargetingNote.objects.filter(business_id__in=business_ids),
            region_field="region_id",
            type_field="business__business_type",
        )
        .select_related("author")
    )
    out: dict[int, list[TargetingNote]] = defaultdict(list)
    for note in qs.order_by("-created_at", "-id"):
        out[note.business_id].append(note)
    return dict(out)


def targeting_plan_worklist(
    *,
    year: int,
    run: TargetingRun | None,
    region: str | None = None,
    grades: QuerySet[RiskGrade] | None = None,
) -> list[rules.PlannedVisit]:
    """The year's plan (every legally required visit) in work order: per town and due date, the
    model's highest scores first. Without a run the plan's own order by due date is kept."""
    plan = annual_plan(year=year, region=region, grades=grades)
    scores: dict[int, float] = {}
    if run is not None:
        scores = dict(TargetingScore.objects.filter(run=run).values_list("business_id", "score"))
    return targeting.order_plan_visits(plan.visits, scores)


def targeting_backtest(*, cutoff: dt.date, end: dt.date) -> targeting.Backtest:
    """Train on the history up to `cutoff`, evaluate on the inspections of (cutoff, end]. Reads only;
    raises targeting.TargetingError when the history cannot support it."""
    return targeting.backtest(targeting_facts(), targeting_history(end=end), cutoff=cutoff, end=end)


def risk_mix_by_category_town(*, user: Any | None) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(active businesses, graded, graded C or D) per (food category code, town), from the food
    categories each business is registered for: the annual sampling plan weighs a cell by its
    share of C/D-graded businesses and caps it by its businesses. `user` None is the plan's own
    district-wide computation (a batch job, not a request); otherwise the user's scope."""
    qs = BusinessFoodCategory.objects.filter(business__status="active")
    if user is not None:
        qs = scope_for(user).apply(
            qs, region_field="business__region_id", type_field="business__business_type"
        )
    rows = (
        qs.values("category_id", "business__region_id", "business__risk_grade__grade")
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[tuple[str, str], tuple[int, int, int]] = {}
    for r in rows:
        key = (r["category_id"], r["business__region_id"])
        grade = r["business__risk_grade__grade"]
        n, graded, risky = out.get(key, (0, 0, 0))
        out[key] = (
            n + r["n"],
            graded + (r["n"] if grade else 0),
            risky + (r["n"] if grade in ("C", "D") else 0),
        )
    return out


def targeting_scores_by_business(
    *, run: TargetingRun | None, business_ids: list[int]
) -> dict[int, TargetingScore]:
    """The run's score rows of the given businesses (the caller already scoped the businesses)."""
    if run is None or not business_ids:
        return {}
    qs = TargetingScore.objects.filter(run=run, business_id__in=business_ids)
    return {s.business_id: s for s in qs.iterator(chunk_size=5000)}


def business_names(*, business_ids: list[int]) -> dict[int, str]:
    return dict(
        Business.objects.filter(id__in=business_ids).values_list("id", "name").iterator(chunk_size=20_000)
    )


# ---------------------------------------------------------------------------------------------
# One person's visits: the plan's and the draws' (the inspector's to-do and "my visits" page).

# The year's plan is recomputed from every grade and inspection; a person's list reads it from the
# cache for this long (the plan changes when an inspection is submitted or a regrade runs).
PLAN_CACHE_SECONDS = 600


def _plan_visits(*, year: int, region: str | None, today: dt.date) -> list[rules.PlannedVisit]:
    from django.core.cache import cache

    key = f"risk:plan-visits:{year}:{region or '*'}:{today.isoformat()}"
    visits = cache.get(key)
    if visits is None:
        grades = RiskGrade.objects.filter(business__status="active")
        visits = annual_plan(year=year, region=region, as_of=today, grades=grades).visits
        cache.set(key, visits, PLAN_CACHE_SECONDS)
    return list(visits)


def planned_visits_for_user(*, user: Any, today: dt.date, horizon: dt.date) -> list[rules.PlannedVisit]:
    """The plan's visits assigned to this person, not yet made, due by `horizon` (the overdue ones
    included), earliest first; only businesses in the person's scope."""
    from django.core.cache import cache

    region = getattr(user, "region_id", None)
    town = region if region and getattr(getattr(user, "region", None), "level", "") != "district" else None
    # The person's own open visits are cached beside the plan: a warm home page then reads a few
    # dozen visits, not the whole district's plan (unpickling that was most of its cost).
    key = f"risk:plan-visits:{today.year}:{town or '*'}:{today.isoformat()}:person:{user.pk}"
    own = cache.get(key)
    if own is None:
        try:
            visits = _plan_visits(year=today.year, region=town, today=today)
        except (rules.RiskRuleError, LookupError):
            return []
        own = [v for v in visits if user.pk in v.inspectors and not v.done]
        cache.set(key, own, PLAN_CACHE_SECONDS)
    scope = scope_for(user)
    mine = [v for v in own if v.due <= horizon and scope.allows_region(v.region)]
    return sorted(mine, key=lambda v: (v.due, v.business_id))


def planned_visits_overdue_for_user(*, user: Any, today: dt.date) -> int:
    """How many of the plan's visits in the person's scope are past their due date and not made."""
    from django.core.cache import cache

    # Late visits counted per town once and cached beside the plan (as above).
    key = f"risk:plan-overdue:{today.year}:{today.isoformat()}"
    by_region = cache.get(key)
    if by_region is None:
        try:
            visits = _plan_visits(year=today.year, region=None, today=today)
        except (rules.RiskRuleError, LookupError):
            return 0
        by_region = {}
        for v in visits:
            if not v.done and v.due < today:
                by_region[v.region] = by_region.get(v.region, 0) + 1
        cache.set(key, by_region, PLAN_CACHE_SECONDS)
    scope = scope_for(user)
    return sum(n for region, n in by_region.items() if scope.allows_region(region))


def drawn_visits_for_user(*, user: Any, since: dt.date) -> list[tuple[Draw, int, tuple[int, ...]]]:
    """(draw, business, inspectors) of the draws since `since` that assign this person a business
    not yet inspected under that draw, the draw's publication deadline first."""
    out: list[tuple[Draw, int, tuple[int, ...]]] = []
    draws = list(Draw.objects.filter(drawn_on__gte=since).order_by("results_due", "id"))
    if not draws:
        return out
    done = set(
        inspection_selectors.inspection_queryset_for_user(user=user)
        .filter(draw_code__in=[d.code for d in draws])
        .values_list("draw_code", "business_id")
    )
    scope = scope_for(user)
    wanted: list[tuple[Draw, int, tuple[int, ...]]] = []
    for d in draws:
        for bid, who in (d.result or {}).get("assignments", {}).items():
            if user.pk in who and (d.code, int(bid)) not in done:
                wanted.append((d, int(bid), tuple(int(i) for i in who)))
    regions = dict(Business.objects.filter(pk__in=[b for _d, b, _w in wanted]).values_list("pk", "region_id"))
    for d, bid, who in wanted:
        if scope.allows_region(regions.get(bid)):
            out.append((d, bid, who))
    return out


def people_names(*, ids: list[int]) -> dict[int, str]:
    """Person id -> name as shown (full name, else the account name)."""
    return {
        pk: (full or username)
        for pk, full, username in User.objects.filter(pk__in=ids).values_list("pk", "full_name", "username")
    }


def business_ids_in_scope(*, user: Any, business_ids: list[int]) -> list[int]:
    """Those of the given businesses the person may see on the register."""
    return list(
        registry_selectors.business_queryset_for_user(user=user)
        .filter(pk__in=business_ids)
        .values_list("pk", flat=True)
    )


def grade_mix_by_town_for_user(*, user: Any) -> dict[str, dict[str, int]]:
    """Active businesses per town and risk grade (the grades in force: the platform keeps the
    current grade of each business, not its history). One query."""
    rows = (
        grade_queryset_for_user(user=user)
        .filter(business__status="active")
        .values("region_id", "grade")
        .annotate(n=Count("business_id"))
        .order_by()
    )
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        out.setdefault(r["region_id"], dict.fromkeys(rules.GRADES, 0))[r["grade"]] = r["n"]
    return out
