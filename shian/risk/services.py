"""The only code that writes risk grades, risk events, conflicts and draws. Each function:
permission, scope, one transaction, audit entry in that same transaction."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from shian.core.audit import AuditEvent, audit_record
from shian.core.calendar import WorkingCalendar
from shian.core.models import AuditAction, Role, User
from shian.core.permissions import Cap, require_cap
from shian.core.scoping import scope_for
from shian.inspections import rules as inspection_rules
from shian.inspections import selectors as inspection_selectors
from shian.registry.models import Business, BusinessFoodCategory

from . import rules
from .models import Draw, InspectorConflict, RiskEvent, RiskGrade

OBJECT_TYPE = "risk.grade"
_FIELDS = (
    "grade",
    "score_grade",
    "static_score",
    "dynamic_score",
    "total",
    "adjustment",
    "breakdown",
    "evidence",
    "edition",
    "graded_on",
)


def _one_year_before(on: dt.date) -> dt.date:
    return inspection_rules.add_months(on, -12) + dt.timedelta(days=1)


def _grade_row(
    *,
    bid: int,
    btype: str,
    scale: str,
    region: str,
    categories: Sequence[str],
    full: tuple[dt.date, int, int] | None,
    events: Sequence[tuple[str, dt.date]],
    results: Sequence[str] | None,
    previous: str | None,
    edition: rules.GradingRules,
    on: dt.date,
) -> RiskGrade:
    clean = bool(results) and all(r == "pass" for r in results or ())
    outcome = rules.grade(
        rules.GradeInput(
            business_type=btype,
            scale=scale,
            categories=tuple(categories),
            last_full_check=full,
            events=tuple(events),
            previous_grade=previous,
            clean_inspections=clean,
        ),
        edition,
    )
    return RiskGrade(
        business_id=bid,
        region_id=region,
        grade=outcome.grade,
        score_grade=outcome.score_grade,
        static_score=outcome.static_score,
        dynamic_score=outcome.dynamic_score,
        total=outcome.total,
        adjustment=outcome.adjustment,
        breakdown=outcome.breakdown,
        evidence={
            "reasons": list(outcome.reasons),
            "inspections_past_year": len(results or ()),
            "clean_year": clean,
            "previous_grade": previous,
        },
        edition=outcome.edition,
        graded_on=on,
    )


def _events(
    business_ids: Iterable[int] | None, start: dt.date, end: dt.date
) -> dict[int, list[tuple[str, dt.date]]]:
    qs = RiskEvent.objects.filter(occurred_on__gte=start, occurred_on__lte=end)
    if business_ids is not None:
        qs = qs.filter(business_id__in=list(business_ids))
    out: dict[int, list[tuple[str, dt.date]]] = defaultdict(list)
    for bid, kind, day in qs.values_list("business_id", "kind", "occurred_on"):
        out[bid].append((kind, day))
    return out


def risk_regrade(*, actor: User | None, source: str, business: Business, on: dt.date) -> RiskGrade:
    """Regrade one business when new evidence arrives (an inspection submitted, an event recorded)."""
    if actor is not None:
        require_cap(actor, Cap.RISK_MANAGE)
        if not scope_for(actor).allows_region(business.region_id):
            raise Http404
    edition = rules.rules_in_force(on)
    start = _one_year_before(on)
    previous = RiskGrade.objects.filter(business=business).first()
    row = _grade_row(
        bid=business.pk,
        btype=business.business_type,
        scale=business.scale,
        region=business.region_id,
        categories=list(
            BusinessFoodCategory.objects.filter(business=business).values_list("category_id", flat=True)
        ),
        full=inspection_selectors.latest_full_checks(business_ids=[business.pk], on=on).get(business.pk),
        events=_events([business.pk], start, on).get(business.pk, []),
        results=inspection_selectors.results_between(start=start, end=on, business_ids=[business.pk]).get(
            business.pk
        ),
        previous=previous.grade if previous else None,
        edition=edition,
        on=on,
    )
    with transaction.atomic():
        before = {f: getattr(previous, f) for f in _FIELDS} if previous else None
        row.save()
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.UPDATE if previous else AuditAction.CREATE,
                object_type=OBJECT_TYPE,
                object_id=str(business.pk),
                object_repr=f"{business.name} {row.grade}",
                region_code=business.region_id,
                before=before,
                after={f: getattr(row, f) for f in _FIELDS},
            ),
        )
    return row


def risk_regrade_bulk(
    *, actor: User | None, source: str, on: dt.date, region: str | None = None, batch_size: int = 5000
) -> dict[str, int]:
    """Regrade every active business (of one town, or all): bulk reads, pure scoring, bulk write.
    One audit entry records the run, its edition and how many grades changed (each grade keeps its
    own breakdown and evidence). Returns the grade mix."""
    if actor is not None:
        require_cap(actor, Cap.RISK_MANAGE)
        if region and not scope_for(actor).allows_region(region):
            raise Http404
    edition = rules.rules_in_force(on)
    start = _one_year_before(on)
    businesses = Business.objects.exclude(status="closed")
    if region:
        businesses = businesses.filter(region_id=region)
    rows = list(
        businesses.values_list("id", "business_type", "scale", "region_id").iterator(chunk_size=20_000)
    )
    ids = None if not region else [r[0] for r in rows]
    cats: dict[int, list[str]] = defaultdict(list)
    cat_qs = BusinessFoodCategory.objects.all()
    if region:
        cat_qs = cat_qs.filter(business__region_id=region)
    for bid, cat in cat_qs.values_list("business_id", "category_id").iterator(chunk_size=50_000):
        cats[bid].append(cat)
    fulls = inspection_selectors.latest_full_checks(on=on)
    results = inspection_selectors.results_between(start=start, end=on)
    events = _events(ids, start, on)
    prev_qs = RiskGrade.objects.all() if not region else RiskGrade.objects.filter(region_id=region)
    previous = dict(prev_qs.values_list("business_id", "grade").iterator(chunk_size=50_000))
    graded = [
        _grade_row(
            bid=bid,
            btype=btype,
            scale=scale,
            region=reg,
            categories=cats.get(bid, ()),
            full=fulls.get(bid),
            events=events.get(bid, ()),
            results=results.get(bid),
            previous=previous.get(bid),
            edition=edition,
            on=on,
        )
        for bid, btype, scale, reg in rows
    ]
    mix = Counter(g.grade for g in graded)
    changed = sum(1 for g in graded if previous.get(g.business_id) != g.grade)
    with transaction.atomic():
        RiskGrade.objects.bulk_create(
            graded,
            batch_size=batch_size,
            update_conflicts=True,
            unique_fields=["business"],
            update_fields=["region", *_FIELDS],
        )
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.GENERATE,
                object_type="risk.regrade",
                object_id=on.isoformat(),
                object_repr=f"风险等级评定 {region or '全区'}",
                region_code=region or "",
                after={
                    "edition": edition.id,
                    "graded": len(graded),
                    "changed": changed,
                    "mix": dict(sorted(mix.items())),
                },
            ),
        )
    return {g: mix.get(g, 0) for g in rules.GRADES}


def risk_event_record(
    *, actor: User | None, source: str, business: Business, kind: str, occurred_on: dt.date, note: str = ""
) -> RiskEvent:
    if actor is not None:
        require_cap(actor, Cap.RISK_MANAGE)
        if not scope_for(actor).allows_region(business.region_id):
            raise Http404
    if kind not in rules.rules_in_force(occurred_on).event_steps:
        raise ValidationError({"kind": f"未知的风险调整事件“{kind}”"})
    with transaction.atomic():
        event = RiskEvent.objects.create(
            business=business, region_id=business.region_id, kind=kind, occurred_on=occurred_on, note=note
        )
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.CREATE,
                object_type="risk.event",
                object_id=str(event.pk),
                region_code=business.region_id,
                after={"business": business.pk, "kind": kind, "occurred_on": occurred_on, "note": note},
            ),
        )
    return event


def conflict_declare(
    *, actor: User | None, source: str, inspector: User, business: Business, reason: str, on: dt.date
) -> InspectorConflict:
    if actor is not None and actor.pk != inspector.pk:
        require_cap(actor, Cap.RISK_MANAGE)
    if not reason.strip():
        raise ValidationError({"reason": "请说明回避理由"})
    with transaction.atomic():
        conflict, _created = InspectorConflict.objects.get_or_create(
            inspector=inspector, business=business, defaults={"reason": reason.strip(), "declared_on": on}
        )
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.CREATE,
                object_type="risk.conflict",
                object_id=str(conflict.pk),
                region_code=business.region_id,
                after={"inspector": inspector.pk, "business": business.pk, "reason": reason.strip()},
            ),
        )
    return conflict


def draw_population(
    *, region: str | None = None, business_types: Sequence[str] = (), stratify: str = "grade"
) -> list[tuple[int, str]]:
    """The population of a draw: graded, active businesses, with their stratum (grade or type)."""
    qs = RiskGrade.objects.filter(business__status="active")
    if region:
        qs = qs.filter(region_id=region)
    if business_types:
        qs = qs.filter(business__business_type__in=list(business_types))
    field = "grade" if stratify == "grade" else "business__business_type"
    return [(bid, s) for bid, s in qs.values_list("business_id", field).order_by("business_id")]


def draw_create(
    *,
    actor: User | None,
    source: str,
    code: str,
    title: str,
    seed: int,
    population: Sequence[tuple[int, str]],
    ratios: Mapping[str, float],
    inspectors: Sequence[int] | None = None,
    excluded: Sequence[tuple[int, int]] = (),
    on: dt.date,
    per_inspection: int = 2,
) -> Draw:
    """Draw businesses by stratum and assign ≥ 2 inspectors each, excluding declared conflicts and
    the configured exclusions (inspector, business); record everything needed to re-run it and
    set the date by which results must be published (第三十九条: 20 working days)."""
    if actor is not None:
        require_cap(actor, Cap.RISK_MANAGE)
    if Draw.objects.filter(code=code).exists():
        raise ValidationError({"code": f"抽取编号“{code}”已存在"})
    if inspectors is None:
        inspectors = list(
            User.objects.filter(role=Role.INSPECTOR, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    pop_ids = [b for b, _s in population]
    pairs = set(
        InspectorConflict.objects.filter(business_id__in=pop_ids).values_list("inspector_id", "business_id")
    )
    pairs |= {(int(i), int(b)) for i, b in excluded}
    conflicts: dict[int, frozenset[int]] = defaultdict(frozenset)
    for i, b in pairs:
        conflicts[b] = conflicts[b] | {i}
    try:
        result = rules.draw(
            seed=seed,
            population=population,
            ratios=ratios,
            inspectors=inspectors,
            conflicts=conflicts,
            per_inspection=per_inspection,
        )
    except rules.RiskRuleError as exc:
        raise ValidationError({"__all__": str(exc)}) from None
    edition = inspection_rules.rules_in_force(on)
    due = WorkingCalendar().deadline(on, edition.publish_working_days).due
    with transaction.atomic():
        d = Draw.objects.create(
            code=code,
            title=title,
            seed=seed,
            population=[list(p) for p in population],
            ratios=dict(ratios),
            inspectors=list(inspectors),
            conflicts=sorted([list(p) for p in pairs]),
            result={
                "businesses": result.businesses,
                "assignments": {str(k): list(v) for k, v in result.assignments.items()},
                "strata": {k: list(v) for k, v in result.strata.items()},
            },
            drawn_on=on,
            results_due=due,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.CREATE,
                object_type="risk.draw",
                object_id=str(d.pk),
                object_repr=code,
                after={
                    "seed": seed,
                    "ratios": dict(ratios),
                    "drawn": len(result.businesses),
                    "results_due": due,
                },
            ),
        )
    return d


def draw_rerun(draw: Draw) -> rules.DrawResult:
    """Re-run a published draw from its record: the result must equal the published one."""
    conflicts: dict[int, frozenset[int]] = defaultdict(frozenset)
    for i, b in draw.conflicts:
        conflicts[b] = conflicts[b] | {i}
    return rules.draw(
        seed=draw.seed,
        population=[(int(b), str(s)) for b, s in draw.population],
        ratios=draw.ratios,
        inspectors=draw.inspectors,
        conflicts=conflicts,
    )
