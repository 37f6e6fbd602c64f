"""Several years of synthetic inspection history for the demo register, deterministic by seed.

Written straight to the tables in bulk (like the register's bulk path, one audit entry per year):
a demo of 12,000 businesses × 4 years would otherwise mean ~100,000 service calls."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction

from shian.core.audit import AuditEvent, audit_record
from shian.core.models import AuditAction, AuditSource, Role, User
from shian.registry.models import Business

from . import rules
from .models import Finding, Inspection, InspectionKind, InspectionStatus, Rectification, RectificationStatus

# How an inspector writes up a failed checklist item (the item's own words, its subject first).
_FINDING_FORMS = (
    "{subject}不符合要求：{detail}不到位",
    "现场检查发现{subject}问题，{detail}存在缺失",
    "{subject}：{detail}未落实，已责令改正",
    "{subject}不规范，{detail}记录不全",
)


def demo_finding(item_text: str, n: int) -> str:
    """A finding written from the checklist item that failed (not a placeholder), varied by `n`
    without drawing from the generator's random stream (the rest of the demo stays the same)."""
    subject, _sep, detail = item_text.partition("：")
    return _FINDING_FORMS[n % len(_FINDING_FORMS)].format(subject=subject, detail=detail or subject)


def demo_inspections_generate(
    *, seed: int, years: tuple[int, ...] = (2021, 2022, 2023, 2024), out: Callable[[str], None] = print
) -> int:
    """1–3 inspections a year per active business, a full checklist every other year, failures at a
    per-business propensity (so some businesses are persistently worse: grades and the model have
    signal), rectification orders closed mostly on time."""
    if Inspection.objects.exists():
        out("已有检查记录，跳过生成 / inspections exist, skipped")
        return 0
    inspectors = list(User.objects.filter(role=Role.INSPECTOR).values_list("pk", flat=True))
    if len(inspectors) < 2:
        inspectors += [
            User.objects.get_or_create(
                username=f"demo-inspector-{i}",
                defaults={"role": Role.INSPECTOR, "full_name": f"执法检查员{i}"},
            )[0].pk
            for i in range(2)
        ]
    rng = random.Random(seed)  # noqa: S311 - demo data must be reproducible
    businesses = list(
        Business.objects.filter(status="active")
        .values_list("id", "region_id", "business_type")
        .order_by("id")
    )
    propensity = {bid: rng.betavariate(1.2, 8) for bid, _r, _t in businesses}
    total = 0
    for year in years:
        rows: list[Inspection] = []
        fails: list[tuple[int, str, bool, str]] = []  # (row index, item, key, finding)
        for bid, region, btype in businesses:
            checklist = rules.checklist_for(btype, max(dt.date(year, 1, 1), dt.date(2022, 3, 15)))
            for k in range(rng.choice((1, 1, 2, 3))):
                day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(360))
                full = k == 0 and (bid + year) % 2 == 0
                answers = {}
                for item in checklist.items:
                    failed = rng.random() < propensity[bid] * (0.5 if item.key else 1)
                    answers[item.code] = rules.Answer.FAIL if failed else rules.Answer.PASS
                    if failed:
                        fails.append(
                            (len(rows), item.code, item.key, demo_finding(item.text, len(rows) + total))
                        )
                result = rules.inspection_result(
                    checklist, answers, rules.rules_in_force(dt.date(2022, 3, 15))
                )
                kf = sum(1 for i in checklist.items if i.key and answers[i.code] == "fail")
                gf = sum(1 for i in checklist.items if not i.key and answers[i.code] == "fail")
                submitted = dt.datetime.combine(day, dt.time(17), tzinfo=dt.UTC)
                rows.append(
                    Inspection(
                        business_id=bid,
                        region_id=region,
                        inspected_on=day,
                        kind=InspectionKind.ROUTINE,
                        checklist=checklist.code,
                        full_check=full,
                        answers=answers,
                        result=result,
                        key_failed=kf,
                        general_failed=gf,
                        status=InspectionStatus.SUBMITTED,
                        signed_by="负责人",
                        signed_at=submitted,
                        submitted_at=submitted,
                        publish_due=day + dt.timedelta(days=28),
                        published_on=day + dt.timedelta(days=rng.randrange(3, 25)),
                        rules_edition="samr-49-2022.1",
                    )
                )
        with transaction.atomic():
            Inspection.objects.bulk_create(rows, batch_size=2000)
            through = Inspection.inspectors.through
            links = []
            for ins in rows:
                a, b = rng.sample(inspectors, 2)
                links += [through(inspection_id=ins.pk, user_id=a), through(inspection_id=ins.pk, user_id=b)]
            through.objects.bulk_create(links, batch_size=5000)
            findings = [
                Finding(
                    inspection_id=rows[i].pk,
                    item_code=code,
                    key_item=key,
                    description=text,
                    corrected_on_spot=not key and rng.random() < 0.4,
                )
                for i, code, key, text in fails
            ]
            Finding.objects.bulk_create(findings, batch_size=5000)
            orders = []
            by_id = {r.pk: r for r in rows}
            for f in findings:
                if f.corrected_on_spot:
                    continue
                day = by_id[f.inspection_id].inspected_on
                due = day + dt.timedelta(days=14)
                late = rng.random() < 0.15
                orders.append(
                    Rectification(
                        finding=f,
                        region_id=by_id[f.inspection_id].region_id,
                        ordered_on=day,
                        working_days=10,
                        due=due,
                        status=RectificationStatus.DONE,
                        closed_on=due + dt.timedelta(days=rng.randrange(1, 20))
                        if late
                        else day + dt.timedelta(days=rng.randrange(1, 14)),
                    )
                )
            Rectification.objects.bulk_create(orders, batch_size=5000)
            audit_record(
                actor=None,
                source=AuditSource.COMMAND,
                event=AuditEvent(
                    action=AuditAction.GENERATE,
                    object_type="inspections.demo",
                    object_id=str(year),
                    after={
                        "inspections": len(rows),
                        "findings": len(findings),
                        "rectifications": len(orders),
                    },
                ),
            )
        total += len(rows)
        out(f"  {year} 年检查记录 {len(rows)} 条")
    return total


