"""Plan pages: the plan's progress, a target with its figures, units' and towns' reports, the
supervision notices and the interview list. Thin: validate, load through a selector, call a service."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shian.core import indicators
from shian.core.concurrency import require_version, versioned
from shian.core.models import AuditSource, Department, Region, RegionLevel, User
from shian.core.permissions import Cap, has_cap, require_cap
from shian.core.xlsx import table_xlsx

from . import rules, selectors, services
from . import sampling_plan as sampling_plan_reads
from .models import AnnualPlan, NoticeStatus, PlanStatus, ReportPeriod, ReportStatus, SamplingVote
from .rules import Status

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _plan(year: int) -> AnnualPlan:
    return selectors.plan_for_year(year=year)


def _as_of(request: HttpRequest, plan: AnnualPlan) -> dt.date:
    raw = request.GET.get("as_of", "")
    try:
        day = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        day = None
    return day or min(timezone.localdate(), plan.ends)


@login_required
def plan_home(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.PLAN_VIEW)
    plan = AnnualPlan.objects.filter(status=PlanStatus.ACTIVE).order_by("-year").first()
    if plan is None:
        return render(request, "planning/no_plan.html", status=200)
    return redirect("planning:overview", year=plan.year)


def _status_rows(request: HttpRequest, plan: AnnualPlan, as_of: dt.date) -> list[selectors.TargetRow]:
    tasks = selectors.plan_tasks_for_user(user=request.user, plan=plan)
    return selectors.plan_status(plan=plan, as_of=as_of, tasks=tasks)


@login_required
def overview(request: HttpRequest, year: int) -> HttpResponseBase:
    require_cap(request.user, Cap.PLAN_VIEW)
    plan = _plan(year)
    as_of = _as_of(request, plan)
    status_filter = request.GET.get("status", "")
    rows = _status_rows(request, plan, as_of)
    counts = dict.fromkeys(selectors.STATUS_LABELS, 0)
    for row in rows:
        counts[row.status] += 1
    by_section: dict[int, dict[str, Any]] = {}
    for row in rows:
        section = row.target.task.section
        entry = by_section.setdefault(section.no, {"title": section.title, **dict.fromkeys(counts, 0)})
        entry[row.status] += 1
    shown = [r for r in rows if not status_filter or r.status == status_filter]
    if request.GET.get("format") == "xlsx":
        return _rows_xlsx(plan, as_of, shown)
    tasks = selectors.plan_tasks_for_user(user=request.user, plan=plan)
    chart = {
        "sections": [f"{no}. {v['title'][:8]}" for no, v in sorted(by_section.items())],
        "series": [
            {"key": key, "name": _(label), "values": [v[key] for _, v in sorted(by_section.items())]}
            for key, label in selectors.STATUS_LABELS.items()
        ],
    }
    return render(
        request,
        "planning/overview.html",
        {
            "plan": plan,
            "as_of": as_of,
            "rows": shown,
            "counts": [(k, selectors.STATUS_LABELS[k], v) for k, v in counts.items()],
            "status_filter": status_filter,
            "alerts": [r for r in rows if r.status in (Status.LATE, Status.LAGGING)],
            "task_count": tasks.count(),
            "chart": chart,
            "query": request.GET.urlencode(),
            "units": Department.objects.all(),
            "towns": Region.objects.exclude(level=RegionLevel.DISTRICT),
        },
    )


def _rows_xlsx(plan: AnnualPlan, as_of: dt.date, rows: list[selectors.TargetRow]) -> FileResponse:
    content = table_xlsx(
        title=f"{plan.title} 目标进度（截至{as_of}）",
        headers=[
            "任务",
            "目标代码",
            "目标",
            "当前值",
            "目标值",
            "单位",
            "进度",
            "应达进度",
            "状态",
            "数据来源",
            "提示",
        ],
        rows=[
            [
                f"（{r.target.task.no}）{r.target.task.title}",
                r.target.code,
                r.target.description,
                None if r.figure is None else float(r.figure),
                float(r.target.value),
                r.target.unit,
                None if r.progress is None else round(float(r.progress) * 100, 1),
                round(float(r.expected) * 100, 1),
                r.status_label,
                {"indicator": "平台记录", "reported": "单位上报", "none": "—"}[r.figure_source],
                r.flag or r.note,
            ]
            for r in rows
        ],
    )
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"{plan.year}年计划目标进度_{as_of}.xlsx",
        content_type=XLSX,
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_detail(request: HttpRequest, year: int, target_id: int) -> HttpResponse:
    plan = _plan(year)
    target = selectors.targets_visible(user=request.user, plan=plan).filter(pk=target_id).first()
    if target is None:
        raise Http404
    require_cap(request.user, Cap.PLAN_VIEW)
    as_of = _as_of(request, plan)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            value = Decimal(request.POST.get("value", "").strip())
            period_end = dt.date.fromisoformat(request.POST.get("period_end", ""))
        except (InvalidOperation, ValueError):
            errors["value"] = _("Enter a number and a date.")
        else:
            try:
                figure = services.figure_report(
                    actor=_actor(request),
                    source=AuditSource.WEB,
                    target=target,
                    value=value,
                    period_end=period_end,
                    note=request.POST.get("note", "")[:500],
                    evidence=request.FILES.get("evidence"),
                    evidence_refs=request.POST.get("evidence_refs", "")[:2000],
                    department=Department.objects.filter(pk=request.POST.get("department")).first(),
                )
            except ValidationError as exc:
                errors.update(
                    {k: "；".join(v) for k, v in exc.message_dict.items()}
                    if hasattr(exc, "error_dict")
                    else {"value": "；".join(exc.messages)}
                )
            else:
                if figure.flag:
                    messages.warning(request, figure.flag)
                else:
                    messages.success(request, _("The figure was recorded and awaits the office's review."))
                return redirect("planning:target", year=year, target_id=target.pk)
    row = next(
        iter(selectors.plan_status(plan=plan, as_of=as_of, tasks=plan.tasks.filter(pk=target.task_id))), None
    )
    row = next(
        (
            r
            for r in selectors.plan_status(plan=plan, as_of=as_of, tasks=plan.tasks.filter(pk=target.task_id))
            if r.target.pk == target.pk
        ),
        row,
    )
    indicator = indicators.get(target.indicator_code) if target.indicator_code else None
    by_region = []
    if indicator is not None:
        result = indicators.compute(target.indicator_code, indicators.Period(plan.starts, as_of))
        names = dict(Region.objects.values_list("code", "name"))
        by_region = [(names.get(code, code), result.region_value(code)) for code in sorted(result.by_region)]
    return render(
        request,
        "planning/target.html",
        {
            "plan": plan,
            "target": target,
            "row": row,
            "figures": selectors.figures_for_user(user=request.user, target=target),
            "can_report": has_cap(request.user, Cap.PLAN_REPORT) and target.kind != "indicator",
            "is_office": has_cap(request.user, Cap.PLAN_MANAGE),
            "units": Department.objects.all(),
            "errors": errors,
            "indicator": indicator,
            "by_region": by_region,
            "as_of": as_of,
        },
    )


@login_required
def report_list(request: HttpRequest, year: int) -> HttpResponseBase:
    require_cap(request.user, Cap.PLAN_VIEW)
    plan = _plan(year)
    reports = selectors.reports_for_user(user=request.user, plan=plan)
    period, status = request.GET.get("period", ""), request.GET.get("status", "")
    if period:
        reports = reports.filter(period=period)
    if status:
        reports = reports.filter(status=status)
    reports = reports.order_by("period", "department__sort_order", "region_id")
    if request.GET.get("format") == "xlsx":
        content = table_xlsx(
            title=f"{plan.year}年单位和镇街工作报告",
            headers=["期别", "报送单位", "状态", "应报日期", "提交时间"],
            rows=[
                [
                    r.get_period_display(),
                    str(r.department or r.region),
                    r.get_status_display(),
                    r.due.isoformat(),
                    timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M") if r.submitted_at else None,
                ]
                for r in reports
            ],
        )
        return FileResponse(
            io.BytesIO(content), as_attachment=True, filename=f"{plan.year}年工作报告.xlsx", content_type=XLSX
        )
    today = timezone.localdate()
    rows = list(reports)
    for r in rows:
        # Late: submitted after its due date, or still not submitted past it (as the PDF says).
        submitted = timezone.localtime(r.submitted_at).date() if r.submitted_at else None
        r.late_submitted = submitted is not None and submitted > r.due  # type: ignore[attr-defined]
        r.overdue = submitted is None and r.due < today  # type: ignore[attr-defined]
    return render(
        request,
        "planning/reports.html",
        {
            "plan": plan,
            "reports": rows,
            "late_count": len(
                [r for r in rows if getattr(r, "late_submitted", False) or getattr(r, "overdue", False)]
            ),
            "periods": ReportPeriod.choices,
            "statuses": ReportStatus.choices,
            "period": period,
            "status": status,
            "today": timezone.localdate(),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@versioned
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_get_for_user(user=request.user, pk=report_id)
    require_cap(request.user, Cap.PLAN_VIEW)
    actor = _actor(request)
    is_author = services.unit_of(actor) == (report.department_id, report.region_id)
    is_office = has_cap(actor, Cap.PLAN_MANAGE)
    if request.method == "POST":
        require_version(request, report)
        action = request.POST.get("action", "")
        try:
            if action == "save" and is_author:
                services.progress_report_save(
                    actor=actor,
                    source=AuditSource.WEB,
                    plan=report.plan,
                    period=report.period,
                    body=request.POST.get("body", ""),
                    attachment=request.FILES.get("attachment"),
                )
                messages.success(request, _("Saved."))
            elif action in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED, ReportStatus.RETURNED):
                services.progress_report_set_status(
                    actor=actor,
                    source=AuditSource.WEB,
                    report=report,
                    status=action,
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("The report's status was changed."))
            else:
                raise PermissionDenied
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("planning:report", report_id=report.pk)
    report.refresh_from_db()
    return render(
        request,
        "planning/report.html",
        {
            "report": report,
            "plan": report.plan,
            "is_author": is_author,
            "is_office": is_office,
            "editable": is_author and report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@versioned
def notice_list(request: HttpRequest, year: int) -> HttpResponseBase:
    require_cap(request.user, Cap.PLAN_VIEW)
    plan = _plan(year)
    if request.method == "POST" and request.POST.get("interview"):
        return _interview_action(request, year)
    if request.method == "POST" and request.POST.get("commend"):
        return _commend(request, plan)
    if request.method == "POST":
        notice = selectors.notice_get_for_user(
            user=request.user, pk=int(request.POST.get("notice", "0") or 0)
        )
        require_version(request, notice)
        try:
            services.notice_respond(
                actor=_actor(request),
                source=AuditSource.WEB,
                notice=notice,
                response=request.POST.get("response", ""),
            )
            messages.success(request, _("Your response was recorded."))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("planning:notices", year=year)
    today = timezone.localdate()
    status = request.GET.get("status", "")
    if status not in (*NoticeStatus.values, "overdue"):
        status = ""
    notices = selectors.notices_for_user(user=request.user, plan=plan).select_related("region")
    if status == "overdue":  # issued, unanswered, past the day it was to be answered by
        notices = notices.filter(status=NoticeStatus.ISSUED, response_due__lt=today)
    elif status:
        notices = notices.filter(status=status)
    notices = notices.order_by("-issued_on", "id")
    if request.GET.get("format") == "xlsx":
        content = table_xlsx(
            title=f"{plan.title} 督办通知",
            headers=[
                "下发日期",
                "任务",
                "单位",
                "原因",
                "规则",
                "答复期限",
                "状态",
                "是否逾期",
                "答复",
                "答复日期",
            ],
            rows=[
                [
                    n.issued_on.isoformat(),
                    str(n.task),
                    str(n.department or n.region or ""),
                    n.reason,
                    n.rule,
                    n.response_due.isoformat(),
                    str(n.get_status_display()),
                    "是" if n.status == NoticeStatus.ISSUED and n.response_due < today else "否",
                    n.response or None,
                    n.responded_on.isoformat() if n.responded_on else None,
                ]
                for n in notices
            ],
            sheet="督办通知",
        )
        return FileResponse(
            io.BytesIO(content),
            as_attachment=True,
            filename=f"{plan.year}年督办通知_{today:%Y%m%d}.xlsx",
            content_type=XLSX,
        )
    interviews = selectors.interviews_for_user(user=request.user, plan=plan)
    actor = _actor(request)
    return render(
        request,
        "planning/notices.html",
        {
            "plan": plan,
            "notices": notices,
            "status": status,
            "statuses": [*NoticeStatus.choices, ("overdue", _("Overdue"))],
            "interviews": interviews,
            "today": today,
            "my_unit": services.unit_of(actor),
            "is_office": has_cap(actor, Cap.PLAN_MANAGE),
            "evaluations": plan.evaluations.all(),
            "commendations": plan.commendations.select_related("department", "region"),
            "units": Department.objects.all(),
            "towns": Region.objects.exclude(level=RegionLevel.DISTRICT),
        },
    )


def _parse_day(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return timezone.localdate()


def _interview_action(request: HttpRequest, year: int) -> HttpResponse:
    plan = _plan(year)
    interview = (
        selectors.interviews_for_user(user=request.user, plan=plan)
        .filter(pk=int(request.POST.get("interview", "0") or 0))
        .first()
    )
    if interview is None:
        raise Http404
    try:
        services.interview_set_status(
            actor=_actor(request),
            source=AuditSource.WEB,
            interview=interview,
            status=request.POST.get("status", ""),
            on=_parse_day(request.POST.get("on", "")),
            record=request.POST.get("record", ""),
        )
        messages.success(request, _("The interview was recorded."))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("planning:notices", year=year)


def _commend(request: HttpRequest, plan: AnnualPlan) -> HttpResponse:
    try:
        services.commendation_award(
            actor=_actor(request),
            source=AuditSource.WEB,
            plan=plan,
            reason=request.POST.get("reason", ""),
            awarded_on=_parse_day(request.POST.get("awarded_on", "")),
            department=Department.objects.filter(pk=request.POST.get("department") or None).first(),
            region=Region.objects.filter(pk=request.POST.get("region") or None).first(),
            person=request.POST.get("person", ""),
        )
        messages.success(request, _("The commendation was recorded."))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("planning:notices", year=plan.year)


# ------------------------------------------------------------------ the annual sampling plan


@login_required
@require_http_methods(["GET", "POST"])
def sampling_plan(request: HttpRequest, year: int) -> HttpResponseBase:
    """任务（十三）: the optimiser's allocation (adopted, else a fresh proposal), filtered and scoped,
    its reasons, the comparison with a proportional allocation, adoption and the votes import."""
    require_cap(request.user, Cap.PLAN_VIEW)
    plan = _plan(year)
    if request.method == "POST":
        require_cap(request.user, Cap.PLAN_MANAGE)
        try:
            if request.POST.get("action") == "votes":
                upload = request.FILES.get("file")
                if upload is None:
                    raise ValidationError(_("请选择投票文件（xlsx或csv）"))
                rows = sampling_plan_reads.parse_vote_file(filename=upload.name or "", content=upload.read())
                n = services.sampling_votes_import(
                    actor=_actor(request), source=AuditSource.WEB, year=plan.year, rows=rows
                )
                messages.success(request, _("已导入“你点我检”投票：%(n)s 个食品类别") % {"n": n})
            elif request.POST.get("action") == "adopt":
                result = sampling_plan_reads.sampling_plan_compute(plan=plan)
                made = services.sampling_allocation_adopt(
                    actor=_actor(request), source=AuditSource.WEB, plan=plan, result=result
                )
                messages.success(
                    request, _("已采纳本年度抽检计划分配（%(total)s 批次）") % {"total": made.total}
                )
            else:
                raise PermissionDenied
        except ValidationError as exc:
            for message in exc.messages[:20]:
                messages.error(request, message)
        return redirect("planning:sampling", year=year)
    view, error, has_adopted = _sampling_view(request, plan)
    filters = sampling_plan_reads.CellFilters.from_mapping(request.GET)
    visible = sampling_plan_reads.cells_visible(user=request.user, cells=view.cells) if view else []
    by = request.GET.get("by", "town")
    by = by if by in sampling_plan_reads.PIVOT_AXES else "town"
    # The pivot and its totals follow the unit chosen; the other filters pick the drill-down.
    in_unit = [c for c in visible if not filters.unit or c.unit == filters.unit]
    if view is not None and request.GET.get("format") == "xlsx":
        state = "已采纳" if view.adopted else "方案"
        title = f"{plan.year}年抽检计划分配（{state}）"
        if request.GET.get("part") == "pivot":
            content = sampling_plan_reads.pivot_xlsx(
                pivot=sampling_plan_reads.pivot_of(view=view, cells=in_unit, by=by), title=title
            )
        else:
            content = sampling_plan_reads.sampling_plan_xlsx(
                view=view, cells=filters.apply(visible), title=title
            )
        return FileResponse(
            io.BytesIO(content),
            as_attachment=True,
            filename=f"{plan.year}年抽检计划分配.xlsx",
            content_type=XLSX,
        )
    drill = (
        _drill(request, view, in_unit, filters)
        if view and (filters.category or filters.town or filters.month)
        else None
    )
    return render(
        request,
        "planning/sampling.html",
        {
            "plan": plan,
            "view": view,
            "error": error,
            "adopted": view.adopted if view else None,
            "has_adopted": has_adopted,
            "figures": sampling_plan_reads.plan_figures(view=view, cells=in_unit) if view else None,
            "pivot": sampling_plan_reads.pivot_of(view=view, cells=in_unit, by=by) if view else None,
            "by": by,
            "drill": drill,
            "filters": filters,
            "months": list(range(1, 13)),
            "units": sorted({(c.unit, view.name("unit", c.unit)) for c in visible}) if view else [],
            "source": request.GET.get("source", "") if request.GET.get("source") == "proposal" else "",
            "can_manage": has_cap(request.user, Cap.PLAN_MANAGE),
            "query": request.GET.urlencode(),
            "votes": SamplingVote.objects.filter(year=plan.year)
            .select_related("category")
            .order_by("-count")[:10],
        },
    )


def _sampling_view(
    request: HttpRequest, plan: AnnualPlan
) -> tuple[sampling_plan_reads.SamplingPlanView | None, str, bool]:
    """The adopted allocation, or a fresh proposal (asked for, or nothing adopted yet)."""
    adopted = sampling_plan_reads.current_allocation(plan=plan)
    if adopted is not None and request.GET.get("source") != "proposal":
        return sampling_plan_reads.view_of_adopted(adopted=adopted), "", True
    try:
        result = sampling_plan_reads.sampling_plan_compute(plan=plan)
    except ValidationError as exc:
        return None, "；".join(exc.messages), adopted is not None
    return sampling_plan_reads.view_of_run(plan=plan, result=result), "", adopted is not None


DRILL_LIMIT = 300


def _drill(
    request: HttpRequest,
    view: sampling_plan_reads.SamplingPlanView,
    cells: list[sampling_plan_reads.PlanCell],
    filters: sampling_plan_reads.CellFilters,
) -> dict[str, Any]:
    """The rows behind a pivot cell (category and town or month), a row or a column."""
    rows = sampling_plan_reads.drill_cells(
        cells=cells, category=filters.category, town=filters.town, month=filters.month
    )
    month = filters.month
    total = sum(c.months[month - 1] if month else c.quantity for c in rows)
    heading = [
        view.name("category", filters.category) if filters.category else "",
        view.name("town", filters.town) if filters.town else "",
        f"{month}月" if month else "",
    ]
    return {
        "title": " × ".join(h for h in heading if h) or "全部",
        "month": month,
        "total": total,
        "count": len(rows),
        "more": max(0, len(rows) - DRILL_LIMIT),
        "rows": [
            {
                "cell": c,
                "unit": view.name("unit", c.unit),
                "category": view.name("category", c.category),
                "town": view.name("town", c.town),
                "batches": c.months[month - 1] if month else c.quantity,
                "months": [(m, q) for m, q in enumerate(c.months, start=1) if q],
                "diff": c.quantity - c.proportional,
                "reasons": sampling_plan_reads.reason_lines(c.reason),
            }
            for c in rows[:DRILL_LIMIT]
        ],
        "query": request.GET.urlencode(),
    }


@login_required
@require_http_methods(["GET"])
def sampling_cells(request: HttpRequest, year: int) -> HttpResponse:
    """The rows behind one cell of the sampling plan's pivot (?category=&town= or &month=, with
    the page's unit and source): a page of its own, or the page's drill-down panel under htmx."""
    require_cap(request.user, Cap.PLAN_VIEW)
    plan = _plan(year)
    view, _error, _has = _sampling_view(request, plan)
    if view is None:
        raise Http404
    filters = sampling_plan_reads.CellFilters.from_mapping(request.GET)
    visible = sampling_plan_reads.cells_visible(user=request.user, cells=view.cells)
    in_unit = [c for c in visible if not filters.unit or c.unit == filters.unit]
    drill = _drill(request, view, in_unit, filters)
    template = "planning/_sampling_drill.html" if request.htmx else "planning/sampling_cells.html"  # type: ignore[attr-defined]
    return render(request, template, {"plan": plan, "view": view, "drill": drill, "filters": filters})


@login_required
@require_http_methods(["GET", "POST"])
@versioned
def figure_list(request: HttpRequest, year: int) -> HttpResponse:
    """Reported figures with their evidence, the platform's own figure beside them where the records
    hold one, and their review: the office accepts or returns each (with a reason)."""
    require_cap(request.user, Cap.PLAN_VIEW)
    plan = _plan(year)
    is_office = has_cap(request.user, Cap.PLAN_MANAGE)
    if request.method == "POST":
        require_cap(request.user, Cap.PLAN_MANAGE)
        try:
            pk = int(request.POST.get("figure", ""))
        except ValueError:
            raise Http404 from None
        figure = selectors.figure_get_for_user(user=request.user, pk=pk)
        if figure.target.task.plan_id != plan.pk:
            raise Http404
        require_version(request, figure)
        try:
            services.figure_review(
                actor=_actor(request),
                source=AuditSource.WEB,
                figure=figure,
                accept=request.POST.get("decision") == "accept",
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("The review was recorded."))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(f"{request.path}?status={request.GET.get('status', 'submitted')}")
    status = request.GET.get("status", "submitted")
    if status not in (*rules.FIGURE_STATUS_LABELS, "all"):
        status = "submitted"
    figures = list(
        selectors.figures_for_review(user=request.user, plan=plan, status="" if status == "all" else status)[
            :200
        ]
    )
    for f in figures:
        f.difference = None if f.computed_value is None else f.value - f.computed_value  # type: ignore[attr-defined]
        f.refs = [line for line in f.evidence_refs.splitlines() if line]  # type: ignore[attr-defined]
    return render(
        request,
        "planning/figures.html",
        {
            "plan": plan,
            "figures": figures,
            "status": status,
            "statuses": list(rules.FIGURE_STATUS_LABELS.items()),
            "is_office": is_office,
            "me": request.user.pk,
        },
    )
