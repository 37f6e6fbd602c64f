"""Writes of the annual plan: load and copy a plan, report figures, file and decide unit reports,
raise supervision notices and interview-list entries by rule. Each: permission, one transaction,
audit entries in it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core import indicators
from shian.core.audit import AuditEvent, audit_record_many, model_event, snapshot
from shian.core.calendar import WorkingCalendar
from shian.core.models import AuditAction, Department, Region, RegionLevel, Role, User
from shian.core.permissions import Cap, has_cap, require_cap

from . import rules
from .models import (
    AnnualPlan,
    AssignmentRole,
    Commendation,
    FigureStatus,
    Interview,
    PlanEvaluation,
    PlanSection,
    PlanStatus,
    PlanTask,
    ProgressReport,
    ReportedFigure,
    ReportPeriod,
    ReportStatus,
    SamplingAllocation,
    SamplingAllocationRow,
    SamplingVote,
    SupervisionNotice,
    Target,
    TaskAssignment,
)
from .planfile import PlanSpec
from .sampling_plan import summary_of


def plan_load(*, actor: User | None, source: str, spec: PlanSpec, activate: bool = True) -> AnnualPlan:
    """Create a plan, its sections, tasks, owners and targets from a checked specification."""
    if actor is not None:
        require_cap(actor, Cap.PLAN_MANAGE)
    with transaction.atomic():
        if AnnualPlan.objects.filter(region_id=spec.region, year=spec.year, version=spec.version).exists():
            raise ValidationError(
                _("%(year)s年计划第%(version)s版已存在；修改文件中的 version 后再导入")
                % {"year": spec.year, "version": spec.version}
            )
        if activate:
            AnnualPlan.objects.filter(region_id=spec.region, year=spec.year, status=PlanStatus.ACTIVE).update(
                status=PlanStatus.ARCHIVED
            )
        plan = AnnualPlan.objects.create(
            year=spec.year,
            version=spec.version,
            region_id=spec.region,
            title=spec.title,
            source=spec.source,
            starts=spec.starts,
            ends=spec.ends,
            status=PlanStatus.ACTIVE if activate else PlanStatus.DRAFT,
        )
        events = [model_event(AuditAction.CREATE, plan, after=snapshot(plan), region=spec.region)]
        sections = {
            no: PlanSection.objects.create(plan=plan, no=no, title=title)
            for no, title in spec.sections.items()
        }
        towns = list(Region.objects.exclude(level=RegionLevel.DISTRICT).values_list("code", flat=True))
        for t in spec.tasks:
            task = PlanTask.objects.create(
                plan=plan,
                section=sections[t.section],
                no=t.no,
                title=t.title,
                summary=t.summary,
                due=t.due,
                assigned_by_office=t.assigned_by_office,
            )
            assignments = [
                TaskAssignment(task=task, role=AssignmentRole.LEAD, department_id=d) for d in t.lead
            ]
            assignments += [
                TaskAssignment(task=task, role=AssignmentRole.PARTNER, department_id=d)
                for d in t.partners
                if d not in t.lead
            ]
            assignments += [
                TaskAssignment(task=task, role=AssignmentRole.TOWN, region_id=r)
                for r in (t.towns if t.towns is not None else towns)
            ]
            TaskAssignment.objects.bulk_create(assignments)
            events.append(
                model_event(
                    AuditAction.CREATE,
                    task,
                    after={
                        "no": t.no,
                        "title": t.title,
                        "lead": t.lead,
                        "partners": t.partners,
                        "due": t.due.isoformat(),
                        "assigned_by_office": t.assigned_by_office,
                    },
                )
            )
            for g in t.targets:
                target = Target.objects.create(
                    task=task,
                    code=g.code,
                    description=g.description,
                    kind=g.kind,
                    indicator_code=g.indicator,
                    comparator=g.comparator,
                    value=g.value,
                    unit=g.unit,
                    due=g.due,
                    owner_id=g.owner,
                    pace=g.pace,
                    may_exceed=g.may_exceed,
                )
                events.append(model_event(AuditAction.CREATE, target, after=snapshot(target)))
        audit_record_many(actor=actor, source=source, events=events)
    return plan


def plan_copy(*, actor: User | None, source: str, plan: AnnualPlan, year: int) -> AnnualPlan:
    """Next year's plan as a draft copy: same tasks, owners and targets, dates moved to `year`."""
    if actor is not None:
        require_cap(actor, Cap.PLAN_MANAGE)
    shift = year - plan.year

    def moved(d: dt.date) -> dt.date:
        try:
            return d.replace(year=d.year + shift)
        except ValueError:  # 29 February
            return d.replace(year=d.year + shift, day=28)

    with transaction.atomic():
        version = (
            AnnualPlan.objects.filter(region=plan.region, year=year)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
            or 0
        ) + 1
        new = AnnualPlan.objects.create(
            year=year,
            version=version,
            region=plan.region,
            title=plan.title.replace(str(plan.year), str(year)),
            source=f"复制自 {plan.year} 年计划第{plan.version}版",
            status=PlanStatus.DRAFT,
            starts=moved(plan.starts),
            ends=moved(plan.ends),
            copied_from=plan,
        )
        sections = {
            s.pk: PlanSection.objects.create(plan=new, no=s.no, title=s.title) for s in plan.sections.all()
        }
        for task in plan.tasks.prefetch_related("assignments", "targets"):
            copy = PlanTask.objects.create(
                plan=new,
                section=sections[task.section_id],
                no=task.no,
                title=task.title,
                summary=task.summary,
                due=moved(task.due),
                assigned_by_office=task.assigned_by_office,
            )
            TaskAssignment.objects.bulk_create(
                [
                    TaskAssignment(
                        task=copy, role=a.role, department_id=a.department_id, region_id=a.region_id
                    )
                    for a in task.assignments.all()
                ]
            )
            Target.objects.bulk_create(
                [
                    Target(
                        task=copy,
                        code=g.code,
                        description=g.description,
                        kind=g.kind,
                        indicator_code=g.indicator_code,
                        comparator=g.comparator,
                        value=g.value,
                        unit=g.unit,
                        due=moved(g.due),
                        owner_id=g.owner_id,
                        pace=g.pace,
                        may_exceed=g.may_exceed,
                    )
                    for g in task.targets.all()
                ]
            )
        audit_record_many(
            actor=actor,
            source=source,
            events=[model_event(AuditAction.CREATE, new, after={**snapshot(new), "copied_from": plan.pk})],
        )
    return new


