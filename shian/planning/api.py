"""Plan endpoints: status of every target, reported figures, unit and town reports, notices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status

from shian.core.concurrency import require_version, row_version, versioned_operation
from shian.core.models import AuditSource, User
from shian.core.permissions import Cap, require_cap

from . import rules, sampling_plan, selectors, services
from .models import Target

router = Router(tags=["plan"])


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 — guaranteed by the API's auth
    return request.user


class TargetStatusOut(Schema):
    id: int
    task_no: int
    code: str
    description: str
    kind: str
    unit: str
    comparator: str
    comparator_symbol: str
    value: Decimal
    due: dt.date
    figure: Decimal | None
    figure_source: str
    progress: Decimal | None
    expected: Decimal
    status: str
    status_label: str
    flag: str


class FigureIn(Schema):
    value: Decimal
    period_end: dt.date
    note: str = ""
    # The records the figure rests on, one per line (a file is uploaded on the target's page).
    evidence_refs: str = ""
    department: str | None = None


class FigureOut(Schema):
    id: int
    version: str = ""  # send it back with an edit: a record changed since is a 409 (core.concurrency)
    target_id: int
    value: Decimal
    period_end: dt.date
    flag: str
    status: str
    status_label: str
    computed_value: Decimal | None
    evidence_refs: str
    evidence: str
    department_id: str | None
    region_id: str | None
    reviewed_at: dt.datetime | None
    review_note: str


class FigureReviewIn(Schema):
    decision: Literal["accept", "return"]
    reason: str = ""


def _figure_out(f: Any) -> dict[str, Any]:
    return {
        "version": row_version(f),
        "id": f.pk,
        "target_id": f.target_id,
        "value": f.value,
        "period_end": f.period_end,
        "flag": f.flag,
        "status": f.status,
        "status_label": rules.FIGURE_STATUS_LABELS[f.status],
        "computed_value": f.computed_value,
        "evidence_refs": f.evidence_refs,
        "evidence": f.evidence.name if f.evidence else "",
        "department_id": f.department_id,
        "region_id": f.region_id,
        "reviewed_at": f.reviewed_at,
        "review_note": f.review_note,
    }


class ReportOut(Schema):
    id: int
    version: str = ""  # send it back with an edit: a record changed since is a 409 (core.concurrency)
    period: str
    department_id: str | None
    region_id: str | None
    status: str
    due: dt.date
    submitted_at: dt.datetime | None

    @staticmethod
    def resolve_version(obj: Any) -> str:
        return row_version(obj)


class ReportIn(Schema):
    period: str
    body: str


class TransitionIn(Schema):
    status: str
    note: str = ""


class NoticeOut(Schema):
    id: int
    version: str = ""  # send it back with an edit: a record changed since is a 409 (core.concurrency)
    task_id: int
    target_id: int | None
    department_id: str | None
    reason: str
    issued_on: dt.date
    response_due: dt.date
    status: str

    @staticmethod
    def resolve_version(obj: Any) -> str:
        return row_version(obj)


class ResponseIn(Schema):
    response: str


@router.get("/{year}/status", response=list[TargetStatusOut])
def plan_status(request: HttpRequest, year: int, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    require_cap(request.user, Cap.PLAN_VIEW)
    plan = selectors.plan_for_year(year=year)
    tasks = selectors.plan_tasks_for_user(user=request.user, plan=plan)
    rows = selectors.plan_status(plan=plan, as_of=as_of or min(timezone.localdate(), plan.ends), tasks=tasks)
    return [
        {
            "id": r.target.pk,
            "task_no": r.target.task.no,
            "code": r.target.code,
            "description": r.target.description,
            "kind": r.target.kind,
            "unit": r.target.unit,
            "comparator": r.target.comparator,
            "comparator_symbol": rules.comparator_symbol(r.target.comparator),
            "value": r.target.value,
            "due": r.target.due,
            "figure": r.figure,
            "figure_source": r.figure_source,
            "progress": r.progress,
            "expected": r.expected,
            "status": r.status,
            "status_label": r.status_label,
            "flag": r.flag,
        }
        for r in rows
    ]


@router.post("/targets/{target_id}/figures", response={201: FigureOut})
def figure_create(request: HttpRequest, target_id: int, payload: FigureIn) -> Status[Any]:
    target = _visible_target(request, target_id)
    department = None
    if payload.department:
        from shian.core.models import Department

        department = get_object_or_404(Department, pk=payload.department)
    figure = services.figure_report(
        actor=_actor(request),
        source=AuditSource.API,
        target=target,
        value=payload.value,
        period_end=payload.period_end,
        note=payload.note,
        evidence_refs=payload.evidence_refs,
        department=department,
    )
    return Status(201, _figure_out(figure))


@router.get("/{year}/figures", response=list[FigureOut])
def figure_list(request: HttpRequest, year: int, status: str = "") -> list[dict[str, Any]]:
    """The plan's reported figures the caller may see, newest first; `status` = submitted (待审核),
    accepted or returned."""
    require_cap(request.user, Cap.PLAN_VIEW)
    plan = selectors.plan_for_year(year=year)
    if status and status not in rules.FIGURE_STATUS_LABELS:
        status = "-"  # an unknown status matches nothing
    figures = selectors.figures_for_review(user=request.user, plan=plan, status=status)[:500]
    return [_figure_out(f) for f in figures]


@router.post("/figures/{figure_id}/review", response=FigureOut)
@versioned_operation
def figure_review(request: HttpRequest, figure_id: int, payload: FigureReviewIn) -> dict[str, Any]:
    """The district office accepts a figure, or returns it with a reason."""
    require_cap(request.user, Cap.PLAN_MANAGE)
    figure = selectors.figure_get_for_user(user=request.user, pk=figure_id)
    require_version(request, figure)
    return _figure_out(
        services.figure_review(
            actor=_actor(request),
            source=AuditSource.API,
            figure=figure,
            accept=payload.decision == "accept",
            reason=payload.reason,
        )
    )


@router.get("/{year}/reports", response=list[ReportOut])
def report_list(request: HttpRequest, year: int) -> Any:
    require_cap(request.user, Cap.PLAN_VIEW)
    plan = selectors.plan_for_year(year=year)
    return list(selectors.reports_for_user(user=request.user, plan=plan))


@router.post("/{year}/reports", response=ReportOut)
def report_save(request: HttpRequest, year: int, payload: ReportIn) -> Any:
    plan = selectors.plan_for_year(year=year)
    return services.progress_report_save(
        actor=_actor(request), source=AuditSource.API, plan=plan, period=payload.period, body=payload.body
    )


@router.post("/reports/{report_id}/status", response=ReportOut)
@versioned_operation
def report_transition(request: HttpRequest, report_id: int, payload: TransitionIn) -> Any:
    report = selectors.report_get_for_user(user=request.user, pk=report_id)
    require_version(request, report)
    return services.progress_report_set_status(
        actor=_actor(request), source=AuditSource.API, report=report, status=payload.status, note=payload.note
    )


@router.get("/{year}/notices", response=list[NoticeOut])
def notice_list(request: HttpRequest, year: int) -> Any:
    require_cap(request.user, Cap.PLAN_VIEW)
    plan = selectors.plan_for_year(year=year)
    return list(selectors.notices_for_user(user=request.user, plan=plan))


@router.post("/notices/{notice_id}/response", response=NoticeOut)
@versioned_operation
def notice_response(request: HttpRequest, notice_id: int, payload: ResponseIn) -> Any:
    notice = selectors.notice_get_for_user(user=request.user, pk=notice_id)
    require_version(request, notice)
    return services.notice_respond(
        actor=_actor(request), source=AuditSource.API, notice=notice, response=payload.response
    )


def _visible_target(request: HttpRequest, target_id: int) -> Target:
    target = Target.objects.filter(pk=target_id).select_related("task__plan").first()
    if (
        target is None
        or not selectors.targets_visible(user=request.user, plan=target.task.plan)
        .filter(pk=target_id)
        .exists()
    ):
        raise Http404
    return target


class SamplingCellOut(Schema):
    unit: str
    category: str
    town: str
    quantity: int
    proportional: int
    months: list[int]
    rate: float
    reason: str


class SamplingPlanOut(Schema):
    year: int
    adopted: bool
    adopted_at: dt.datetime | None
    summary: dict[str, Any]
    cells: list[SamplingCellOut]


def _sampling_out(
    view: sampling_plan.SamplingPlanView, cells: list[sampling_plan.PlanCell]
) -> dict[str, Any]:
    return {
        "year": view.year,
        "adopted": view.adopted is not None,
        "adopted_at": view.adopted.adopted_at if view.adopted else None,
        "summary": view.summary,
        "cells": [c.__dict__ for c in cells],
    }


@router.get("/{year}/sampling", response=SamplingPlanOut)
def sampling_plan_get(request: HttpRequest, year: int, proposal: bool = False) -> dict[str, Any]:
    """The adopted sampling allocation (or, with proposal=true or none adopted, a fresh run),
    scoped to what the caller may see."""
    require_cap(request.user, Cap.PLAN_VIEW)
    plan = selectors.plan_for_year(year=year)
    adopted = sampling_plan.current_allocation(plan=plan)
    if adopted is not None and not proposal:
        view = sampling_plan.view_of_adopted(adopted=adopted)
    else:
        view = sampling_plan.view_of_run(plan=plan, result=sampling_plan.sampling_plan_compute(plan=plan))
    return _sampling_out(view, sampling_plan.cells_visible(user=request.user, cells=view.cells))


@router.post("/{year}/sampling/adopt", response={201: SamplingPlanOut})
def sampling_plan_adopt(request: HttpRequest, year: int) -> Status[dict[str, Any]]:
    require_cap(request.user, Cap.PLAN_MANAGE)
    plan = selectors.plan_for_year(year=year)
    adopted = services.sampling_allocation_adopt(
        actor=_actor(request),
        source=AuditSource.API,
        plan=plan,
        result=sampling_plan.sampling_plan_compute(plan=plan),
    )
    view = sampling_plan.view_of_adopted(adopted=adopted)
    return Status(201, _sampling_out(view, sampling_plan.cells_visible(user=request.user, cells=view.cells)))
