"""The only code that writes risk grades, risk events, conflicts and draws. Each function:
permission, scope, one transaction, audit entry in that same transaction."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shian.core.audit import AuditEvent, audit_record, model_event
from shian.core.bulk import insert_rows, upsert_rows
from shian.core.calendar import WorkingCalendar
from shian.core.models import AuditAction, Role, User
from shian.core.permissions import Cap, require_cap
from shian.core.scoping import require_in_scope, scope_for
from shian.enforcement.selectors import credit_classes
from shian.inspections import rules as inspection_rules
from shian.inspections import selectors as inspection_selectors
from shian.registry import selectors as registry_selectors
from shian.registry.models import Business, BusinessFoodCategory, BusinessScale, BusinessType

from . import rules, selectors, targeting
from .models import Draw, InspectorConflict, RiskGrade, TargetingNote, TargetingRun, TargetingScore

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


def _grade_values(
    *,
    bid: int,
    btype: str,
    scale: str,
    region: str,
    categories: Sequence[str],
    full: tuple[dt.date, int, int] | None,
    events: Sequence[tuple[str, dt.date]],
    results: tuple[int, int] | None,
    previous: str | None,
    edition: rules.GradingRules,
    on: dt.date,
    new_business: bool = False,
    static_cache: dict[Any, dict[str, int]] | None = None,
) -> tuple[Any, ...]:
    """One business's grade as the values of `_ROW_FIELDS`: the pure scoring and its evidence."""
    # results: (inspections in the past year, how many were not 符合), or None for none.
    clean = results is not None and results[0] > 0 and results[1] == 0
    outcome = rules.grade(
        rules.GradeInput(
            business_type=btype,
            scale=scale,
            categories=tuple(categories),
            last_full_check=full,
            events=tuple(events),
            previous_grade=previous,
            clean_inspections=clean,
            new_business=new_business,
        ),
        edition,
        static_cache,
    )
    return (
        bid,
        region,
        outcome.grade,
        outcome.score_grade,
        outcome.static_score,
        outcome.dynamic_score,
        outcome.total,
        outcome.adjustment,
        outcome.breakdown,
        {
            "reasons": list(outcome.reasons),
            "inspections_past_year": results[0] if results else 0,
            "clean_year": clean,
            "previous_grade": previous,
        },
        outcome.edition,
        on,
    )


# The columns of a grade row, in the order _grade_values returns them.
_ROW_FIELDS = ("business_id", "region_id", *_FIELDS)


def _grade_row(**kwargs: Any) -> RiskGrade:
    return RiskGrade(**dict(zip(_ROW_FIELDS, _grade_values(**kwargs), strict=True)))


def _events(
    business_ids: Iterable[int] | None, start: dt.date, end: dt.date, edition: rules.GradingRules
) -> dict[int, list[tuple[str, dt.date]]]:
    """The business-event ledger's live entries in the grading window (register layer: the
    evidence modules write there, risk only reads), of the kinds the grading rules name: the ledger
    also holds kinds other readers use (a penalty decision, an upheld complaint for the credit
    file), which the 2016 method does not step on."""
    return registry_selectors.business_events_between(
        start=start,
        end=end,
        business_ids=business_ids,
        kinds=[*edition.event_steps, *edition.clean_year_blockers],
    )


def risk_regrade(*, actor: User | None, source: str, business: Business, on: dt.date) -> RiskGrade:
    """Regrade one business when new evidence arrives (an inspection submitted, an event recorded)."""
    if actor is not None:
        require_cap(actor, Cap.RISK_MANAGE)
        require_in_scope(actor, region=business.region_id, business_type=business.business_type)
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
        events=_events([business.pk], start, on, edition).get(business.pk, []),
        results=inspection_selectors.result_counts_between(
            start=start, end=on, business_ids=[business.pk]
        ).get(business.pk),
        previous=previous.grade if previous else None,
        edition=edition,
        on=on,
        new_business=rules.is_new_business(business.opened_on, on, edition),
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


