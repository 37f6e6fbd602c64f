"""A year of synthetic evidence for the 2022 plan: a coordinator roster, quarterly figures
reported by the units, unit and town reports through their workflow, quarter-end evaluations with
their supervision notices, answers and interviews. Deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction

from shian.core.models import AuditSource, Coordinator, Department, Region, RegionLevel, Role, User
from shian.metrics.services import index_compute, index_publish
from shian.planning.models import (
    AnnualPlan,
    PlanStatus,
    ProgressReport,
    ReportedFigure,
    ReportStatus,
    SupervisionNotice,
    Target,
)
from shian.planning.planfile import parse_plan
from shian.planning.rules import quarter_ends
from shian.planning.services import (
    ensure_reports,
    figure_report,
    figure_review,
    notice_respond,
    plan_evaluate,
    plan_load,
    progress_report_save,
    progress_report_set_status,
    target_owners,
)

PLAN_FILE = Path(__file__).resolve().parent.parent / "planning" / "data" / "beichen-2022.toml"
# Units that the demo makes lag behind, so supervision and interviews have something to show.
LAGGING_UNITS = {"industry", "ecology"}


def _moment(day: dt.date) -> dt.datetime:
    """10:00 Beijing time on a day of the demo's year."""
    return dt.datetime.combine(day, dt.time(10), tzinfo=ZoneInfo("Asia/Shanghai"))


def _system_user(role: str, *, department: str | None = None, region: str | None = None) -> User:
    name = f"demo-{department or region or role}"
    user, created = User.objects.get_or_create(
        username=name,
        defaults={
            "role": role,
            "department_id": department,
            "region_id": region,
            "full_name": f"演示数据（{department or region or role}）",
        },
    )
    if created or not user.is_active:
        user.is_active = True
        user.set_unusable_password()  # acts in the demo's history; nobody can log in as it
        user.save(update_fields=["password", "is_active"])
    return user