# ------------------------------------------------------------------ who answers for what


def unit_of(user: User) -> tuple[str | None, str | None]:
    """(department code, region code) a user reports for."""
    if user.role == Role.DEPARTMENT_LIAISON:
        return user.department_id, None
    if user.role == Role.TOWN_OFFICER:
        return None, user.region_id
    return None, None


def target_owners(target: Target) -> list[str]:
    """Departments answerable for a target: its own owner, else the task's lead units."""
    if target.owner_id:
        return [target.owner_id]
    return [
        a.department_id
        for a in target.task.assignments.all()
        if a.role == AssignmentRole.LEAD and a.department_id
    ]


# ------------------------------------------------------------------ reported figures


def figure_report(
    *,
    actor: User,
    source: str,
    target: Target,
    value: Decimal,
    period_end: dt.date,
    note: str = "",
    evidence: Any = None,
    evidence_refs: str = "",
    department: Department | None = None,
) -> ReportedFigure:
    """A responsible unit reports a figure with its evidence (a file, or the records it rests on),
    awaiting the district office's review (待审核). A figure that cannot be true (a rate above
    100 %, a negative number) is refused; one that the platform's own records contradict is
    recorded with the records' figure beside it and flagged."""
    require_cap(actor, Cap.PLAN_REPORT)
    dept_code, region_code = unit_of(actor)
    owners = target_owners(target)
    if actor.role == Role.DEPARTMENT_LIAISON and dept_code not in owners:
        raise PermissionDenied("该目标不由本单位负责")
    if department is not None and department.pk != dept_code:
        # A unit or a town reports for itself; only the district office records a figure on a
        # unit's behalf (a paper return keyed in). No one files a figure as another unit.
        if not has_cap(actor, Cap.PLAN_MANAGE):
            raise ValidationError({"department": _("只能填报本单位（本镇街）的数据")})
        dept_code = department.pk
    edition = rules.rules_in_force(period_end)
    problem = rules.figure_implausible(value, unit=target.unit, may_exceed=target.may_exceed, rules=edition)
    if problem:
        raise ValidationError({"value": problem}, code="implausible")
    evidence_refs = "\n".join(line.strip() for line in evidence_refs.splitlines() if line.strip())[:2000]
    if not evidence and not evidence_refs:
        raise ValidationError(
            {
                "evidence": _(
                    "上报数据须附证明材料：上传文件，或写明所依据的记录（文件文号、台账名称或平台记录）"
                )
            },
            code="no_evidence",
        )
    computed = None
    if target.indicator_code:
        plan = target.task.plan
        result = indicators.compute(target.indicator_code, indicators.Period(plan.starts, period_end))
        computed = result.value
    flag = rules.figure_contradicts(value, computed, edition, target.unit) or ""
    with transaction.atomic():
        figure = ReportedFigure(
            target=target,
            department_id=dept_code,
            region_id=region_code,
            period_end=period_end,
            value=value,
            note=note,
            evidence_refs=evidence_refs,
            computed_value=None if computed is None else computed.quantize(Decimal("0.0001")),
            reported_by=actor,
            flag=flag,
        )
        if evidence:
            figure.evidence = evidence
        figure.full_clean()
        figure.save()
        audit_record_many(
            actor=actor,
            source=source,
            events=[
                model_event(
                    AuditAction.CREATE,
                    figure,
                    after={
                        **snapshot(
                            figure,
                            [
                                "target_id",
                                "period_end",
                                "value",
                                "note",
                                "evidence_refs",
                                "computed_value",
                                "flag",
                            ],
                        ),
                        "evidence": figure.evidence.name if figure.evidence else "",
                    },
                    region=region_code or "",
                )
            ],
        )
    return figure