# A stand-in for the date of the latest full check while a breakdown is encoded once for many
# businesses; each row's own date then takes its place in the text.
_FROM_MARK = "\x00from\x00"
_UNSEEN: Any = object()


def _row_template(
    values: tuple[Any, ...], full_on: dt.date | None, dumps: Any
) -> tuple[tuple[Any, ...], str, str, str] | None:
    """From one business's `_grade_values`: the scores, the breakdown's text before and after the
    date of its latest full check (`full_on`), and the evidence's text; None when the breakdown
    does not carry that date, exactly once, as dynamic.from (then such rows are encoded whole)."""
    breakdown = values[8]
    dynamic = breakdown.get("dynamic")
    if not isinstance(dynamic, dict) or dynamic.get("from") != (full_on.isoformat() if full_on else None):
        return None
    marked = {**breakdown, "dynamic": {**dynamic, "from": _FROM_MARK}}
    text = str(dumps(marked))
    parts = text.split(str(dumps(_FROM_MARK)))
    if len(parts) != 2:
        return None
    return values[2:8], parts[0], parts[1], str(dumps(values[9]))


def risk_regrade_bulk(
    *, actor: User | None, source: str, on: dt.date, region: str | None = None
) -> dict[str, int]:
    """Regrade every active business (of one town, or all): bulk reads, pure scoring, bulk write.
    One audit entry records the run, its edition and how many grades changed (each grade keeps its
    own breakdown and evidence). Returns the grade mix."""
    if actor is not None:
        require_cap(actor, Cap.RISK_MANAGE)
        if region:
            require_in_scope(actor, region=region)
    edition = rules.rules_in_force(on)
    start = _one_year_before(on)
    businesses = Business.objects.exclude(status="closed")
    if region:
        businesses = businesses.filter(region_id=region)
    # .order_by(): the models' default orderings would sort 300,000 rows nobody needs sorted.
    rows = list(
        businesses.order_by()
        .values_list("id", "business_type", "scale", "region_id", "opened_on")
        .iterator(chunk_size=20_000)
    )
    ids = None if not region else [r[0] for r in rows]
    cats: dict[int, list[str]] = defaultdict(list)
    cat_qs = BusinessFoodCategory.objects.all()
    if region:
        cat_qs = cat_qs.filter(business__region_id=region)
    for bid, cat in cat_qs.order_by().values_list("business_id", "category_id").iterator(chunk_size=50_000):
        cats[bid].append(cat)
    cat_sets = {bid: tuple(found) for bid, found in cats.items()}
    fulls = inspection_selectors.latest_full_checks(on=on)
    results = inspection_selectors.result_counts_between(start=start, end=on)
    events = _events(ids, start, on, edition)
    prev_qs = RiskGrade.objects.all() if not region else RiskGrade.objects.filter(region_id=region)
    previous = dict(prev_qs.order_by().values_list("business_id", "grade").iterator(chunk_size=50_000))
    static_cache: dict[Any, dict[str, int]] = {}
    # Breakdown and evidence go to the database as JSON text serialised here by the C encoder
    # (the field API costs more than the scoring at city scale).
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    # Businesses with the same facts and the same evidence get the same grade, breakdown and
    # evidence (rules.grade is a pure function): each distinct input is graded and encoded once
    # (a city's 285,000 businesses have about 64,000), and only the date of the latest full
    # check, the one input that differs within such a group and appears in the breakdown alone,
    # is put into each row. Should a rules edition ever score that date (an inspection that
    # expires, say), it belongs in the key.
    memo: dict[tuple[Any, ...], tuple[tuple[Any, ...], str, str, str] | None] = {}
    edition_id = edition.id
    graded = []
    for bid, btype, scale, reg, opened in rows:
        full = fulls.get(bid)
        found = events.get(bid)
        key = (
            # Only whether it is new on the day enters the grade, never the opening date itself.
            rules.is_new_business(opened, on, edition),
            btype,
            scale,
            cat_sets.get(bid, ()),
            None if full is None else full[1:],
            tuple(found) if found else (),
            results.get(bid),
            previous.get(bid),
        )
        template = memo.get(key, _UNSEEN)
        if template is _UNSEEN or template is None:
            values = _grade_values(
                bid=bid,
                btype=btype,
                scale=scale,
                region=reg,
                categories=key[3],
                full=full,
                events=key[5],
                results=key[6],
                previous=key[7],
                edition=edition,
                on=on,
                new_business=key[0],
                static_cache=static_cache,
            )
            if template is _UNSEEN:
                template = memo[key] = _row_template(values, full[0] if full else None, dumps)
            if template is None:
                graded.append((*values[:8], str(dumps(values[8])), str(dumps(values[9])), *values[10:]))
                continue
        scores, head, tail, evidence_text = template
        day = "null" if full is None else f'"{full[0].isoformat()}"'
        graded.append((bid, reg, *scores, head + day + tail, evidence_text, edition_id, on))
    mix = Counter(g[2] for g in graded)
    changed = sum(1 for g in graded if previous.get(g[0]) != g[2])
    with transaction.atomic():
        # Django's bulk_create prepares every value through the field API and costs more than the
        # scoring itself at city scale: the rows go as they are, JSON as text.
        if region is None and not RiskGrade.objects.exists():
            # The city's first grading: nothing to update, a plain load (COPY on PostgreSQL).
            insert_rows(RiskGrade, _ROW_FIELDS, graded, json_text=("breakdown", "evidence"))
        else:
            upsert_rows(
                RiskGrade, _ROW_FIELDS, graded, conflict=["business"], json_text=("breakdown", "evidence")
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


def conflict_declare(
    *, actor: User | None, source: str, inspector: User, business: Business, reason: str, on: dt.date
) -> InspectorConflict:
    if actor is not None and actor.pk != inspector.pk:
        require_cap(actor, Cap.RISK_MANAGE)
    if not reason.strip():
        raise ValidationError({"reason": _("请说明回避理由")})
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
    """The population of a draw: graded, active businesses, with their stratum (grade, type, or the
    enterprise credit-risk class A–D from the credit file: a separate axis from the food risk grade)."""
    qs = RiskGrade.objects.filter(business__status="active")
    if region:
        qs = qs.filter(region_id=region)
    if business_types:
        qs = qs.filter(business__business_type__in=list(business_types))
    if stratify == "credit":
        ids = list(qs.values_list("business_id", flat=True).order_by("business_id"))
        classes = credit_classes(ids, on=timezone.localdate())
        return [(bid, f"credit-{classes[bid].code}") for bid in ids]
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
        raise ValidationError({"code": _("抽取编号“%(code)s”已存在") % {"code": code}})
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


# ---------------------------------------------------------------------------------------------
# Predictive targeting: score the work list, annotate it.


def _choice_labels() -> dict[str, str]:
    """Chinese names of business types and scales, for the reasons stored with each score."""
    with translation.override("zh-hans"):
        return {str(v): str(label) for v, label in [*BusinessType.choices, *BusinessScale.choices]}


def targeting_score(
    *,
    actor: User | None,
    source: str,
    on: dt.date,
    cutoff: dt.date | None = None,
    test_months: int = 6,
    region: str | None = None,
) -> TargetingRun:
    """Train the model on the history up to `on`, score every active business in scope (of one town
    with `region`) and record the run with its weights, its backtest (trained up to `cutoff`,
    default `test_months` before `on`, tested on the inspections after it) and each business's
    score and top three reasons. One transaction, one audit entry for the run."""
    if actor is not None:
        require_cap(actor, Cap.RISK_MANAGE)
        if region:
            require_in_scope(actor, region=region)
    if not 1 <= test_months <= 24:
        raise ValidationError({"test_months": _("评估期应为1至24个月")})
    facts = selectors.targeting_facts()
    history = selectors.targeting_history(end=on)
    try:
        model = targeting.fit_until(facts, history, on)
    except targeting.TargetingError as exc:
        raise ValidationError({"on": str(exc)}) from None
    day_after = on + dt.timedelta(days=1)
    cutoff = cutoff or inspection_rules.add_months(day_after, -test_months) - dt.timedelta(days=1)
    if cutoff >= on:
        raise ValidationError(
            {"cutoff": _("评估截止日期 %(cutoff)s 应早于评分日期 %(on)s") % {"cutoff": cutoff, "on": on}}
        )
    metrics: dict[str, Any] = {
        "base_rate": round(model.positives / model.examples, 4),
        "complaints": "投诉特征取自主体事件台账中查证属实的投诉举报",
    }
    try:
        bt = targeting.backtest(facts, history, cutoff=cutoff, end=on)
        metrics["evaluation"] = {
            "cutoff": cutoff.isoformat(),
            **bt.evaluation.as_dict(),
            "train_auc": None if bt.train_auc is None else round(bt.train_auc, 4),
            "trained_examples": bt.model.examples,
            "by_grade": {
                k: v
                for k, v in bt.by_grade.as_dict().items()
                if k in ("days_earlier_mean", "first_half_model", "auc")
            },
        }
    except targeting.TargetingError as exc:
        metrics["evaluation"] = None
        metrics["evaluation_note"] = str(exc)

    scope = scope_for(actor) if actor is not None else None
    businesses = Business.objects.filter(status="active")
    if scope is not None:
        businesses = scope.apply(businesses, region_field="region_id", type_field="business_type")
    if region:
        businesses = businesses.filter(region_id=region)
    ids = list(businesses.values_list("id", flat=True).order_by("id").iterator(chunk_size=20_000))
    labels = _choice_labels()
    scored = []
    for bid in ids:
        feats = targeting.features_at(facts[bid], history, day_after)
        scored.append((model.score(feats), bid, feats))
    scored.sort(key=lambda s: (-s[0], s[1]))
    with transaction.atomic():
        run = TargetingRun.objects.create(
            edition=model.edition,
            scored_on=on,
            trained_from=model.trained_from,
            trained_to=model.trained_to,
            examples=model.examples,
            positives=model.positives,
            region_code=region or "",
            businesses=len(scored),
            metrics=metrics,
            weights=model.as_dict(),
            created_by=actor if actor is not None and actor.pk else None,
        )
        insert_rows(
            TargetingScore,
            ("run_id", "business_id", "region_id", "rank", "score", "grade", "features", "reasons"),
            [
                (
                    run.pk,
                    bid,
                    facts[bid].region,
                    rank,
                    min(1.0, max(0.0, score)),
                    rules.GRADES[feats["grade"]],
                    feats,
                    targeting.explain(model, feats, labels=labels),
                )
                for rank, (score, bid, feats) in enumerate(scored, start=1)
            ],
        )
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.GENERATE,
                object_type="risk.targeting_run",
                object_id=str(run.pk),
                object_repr=f"预测性排序 {on} {region or '全区'}",
                region_code=region or "",
                after={
                    "edition": model.edition,
                    "scored_on": on,
                    "businesses": len(scored),
                    "examples": model.examples,
                    "evaluation": metrics.get("evaluation"),
                },
            ),
        )
    return run


NOTE_MAX = 500


def targeting_annotate(
    *, actor: User, source: str, business: Business, text: str, run: TargetingRun | None = None
) -> TargetingNote:
    """An inspector's or officer's note on a business of the ranked list, audited."""
    require_cap(actor, Cap.RISK_ANNOTATE)
    require_in_scope(actor, region=business.region_id, business_type=business.business_type)
    clean = (text or "").strip()
    if not clean:
        raise ValidationError({"text": _("备注：请填写内容")})
    if len(clean) > NOTE_MAX:
        raise ValidationError(
            {
                "text": _("备注：不能超过 %(NOTE_MAX)s 字（现为 %(count)s 字）")
                % {"NOTE_MAX": NOTE_MAX, "count": len(clean)}
            }
        )
    with transaction.atomic():
        note = TargetingNote.objects.create(
            business=business, region_id=business.region_id, run=run, text=clean, author=actor
        )
        audit_record(
            actor=actor,
            source=source,
            event=model_event(
                AuditAction.CREATE,
                note,
                after={"business": business.pk, "run": run.pk if run else None, "text": clean},
                region=business.region_id,
            ),
        )
    return note