def demo_plan_build(*, seed: int, out: Callable[[str], object] = print) -> AnnualPlan:
    existing = AnnualPlan.objects.filter(year=2022, status=PlanStatus.ACTIVE).first()
    if existing is not None:
        out("2022年计划已存在，跳过 / the 2022 plan exists")
        return existing
    rng = random.Random(seed)
    office = User.objects.filter(role=Role.DISTRICT_OFFICER, is_active=True).first() or _system_user(
        Role.DISTRICT_OFFICER
    )
    spec = parse_plan(
        PLAN_FILE.read_text(encoding="utf-8"),
        departments=set(Department.objects.values_list("code", flat=True)),
        regions=set(Region.objects.values_list("code", flat=True)),
    )
    plan = plan_load(actor=office, source=AuditSource.COMMAND, spec=spec)
    ensure_reports(plan=plan, periods=["Q1", "Q2", "Q3", "Q4", "Y"])

    towns = list(Region.objects.exclude(level=RegionLevel.DISTRICT))
    with transaction.atomic():
        for town in towns:
            # About one per 10,000 residents, some towns short of it.
            n = max(1, round(town.population / 10000 * rng.uniform(0.75, 1.15)))
            Coordinator.objects.bulk_create(
                [
                    Coordinator(
                        name=f"{town.name[:2]}协管员{i + 1:02d}",
                        region=town,
                        full_time=rng.random() > 0.1,
                        since=dt.date(2021, rng.randint(1, 12), 1),
                    )
                    for i in range(n)
                ]
            )

    liaisons = {
        d: _system_user(Role.DEPARTMENT_LIAISON, department=d)
        for d in Department.objects.values_list("code", flat=True)
    }
    town_users = {t.code: _system_user(Role.TOWN_OFFICER, region=t.code) for t in towns}
    targets = list(
        Target.objects.filter(task__plan=plan).select_related("task").prefetch_related("task__assignments")
    )
    # Nobody reviews their own figure: the office's keyed-in figures are reviewed by a second officer.
    second_officer = _system_user(Role.DISTRICT_OFFICER)
    if second_officer.pk == office.pk:
        second_officer = _system_user(Role.DISTRICT_ADMIN)

    def reviewer_for(figure: ReportedFigure) -> User:
        return second_officer if figure.reported_by_id == office.pk else office

    quarters = quarter_ends(2022)
    for q, end in enumerate(quarters, start=1):
        share = Decimal(q) / 4
        for target in targets:
            if target.kind == "indicator":
                continue
            owners = target_owners(target)
            unit = owners[0] if owners else "office"
            pace = Decimal("0.55") if unit in LAGGING_UNITS else Decimal(str(rng.uniform(0.9, 1.08)))
            if target.kind == "milestone":
                if target.due > end and q < 4:
                    continue
                value = target.value if unit not in LAGGING_UNITS else Decimal(0)
                note = "已完成，见附件" if value else "尚未完成"
            else:
                cumulative = target.unit not in ("%", "个/万吨", "批次/千人")
                value = (
                    (target.value * share * pace)
                    if cumulative
                    else min(
                        target.value * pace * (Decimal("0.7") + Decimal("0.3") * share),
                        target.value * Decimal("1.02"),
                        # A rate is a part of a whole: never above 100 % (planning.rules).
                        Decimal(100) if target.unit == "%" and not target.may_exceed else Decimal("Infinity"),
                    )
                )
                # Counts are whole: round up, so a target of one round is met in the quarter it is held.
                value = (
                    value.to_integral_value(rounding="ROUND_CEILING")
                    if cumulative
                    else value.quantize(Decimal("0.01"))
                )
                note = f"{q}季度累计" if cumulative else f"截至{q}季度末"
            actor = office if unit == "office" else liaisons[unit]
            figure = figure_report(
                actor=actor,
                source=AuditSource.COMMAND,
                target=target,
                value=value,
                period_end=end,
                note=note,
                evidence_refs=f"{target.code} {q}季度工作台账（{unit}）",
                department=Department.objects.get(pk=unit) if actor is office else None,
            )
            # The office reviews each figure within days: most accepted, a few returned and
            # reported again with the missing evidence, which is then accepted.
            reviewer = reviewer_for(figure)
            if rng.random() < 0.06:
                figure_review(
                    actor=reviewer,
                    source=AuditSource.COMMAND,
                    figure=figure,
                    accept=False,
                    reason="请补充台账原件或汇总表",
                    at=_moment(end + dt.timedelta(days=5)),
                )
                figure = figure_report(
                    actor=actor,
                    source=AuditSource.COMMAND,
                    target=target,
                    value=value,
                    period_end=end,
                    note=note + "（补充材料）",
                    evidence_refs=f"{target.code} {q}季度工作台账（{unit}）\n汇总表（盖章扫描件）",
                    department=Department.objects.get(pk=unit) if actor is office else None,
                )
            figure_review(
                actor=reviewer,
                source=AuditSource.COMMAND,
                figure=figure,
                accept=True,
                at=_moment(end + dt.timedelta(days=8)),
            )
        # Reports: towns and units file theirs; most are accepted, a few returned then fixed.
        period = f"Q{q}"
        for report in ProgressReport.objects.filter(plan=plan, period=period):
            author = (
                liaisons[report.department_id] if report.department_id else town_users[str(report.region_id)]
            )
            if report.department_id in LAGGING_UNITS and rng.random() < 0.7:
                continue  # never filed
            progress_report_save(
                actor=author,
                source=AuditSource.COMMAND,
                plan=plan,
                period=period,
                body=f"{period}食品安全工作情况：按计划推进各项任务。",
            )
            report.refresh_from_db()
            # Filed a few days after the quarter ends: most within the 10 working days allowed.
            when = _moment(end + dt.timedelta(days=rng.choice([3, 5, 7, 9, 11, 13, 20])))
            progress_report_set_status(
                actor=author,
                source=AuditSource.COMMAND,
                report=report,
                status=ReportStatus.SUBMITTED,
                at=when,
            )
            report.refresh_from_db()
            if rng.random() < 0.15:
                progress_report_set_status(
                    actor=office,
                    source=AuditSource.COMMAND,
                    report=report,
                    status=ReportStatus.RETURNED,
                    note="请补充抽检和检查数据",
                    at=when + dt.timedelta(days=2),
                )
                report.refresh_from_db()
                progress_report_save(
                    actor=author,
                    source=AuditSource.COMMAND,
                    plan=plan,
                    period=period,
                    body=f"{period}食品安全工作情况（补充抽检和检查数据）。",
                )
                report.refresh_from_db()
                when = when + dt.timedelta(days=5)
                progress_report_set_status(
                    actor=author,
                    source=AuditSource.COMMAND,
                    report=report,
                    status=ReportStatus.SUBMITTED,
                    at=when,
                )
                report.refresh_from_db()
            progress_report_set_status(
                actor=office,
                source=AuditSource.COMMAND,
                report=report,
                status=ReportStatus.ACCEPTED,
                at=when + dt.timedelta(days=3),
            )
        # The quarter's town index (a draft: it is published only when enough components have data).
        run = index_compute(actor=office, source=AuditSource.COMMAND, year=2022, quarter=q)
        try:
            index_publish(actor=office, source=AuditSource.COMMAND, run=run)
        except ValidationError as exc:
            out(f"  {q}季度指数未发布：{'；'.join(exc.messages)}")
        plan_evaluate(actor=office, source=AuditSource.COMMAND, plan=plan, as_of=end)
        for notice in SupervisionNotice.objects.filter(plan=plan, issued_on=end, status="issued"):
            if notice.department_id in LAGGING_UNITS:
                continue  # left unanswered: these units end up on the interview list
            days = rng.randint(3, 12)
            notice_respond(
                actor=office
                if notice.department_id in (None, "office")
                else liaisons[str(notice.department_id)],
                source=AuditSource.COMMAND,
                notice=notice,
                response="已研究部署，限期整改。",
                on=end + dt.timedelta(days=days),
            )
    # The year-end reports of the towns and units that keep up.
    for report in ProgressReport.objects.filter(plan=plan, period="Y"):
        if report.department_id in LAGGING_UNITS:
            continue
        author = liaisons[report.department_id] if report.department_id else town_users[str(report.region_id)]
        progress_report_save(
            actor=author, source=AuditSource.COMMAND, plan=plan, period="Y", body="2022年度食品安全工作总结。"
        )
        report.refresh_from_db()
        when = _moment(dt.date(2022, 12, rng.randint(15, 28)))
        progress_report_set_status(
            actor=author, source=AuditSource.COMMAND, report=report, status=ReportStatus.SUBMITTED, at=when
        )
        report.refresh_from_db()
        progress_report_set_status(
            actor=office,
            source=AuditSource.COMMAND,
            report=report,
            status=ReportStatus.ACCEPTED,
            at=when + dt.timedelta(days=1),
        )
    out(f"2022年计划及一年演示数据已生成：{SupervisionNotice.objects.filter(plan=plan).count()} 份督办通知")
    return plan