# A figure's review: (from, to). Returned figures are reported again as a new figure.
FIGURE_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {(FigureStatus.SUBMITTED, FigureStatus.ACCEPTED), (FigureStatus.SUBMITTED, FigureStatus.RETURNED)}
)


def figure_review(
    *,
    actor: User,
    source: str,
    figure: ReportedFigure,
    accept: bool,
    reason: str = "",
    at: dt.datetime | None = None,
) -> ReportedFigure:
    """The district office accepts a reported figure, or returns it with its reason. Only a figure
    awaiting review can be decided, and not by the person who reported it (a figure keyed in by the
    office is reviewed by another officer). Progress and status count accepted figures only."""
    require_cap(actor, Cap.PLAN_MANAGE)
    reason = reason.strip()[:300]
    if not accept and not reason:
        raise ValidationError({"reason": _("退回须写明理由")}, code="reason_required")
    with transaction.atomic():
        locked = ReportedFigure.objects.select_for_update().get(pk=figure.pk)
        new = FigureStatus.ACCEPTED if accept else FigureStatus.RETURNED
        if (locked.status, new) not in FIGURE_TRANSITIONS:
            raise ValidationError(
                _("该数据已%(value)s，不能再审核")
                % {"value": rules.FIGURE_STATUS_LABELS.get(locked.status, locked.status)},
                code="decided",
            )
        if locked.reported_by_id is not None and locked.reported_by_id == actor.pk:
            raise PermissionDenied("不能审核本人填报的数据")
        before = snapshot(locked, ["status", "reviewed_by_id", "reviewed_at", "review_note"])
        locked.status = new
        locked.reviewed_by = actor
        locked.reviewed_at = at or timezone.now()
        locked.review_note = reason
        locked.full_clean(exclude=["reported_by"])  # a figure keyed in from paper may name no reporter
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        audit_record_many(
            actor=actor,
            source=source,
            events=[
                model_event(
                    AuditAction.UPDATE,
                    locked,
                    before=before,
                    after=snapshot(locked, ["status", "reviewed_by_id", "reviewed_at", "review_note"]),
                    region=locked.region_id or "",
                )
            ],
        )
    return locked


# ------------------------------------------------------------------ unit and town reports

# The reports' workflow: (from, to) -> who may make the move.
REPORT_TRANSITIONS: dict[tuple[str, str], str] = {
    (ReportStatus.DRAFT, ReportStatus.SUBMITTED): "author",
    (ReportStatus.RETURNED, ReportStatus.SUBMITTED): "author",
    (ReportStatus.SUBMITTED, ReportStatus.RETURNED): "office",
    (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED): "office",
}