def demo_campaign_inspections_generate(*, seed: int, out: Callable[[str], None] = print) -> int:
    """The plan's special campaigns carried out: about nine in ten businesses in each campaign's
    scope inspected under it during the campaign (kind "campaign", the campaign's checklist, all
    items met), so campaign coverage and the town index read records, not a typed figure. A
    separate random stream: the routine history above is unchanged."""
    from shian.core.models import Region
    from shian.registry.models import BusinessFoodCategory

    if Inspection.objects.filter(kind=InspectionKind.CAMPAIGN).exists():
        return 0
    rng = random.Random(seed + 4)  # noqa: S311 - demo data must be reproducible
    inspectors = list(User.objects.filter(role=Role.INSPECTOR).values_list("pk", flat=True))
    if len(inspectors) < 2:
        return 0
    levels = dict(Region.objects.values_list("code", "level"))
    cats: dict[int, list[str]] = {}
    for bid, cat in BusinessFoodCategory.objects.values_list("business_id", "category_id").iterator(
        chunk_size=50_000
    ):
        cats.setdefault(bid, []).append(cat)
    businesses = list(
        Business.objects.filter(status="active")
        .values_list("id", "region_id", "business_type")
        .order_by("id")
    )
    checklists = rules.load_checklists()
    rows: list[Inspection] = []
    for c in rules.load_campaigns().values():
        span = (c.ends - c.starts).days
        for bid, region, btype in businesses:
            if not c.covers(
                business_type=btype,
                categories=cats.get(bid, ()),
                region_code=region,
                region_level=levels.get(region, ""),
            ):
                continue
            if rng.random() >= 0.9:
                continue
            day = c.starts + dt.timedelta(days=rng.randrange(span + 1))
            try:
                checklist = (
                    checklists[c.checklist]
                    if c.checklist in checklists
                    else rules.checklist_for(btype, max(day, dt.date(2022, 3, 15)))
                )
            except rules.InspectionRuleError:
                continue
            submitted = dt.datetime.combine(day, dt.time(16), tzinfo=dt.UTC)
            rows.append(
                Inspection(
                    business_id=bid,
                    region_id=region,
                    inspected_on=day,
                    kind=InspectionKind.CAMPAIGN,
                    campaign=c.code,
                    checklist=checklist.code,
                    answers={i.code: rules.Answer.PASS for i in checklist.items},
                    result="pass",
                    status=InspectionStatus.SUBMITTED,
                    signed_by="负责人",
                    signed_at=submitted,
                    submitted_at=submitted,
                    publish_due=day + dt.timedelta(days=28),
                    published_on=day + dt.timedelta(days=rng.randrange(3, 25)),
                    rules_edition="samr-49-2022.1",
                )
            )
    with transaction.atomic():
        Inspection.objects.bulk_create(rows, batch_size=2000)
        through = Inspection.inspectors.through
        links = []
        for ins in rows:
            a, b = rng.sample(inspectors, 2)
            links += [through(inspection_id=ins.pk, user_id=a), through(inspection_id=ins.pk, user_id=b)]
        through.objects.bulk_create(links, batch_size=5000)
        audit_record(
            actor=None,
            source=AuditSource.COMMAND,
            event=AuditEvent(
                action=AuditAction.GENERATE,
                object_type="inspections.demo",
                object_id="campaigns",
                after={"inspections": len(rows)},
            ),
        )
    out(f"  专项行动检查记录 {len(rows)} 条")
    return len(rows)
