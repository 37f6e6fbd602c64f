"""Reads of the annual plan: each target's figure, progress and status at a date, scoped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from shian.core import indicators
from shian.core.models import Department, Role
from shian.core.permissions import Cap, has_cap
from shian.core.scoping import scope_for

from . import rules
from .models import (
    AnnualPlan,
    FigureStatus,
    Interview,
    PlanStatus,
    PlanTask,
    ProgressReport,
    ReportedFigure,
    SupervisionNotice,
    Target,
)

# The statuses' words live in rules (one place); re-exported for the pages and the reports.
STATUS_LABELS = rules.STATUS_LABELS


@dataclass
class TargetRow:
    target: Target
    figure: Decimal | None
    figure_source: str  # "indicator", "reported", "none"
    progress: Decimal | None
    expected: Decimal
    status: str
    flag: str
    note: str
    # The latest figure awaiting review (待审核): shown, never counted.
    pending: ReportedFigure | None = None
    # For a reported target the platform can check: its own figure from the records.
    computed: Decimal | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def figure_text(self) -> str:
        goal = f"（目标 {rules.comparator_symbol(self.target.comparator)}{fmt(self.target.value)}{self.target.unit}）"
        text = "暂无数据" if self.figure is None else fmt(self.figure) + self.target.unit
        if self.pending is not None:
            text += f"；{fmt(self.pending.value)}{self.target.unit}待审核"
        if self.figure_source == "reported" and self.computed is not None:
            text += f"；平台记录 {fmt(self.computed)}{self.target.unit}"
        return text + goal


def fmt(value: Decimal | None, places: int = 2) -> str:
    """A figure as people write it: at most `places` decimals, no trailing zeros."""
    if value is None:
        return "—"
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def plan_for_year(*, year: int, region: str | None = None) -> AnnualPlan:
    qs = AnnualPlan.objects.filter(year=year, status=PlanStatus.ACTIVE)
    if region:
        qs = qs.filter(region_id=region)
    plan = qs.order_by("-version").first()
    if plan is None:
        raise Http404
    return plan


def plan_tasks_for_user(*, user: Any, plan: AnnualPlan) -> QuerySet[PlanTask]:
    """Tasks a person may see: the district sees all; a unit its own (lead or partner); a town
    the tasks assigned to towns."""
    qs = plan.tasks.select_related("section").prefetch_related("assignments__department", "targets")
    if not has_cap(user, Cap.PLAN_VIEW):
        return qs.none()
    if user.role == Role.DEPARTMENT_LIAISON:
        return qs.filter(assignments__department_id=user.department_id).distinct()
    scope = scope_for(user)
    if scope.nothing:
        return qs.none()
    if scope.everything:
        return qs
    # A town officer, or an inspector or viewer attached to a town: the tasks given to that town.
    return qs.filter(assignments__region_id__in=sorted(scope.region_codes)).distinct()


def unit_q(user: Any) -> Q:
    """The one rule for a unit's or a town's own plan records (reports, notices, interviews,
    reported figures): a liaison sees their unit's; a town officer, or an inspector or viewer
    attached to a town, their town's (core.scoping); the district sees all; anyone without the
    plan sees none."""
    if not has_cap(user, Cap.PLAN_VIEW):
        return Q(pk__in=[])
    if user.role == Role.DEPARTMENT_LIAISON:
        return Q(department_id=user.department_id)
    scope = scope_for(user)
    if scope.nothing:
        return Q(pk__in=[])
    if scope.everything:
        return Q()
    return Q(region_id__in=sorted(scope.region_codes))


def _latest_figures(
    plan: AnnualPlan, as_of: dt.date, status: str = FigureStatus.ACCEPTED
) -> dict[int, ReportedFigure]:
    """Each target's latest reported figure up to `as_of` in a review status: accepted figures are
    the ones progress and status count; figures awaiting review are only shown."""
    latest: dict[int, ReportedFigure] = {}
    figures = ReportedFigure.objects.filter(
        target__task__plan=plan, period_end__lte=as_of, status=status
    ).order_by("period_end", "reported_at")
    for f in figures:
        latest[f.target_id] = f
    return latest


def _latest_figures_by_status(
    plan: AnnualPlan, as_of: dt.date
) -> tuple[dict[int, ReportedFigure], dict[int, ReportedFigure]]:
    """(accepted, awaiting review): each target's latest figure of each, in one query."""
    accepted: dict[int, ReportedFigure] = {}
    waiting: dict[int, ReportedFigure] = {}
    for f in ReportedFigure.objects.filter(
        target__task__plan=plan,
        period_end__lte=as_of,
        status__in=[FigureStatus.ACCEPTED, FigureStatus.SUBMITTED],
    ).order_by("period_end", "reported_at"):
        (accepted if f.status == FigureStatus.ACCEPTED else waiting)[f.target_id] = f
    return accepted, waiting