def report_due(plan: AnnualPlan, period: str) -> dt.date:
    if period == ReportPeriod.YEAR:
        return plan.ends  # 任务（一）: “年底前……报告”
    quarter = int(period[1])
    edition = rules.rules_in_force(plan.starts)
    end = rules.quarter_ends(plan.year)[quarter - 1]
    return WorkingCalendar().deadline(end, edition.quarterly_report_working_days).due


def progress_report_save(
    *,
    actor: User,
    source: str,
    plan: AnnualPlan,
    period: str,
    body: str,
    attachment: Any = None,
) -> ProgressReport:
    """Create or edit the actor's unit's (or town's) draft report for a period."""
    require_cap(actor, Cap.PLAN_REPORT)
    dept_code, region_code = unit_of(actor)
    if dept_code is None and region_code is None:
        raise PermissionDenied("只有部门联络员和镇街工作人员填报本单位报告")
    with transaction.atomic():
        report, created = ProgressReport.objects.select_for_update().get_or_create(
            plan=plan,
            period=period,
            department_id=dept_code,
            region_id=region_code,
            defaults={"due": report_due(plan, period)},
        )
        if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
            raise ValidationError(_("报告已提交，不能修改"))
        before = {"body": report.body}
        report.body = body
        if attachment:
            report.attachment = attachment
        report.save()
        audit_record_many(
            actor=actor,
            source=source,
            events=[
                model_event(
                    AuditAction.CREATE if created else AuditAction.UPDATE,
                    report,
                    before=None if created else before,
                    after={
                        "body": body,
                        "period": period,
                        "attachment": report.attachment.name if report.attachment else "",
                    },
                    region=region_code or "",
                )
            ],
        )
    return report


def progress_report_set_status(
    *,
    actor: User,
    source: str,
    report: ProgressReport,
    status: str,
    note: str = "",
    at: dt.datetime | None = None,
) -> ProgressReport:
    """The one place a report changes status, through REPORT_TRANSITIONS.

    `at` records when the move happened when it is entered after the fact (a paper report keyed in
    later, or the demo's history); the audit entry keeps the real time of entry."""
    if status not in ReportStatus.values:
        raise ValidationError(
            {
                "status": _("未知的报告状态“%(value)s”，可用：%(value2)s")
                % {"value": status[:20], "value2": "、".join(ReportStatus.values)}
            }
        )
    who = REPORT_TRANSITIONS.get((report.status, status))
    if who is None:
        raise ValidationError(
            _("报告不能从“%(label)s”变为“%(label2)s”")
            % {"label": ReportStatus(report.status).label, "label2": ReportStatus(status).label}
        )
    if who == "office":
        require_cap(actor, Cap.PLAN_MANAGE)
        if status == ReportStatus.RETURNED and not note.strip():
            raise ValidationError({"note": _("退回报告须说明理由")})
    else:
        require_cap(actor, Cap.PLAN_REPORT)
        if unit_of(actor) != (report.department_id, report.region_id):
            raise PermissionDenied("只能提交本单位的报告")
        if not report.body.strip() and not report.attachment:
            raise ValidationError({"body": _("报告内容和附件不能都为空")})
    with transaction.atomic():
        locked = ProgressReport.objects.select_for_update().get(pk=report.pk)
        old = locked.status
        locked.status = status
        now = at or timezone.now()
        if status == ReportStatus.SUBMITTED:
            locked.submitted_at = now
        else:
            locked.decided_at = now
            locked.decision_note = note
        locked.save()
        audit_record_many(
            actor=actor,
            source=source,
            events=[
                model_event(
                    AuditAction.UPDATE,
                    locked,
                    before={"status": old},
                    after={"status": status, "note": note},
                    region=locked.region_id or "",
                )
            ],
        )
    return locked


# ------------------------------------------------------------------ supervision and interviews


def plan_evaluate(*, actor: User | None, source: str, plan: AnnualPlan, as_of: dt.date) -> dict[str, int]:
    """Quarter-end evaluation (任务（一）督查督办, 任务（三）约谈): raise a notice for every lagging or
    late target to the units answerable for it, and list units that stay behind for an interview.
    Re-running on the same date changes nothing."""
    from .selectors import plan_status  # selectors read; the evaluation acts on what they say

    if actor is not None:
        require_cap(actor, Cap.PLAN_MANAGE)
    edition = rules.rules_in_force(as_of)
    calendar = WorkingCalendar()
    deadline = calendar.deadline(as_of, edition.notice_response_working_days)
    created_notices = created_interviews = 0
    events: list[AuditEvent] = []
    with transaction.atomic():
        # The round itself counts towards the supervision target, so it is recorded first.
        evaluation, created = PlanEvaluation.objects.select_for_update().get_or_create(
            plan=plan, as_of=as_of, defaults={"rule": edition.id}
        )
        if not created:
            return {"notices": 0, "interviews": 0}
        rows = plan_status(plan=plan, as_of=as_of)
        for row in rows:
            if not rules.needs_notice(row.status):
                continue
            for dept in target_owners(row.target):
                notice, created = SupervisionNotice.objects.get_or_create(
                    plan=plan,
                    task=row.target.task,
                    target=row.target,
                    department_id=dept,
                    region=None,
                    issued_on=as_of,
                    defaults={
                        "reason": f"目标“{row.target.description}”{row.status_label}：{row.figure_text}",
                        "rule": edition.id,
                        "response_due": deadline.due,
                        "response_due_provisional": deadline.provisional,
                    },
                )
                if created:
                    created_notices += 1
                    events.append(
                        model_event(
                            AuditAction.CREATE,
                            notice,
                            after=snapshot(
                                notice,
                                [
                                    "task_id",
                                    "target_id",
                                    "department_id",
                                    "reason",
                                    "rule",
                                    "issued_on",
                                    "response_due",
                                ],
                            ),
                        )
                    )
        # Interview list: per unit, notices unanswered past their deadline, and lagging quarter ends.
        quarter_ends = [d for d in rules.quarter_ends(plan.year) if d <= as_of]
        lagging_by_unit: dict[str, list[bool]] = {}
        for end in quarter_ends:
            behind = {
                d
                for r in (rows if end == as_of else plan_status(plan=plan, as_of=end))
                if rules.needs_notice(r.status)
                for d in target_owners(r.target)
            }
            for dept in Department.objects.values_list("code", flat=True):
                lagging_by_unit.setdefault(dept, []).append(dept in behind)
        for dept, history in lagging_by_unit.items():
            unanswered = SupervisionNotice.objects.filter(
                Q(responded_on__isnull=True) | Q(responded_on__gt=F("response_due")),
                plan=plan,
                department_id=dept,
                response_due__lt=as_of,
            ).count()
            reason = rules.needs_interview(
                unanswered_notices=unanswered, lagging_quarter_ends=history, rules=edition
            )
            if (
                reason is None
                or Interview.objects.filter(plan=plan, department_id=dept).exclude(status="closed").exists()
            ):
                continue
            interview = Interview.objects.create(
                plan=plan, department_id=dept, reason=reason, rule=edition.id, listed_on=as_of
            )
            created_interviews += 1
            events.append(
                model_event(
                    AuditAction.CREATE,
                    interview,
                    after=snapshot(interview, ["department_id", "reason", "rule", "listed_on"]),
                )
            )
        evaluation.notices, evaluation.interviews = created_notices, created_interviews
        evaluation.save(update_fields=["notices", "interviews"])
        events.append(
            model_event(
                AuditAction.CREATE,
                evaluation,
                after=snapshot(evaluation, ["as_of", "rule", "notices", "interviews"]),
            )
        )
        audit_record_many(actor=actor, source=source, events=events)
    return {"notices": created_notices, "interviews": created_interviews}