def plan_status(
    *, plan: AnnualPlan, as_of: dt.date, tasks: QuerySet[PlanTask] | None = None
) -> list[TargetRow]:
    """Every target with its figure (computed from records, or the latest reported figure), its
    progress, the share of the year elapsed and its status."""
    edition = rules.rules_in_force(as_of)
    task_ids = None if tasks is None else list(tasks.values_list("pk", flat=True))
    targets = (
        Target.objects.filter(task__plan=plan)
        .select_related("task", "owner")
        .prefetch_related("task__assignments")
    )
    if task_ids is not None:
        targets = targets.filter(task_id__in=task_ids)
    figures, pending = _latest_figures_by_status(plan, as_of)
    period = indicators.Period(plan.starts, min(as_of, plan.ends))
    cache: dict[str, indicators.IndicatorResult] = {}
    rows = []
    for target in targets.order_by("task__no", "code"):
        figure: Decimal | None = None
        source = "none"
        flag = note = ""
        if target.kind == "indicator" and target.indicator_code:
            if target.indicator_code not in cache:
                cache[target.indicator_code] = indicators.compute(target.indicator_code, period)
            result = cache[target.indicator_code]
            figure, note = result.value, result.note
            source = "indicator" if figure is not None else "none"
        computed: Decimal | None = None
        if target.kind != "indicator" and target.indicator_code:
            # A reported target the records can check: the records' figure is shown beside it.
            if target.indicator_code not in cache:
                cache[target.indicator_code] = indicators.compute(target.indicator_code, period)
            computed = cache[target.indicator_code].value
        if figure is None and target.pk in figures:
            reported = figures[target.pk]
            figure, source = reported.value, "reported"
            flag = rules.figure_contradicts(figure, computed, edition, target.unit) or ""
        waiting = pending.get(target.pk)
        if (
            waiting is not None
            and target.pk in figures
            and figures[target.pk].period_end > waiting.period_end
        ):
            waiting = None  # an accepted figure of a later date supersedes it
        status = rules.target_status(
            actual=figure,
            target=target.value,
            comparator=target.comparator,
            as_of=as_of,
            due=target.due,
            starts=plan.starts,
            rules=edition,
            milestone=target.pace == "due",
        )
        rows.append(
            TargetRow(
                target=target,
                figure=figure,
                figure_source=source,
                progress=rules.progress(figure, target.value, target.comparator),
                expected=rules.year_elapsed(as_of, plan.starts, target.due),
                status=status,
                flag=flag,
                note=note,
                pending=waiting,
                computed=computed,
            )
        )
    return rows


def figures_for_review(*, user: Any, plan: AnnualPlan, status: str = "") -> QuerySet[ReportedFigure]:
    """The plan's reported figures the person may see (the one rule `unit_q`), newest first,
    optionally in one review status: the district office's review queue."""
    qs = ReportedFigure.objects.filter(unit_q(user), target__task__plan=plan).select_related(
        "target", "target__task", "department", "region", "reported_by", "reviewed_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-period_end", "-reported_at", "-pk")


def figure_get_for_user(*, user: Any, pk: int) -> ReportedFigure:
    figure = (
        ReportedFigure.objects.filter(unit_q(user), pk=pk)
        .select_related("target", "target__task__plan")
        .first()
    )
    if figure is None:
        raise Http404
    return figure


def reports_for_user(*, user: Any, plan: AnnualPlan) -> QuerySet[ProgressReport]:
    return plan.reports.filter(unit_q(user)).select_related("department", "region")


def report_get_for_user(*, user: Any, pk: int) -> ProgressReport:
    report = ProgressReport.objects.filter(unit_q(user), pk=pk).select_related("plan").first()
    if report is None:
        raise Http404
    return report


def figures_for_user(*, user: Any, target: Target) -> QuerySet[ReportedFigure]:
    """A target's reported figures that are the person's to see (a town's figures are its own)."""
    return target.figures.filter(unit_q(user)).select_related("department", "region", "reported_by")


def targets_visible(*, user: Any, plan: AnnualPlan) -> QuerySet[Target]:
    tasks = plan_tasks_for_user(user=user, plan=plan)
    return Target.objects.filter(Q(task__in=tasks)).select_related("task")


def notices_for_user(*, user: Any, plan: AnnualPlan) -> QuerySet[SupervisionNotice]:
    return plan.notices.filter(unit_q(user)).select_related("task", "target", "department")


def notice_get_for_user(*, user: Any, pk: int) -> SupervisionNotice:
    notice = SupervisionNotice.objects.filter(unit_q(user), pk=pk).select_related("plan").first()
    if notice is None:
        raise Http404
    return notice


def interviews_for_user(*, user: Any, plan: AnnualPlan) -> QuerySet[Interview]:
    return plan.interviews.filter(unit_q(user)).select_related("department", "region")


def department_get_for_user(*, user: Any, code: str) -> Department:
    """A member unit's page: every unit's for those who view the plan, but a liaison's own only
    (another unit is a 404 to them, as if missing)."""
    department = Department.objects.filter(pk=code).first()
    if department is None or (user.role == Role.DEPARTMENT_LIAISON and user.department_id != code):
        raise Http404
    return department