def notice_respond(
    *, actor: User, source: str, notice: SupervisionNotice, response: str, on: dt.date | None = None
) -> SupervisionNotice:
    require_cap(actor, Cap.PLAN_REPORT)
    dept_code, region_code = unit_of(actor)
    office_answers = notice.department_id == "office" and has_cap(actor, Cap.PLAN_MANAGE)
    if not office_answers and (notice.department_id or None, notice.region_id or None) != (
        dept_code,
        region_code,
    ):
        raise PermissionDenied("只能回复本单位的督办通知")
    if notice.status != "issued":
        raise ValidationError(_("该督办通知已回复"))
    if not response.strip():
        raise ValidationError({"response": _("回复内容不能为空")})
    with transaction.atomic():
        notice.status = "responded"
        notice.response = response
        notice.responded_on = on or timezone.localdate()
        notice.save(update_fields=["status", "response", "responded_on"])
        audit_record_many(
            actor=actor,
            source=source,
            events=[
                model_event(
                    AuditAction.UPDATE,
                    notice,
                    before={"status": "issued"},
                    after={
                        "status": "responded",
                        "response": response,
                        "responded_on": notice.responded_on.isoformat(),
                    },
                )
            ],
        )
    return notice


def ensure_reports(
    *, plan: AnnualPlan, periods: Iterable[str], actor: User | None = None, source: str = "system"
) -> int:
    """Open the expected reports (drafts) for every lead or partner unit and every town, in one
    transaction with an audit entry for each report opened."""
    if actor is not None:
        require_cap(actor, Cap.PLAN_MANAGE)
    units = sorted(
        set(
            TaskAssignment.objects.filter(task__plan=plan, department__isnull=False).values_list(
                "department_id", flat=True
            )
        )
    )
    towns = list(Region.objects.exclude(level=RegionLevel.DISTRICT).values_list("code", flat=True))
    events: list[AuditEvent] = []
    with transaction.atomic():
        for period in periods:
            due = report_due(plan, period)
            owners = [{"department_id": d} for d in units] + [{"region_id": r} for r in towns]
            for owner in owners:
                report, created = ProgressReport.objects.get_or_create(
                    plan=plan, period=period, **owner, defaults={"due": due}
                )
                if created:
                    events.append(
                        model_event(
                            AuditAction.CREATE,
                            report,
                            after=snapshot(
                                report, ["plan_id", "period", "department_id", "region_id", "due", "status"]
                            ),
                            region=report.region_id or "",
                        )
                    )
        audit_record_many(actor=actor, source=source, events=events)
    return len(events)


# The interview's workflow (任务（三）约谈): listed → held (with its record) → closed.
INTERVIEW_TRANSITIONS: dict[tuple[str, str], str] = {
    ("listed", "held"): "record",
    ("held", "closed"): "close",
}


def interview_set_status(
    *, actor: User, source: str, interview: Interview, status: str, on: dt.date, record: str = ""
) -> Interview:
    """Record that an interview was held (with its minutes), or close it. The office only."""
    require_cap(actor, Cap.PLAN_MANAGE)
    if (interview.status, status) not in INTERVIEW_TRANSITIONS:
        raise ValidationError(
            _("约谈不能从“%(value)s”变为“%(status)s”")
            % {"value": interview.get_status_display(), "status": status}
        )
    if status == "held" and not record.strip():
        raise ValidationError({"record": _("约谈记录不能为空")})
    if on < interview.listed_on:
        raise ValidationError({"on": _("日期不能早于列入约谈名单的日期")})
    with transaction.atomic():
        locked = Interview.objects.select_for_update().get(pk=interview.pk)
        before = {"status": locked.status}
        locked.status = status
        if status == "held":
            locked.held_on, locked.record = on, record.strip()
        locked.save()
        audit_record_many(
            actor=actor,
            source=source,
            events=[
                model_event(
                    AuditAction.UPDATE,
                    locked,
                    before=before,
                    after={"status": status, "on": on.isoformat(), "record": locked.record},
                )
            ],
        )
    return locked


def commendation_award(
    *,
    actor: User,
    source: str,
    plan: AnnualPlan,
    reason: str,
    awarded_on: dt.date,
    department: Department | None = None,
    region: Region | None = None,
    person: str = "",
) -> Commendation:
    """任务（三）: 对在食品安全工作中作出突出贡献的单位和个人，给予表彰奖励。"""
    require_cap(actor, Cap.PLAN_MANAGE)
    if department is None and region is None and not person.strip():
        raise ValidationError({"person": _("请指明受表彰的单位、镇街或个人")})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写表彰事由")})
    with transaction.atomic():
        commendation = Commendation.objects.create(
            plan=plan,
            department=department,
            region=region,
            person=person.strip()[:50],
            reason=reason.strip()[:500],
            awarded_on=awarded_on,
        )
        audit_record_many(
            actor=actor,
            source=source,
            events=[
                model_event(
                    AuditAction.CREATE,
                    commendation,
                    after=snapshot(
                        commendation, ["department_id", "region_id", "person", "reason", "awarded_on"]
                    ),
                    region=region.pk if region else "",
                )
            ],
        )
    return commendation


# ------------------------------------------------------------------ the annual sampling plan


def sampling_allocation_adopt(
    *, actor: User | None, source: str, plan: AnnualPlan, result: Any
) -> SamplingAllocation:
    """Adopt a run of the sampling plan optimiser (an allocation.Allocation) as the plan's sampling
    allocation, retiring the one adopted before. The audit entry pins the rows by their SHA-256."""
    if actor is not None:
        require_cap(actor, Cap.PLAN_MANAGE)
    rows = [
        SamplingAllocationRow(
            unit_id=c.unit,
            category_id=c.category,
            region_id=c.town,
            month=month,
            quantity=q,
            proportional=c.proportional,
            rate=c.rate,
            explanation=c.reason[:500],
        )
        for c in result.cells
        for month, q in enumerate(c.months, start=1)
        if q
    ]
    digest = hashlib.sha256(
        json.dumps(
            sorted([r.unit_id, r.category_id, r.region_id, r.month, r.quantity] for r in rows),
            separators=(",", ":"),
        ).encode()
    ).hexdigest()
    with transaction.atomic():
        events: list[AuditEvent] = []
        for old in SamplingAllocation.objects.select_for_update().filter(plan=plan, current=True):
            old.current = False
            old.save(update_fields=["current"])
            events.append(
                model_event(AuditAction.UPDATE, old, before={"current": True}, after={"current": False})
            )
        summary = summary_of(result)
        adopted = SamplingAllocation.objects.create(
            plan=plan,
            rules=result.rules_id,
            total=result.year_total,
            expected_found=result.expected_found,
            expected_found_proportional=result.expected_found_proportional,
            summary=summary,
            adopted_by=actor if actor is not None and actor.pk else None,
        )
        for r in rows:
            r.allocation = adopted
        SamplingAllocationRow.objects.bulk_create(rows, batch_size=2000)
        events.append(
            model_event(
                AuditAction.CREATE,
                adopted,
                after={
                    "plan": plan.pk,
                    "rules": result.rules_id,
                    "total": result.year_total,
                    "by_unit": summary["by_unit"],
                    "by_month": summary["by_month"],
                    "expected_found": summary["expected_found"],
                    "expected_found_proportional": summary["expected_found_proportional"],
                    "rows": len(rows),
                    "rows_sha256": digest,
                },
                region=plan.region_id,
            )
        )
        audit_record_many(actor=actor, source=source, events=events)
    return adopted


def sampling_votes_import(*, actor: User | None, source: str, year: int, rows: Sequence[Any]) -> int:
    """Record the year's "你点我检" votes per food category (sampling_plan.parse_vote_file checks the
    file first): a category already on file gets the new count. All or nothing."""
    if actor is not None:
        require_cap(actor, Cap.PLAN_MANAGE)
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度“%(year)s”不正确") % {"year": year}})
    with transaction.atomic():
        events: list[AuditEvent] = []
        existing = {v.category_id: v for v in SamplingVote.objects.select_for_update().filter(year=year)}
        for r in rows:
            vote = existing.get(r.category)
            if vote is None:
                vote = SamplingVote.objects.create(
                    year=year, category_id=r.category, count=r.count, source_note=r.note
                )
                events.append(
                    model_event(
                        AuditAction.CREATE,
                        vote,
                        after=snapshot(vote, ["year", "category_id", "count", "source_note"]),
                    )
                )
            elif (vote.count, vote.source_note) != (r.count, r.note):
                before = {"count": vote.count, "source_note": vote.source_note}
                vote.count, vote.source_note = r.count, r.note
                vote.save(update_fields=["count", "source_note", "updated_at"])
                events.append(
                    model_event(
                        AuditAction.UPDATE,
                        vote,
                        before=before,
                        after={"count": r.count, "source_note": r.note},
                    )
                )
        audit_record_many(actor=actor, source=source, events=events)
    return len(rows)
