"""Sampling pages: sample list (htmx filters, export), detail with judgments and deadlines, status
actions, the lab's results import, disposal tasks and the unqualified-food list.

Each view validates its input, loads through a scoped selector, calls one service and renders.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import push_url

from shian.core.calendar import WorkingCalendar
from shian.core.models import AuditSource, User
from shian.core.permissions import Cap, has_cap, require_cap

from . import exports, imports, rules, selectors, services
from .forms import DisposalStepForm, ResultsImportForm, SampleFilterForm
from .models import DisposalStatus, DisposalStepKind
from .workflow import TRANSITIONS, SampleStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Statuses an officer sets by hand; results and disposal have their own pages.
MANUAL_STATUSES = frozenset(
    {
        SampleStatus.SAMPLED,
        SampleStatus.DELIVERED,
        SampleStatus.NOTIFIED,
        SampleStatus.RETEST,
        SampleStatus.OBJECTION,
        SampleStatus.CLOSED,
        SampleStatus.CANCELLED,
    }
)


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _filters(request: HttpRequest) -> tuple[SampleFilterForm, selectors.SampleFilters]:
    form = SampleFilterForm(request.GET, user=request.user)
    return form, selectors.SampleFilters.from_mapping(request.GET)


@login_required
@require_GET
def sample_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.SAMPLING_VIEW)
    form, filters = _filters(request)
    qs = selectors.sample_list_for_user(user=request.user, filters=filters, today=timezone.localdate())
    page = Paginator(qs, settings.SHIAN_PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode(filters.as_query())
    context = {
        "form": form,
        "page": page,
        "query": query,
        "query_prefix": f"{query}&" if query else "",
        "filtered": bool(query),
        "can_import": has_cap(request.user, Cap.SAMPLING_RESULTS),
    }
    htmx = request.htmx  # type: ignore[attr-defined]  # set by django-htmx's middleware
    partial = bool(htmx) and not htmx.history_restore_request
    response = render(
        request, "sampling/_sample_table.html" if partial else "sampling/sample_list.html", context
    )
    patch_vary_headers(response, ("HX-Request",))
    if partial:
        params = filters.as_query()
        if page.number > 1:
            params["page"] = str(page.number)
        response = push_url(response, f"{request.path}?{urlencode(params)}" if params else request.path)
    return response


@login_required
@require_GET
def sample_export(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.SAMPLING_VIEW)
    _form, filters = _filters(request)
    qs = selectors.sample_list_for_user(user=request.user, filters=filters, today=timezone.localdate())
    content = exports.bulletin_xlsx(samples=qs)
    response = HttpResponse(content, content_type=XLSX)
    filename = f"食品抽检信息_{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _deadline_rows(sample: Any, today: dt.date) -> list[dict[str, Any]]:
    cal = WorkingCalendar()
    warn = rules.deadline_rules_in_force(sample.sampled_on or today).warn_working_days
    rows = []
    for d in sample.deadlines.all():
        level = "met"
        if d.met_on is None:
            left = cal.working_days_between(today, d.due) if d.due >= today else 0
            level = rules.alert_level(due=d.due, today=today, working_days_left=left, warn_working_days=warn)
        rows.append({"deadline": d, "level": level})
    return rows


@login_required
@require_GET
def sample_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sample = selectors.sample_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_VIEW)
    can_manage = has_cap(request.user, Cap.SAMPLING_MANAGE)
    actions = (
        [SampleStatus(s) for s in sorted(TRANSITIONS[sample.status]) if s in MANUAL_STATUSES]
        if can_manage
        else []
    )
    disposal = selectors.disposal_tasks_for_user(request.user).filter(sample=sample).first()
    return render(
        request,
        "sampling/sample_detail.html",
        {
            "sample": sample,
            "items": list(sample.items.all().order_by("id")),
            "deadlines": _deadline_rows(sample, timezone.localdate()),
            "history": list(sample.history.select_related("by")),
            "actions": actions,
            "can_open_disposal": can_manage
            and disposal is None
            and sample.status in (SampleStatus.NOTIFIED, SampleStatus.RETEST, SampleStatus.OBJECTION),
            "disposal": disposal,
        },
    )


@login_required
@require_POST
def sample_status(request: HttpRequest, pk: int) -> HttpResponse:
    sample = selectors.sample_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_MANAGE)
    status = request.POST.get("status", "")
    if status not in MANUAL_STATUSES:
        messages.error(request, _("Unknown status."))
        return redirect("sampling:sample_detail", pk=pk)
    try:
        services.sample_set_status(
            sample=sample,
            status=status,
            by=_actor(request),
            on=timezone.localdate(),
            note=request.POST.get("note", "")[:300],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Status changed."))
    return redirect("sampling:sample_detail", pk=pk)


@login_required
@require_POST
def disposal_open(request: HttpRequest, pk: int) -> HttpResponse:
    sample = selectors.sample_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_MANAGE)
    try:
        task = services.disposal_task_open(sample=sample, by=_actor(request), on=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("sampling:sample_detail", pk=pk)
    return redirect("sampling:disposal_detail", pk=task.pk)


@login_required
def results_import(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.SAMPLING_RESULTS)
    report = None
    if request.method == "POST":
        form = ResultsImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = imports.results_import(
                by=_actor(request),
                filename=upload.name,
                content=upload.read(),
                on=timezone.localdate(),
                dry_run=form.cleaned_data["dry_run"],
            )
            if not report.ok and request.POST.get("format") == "xlsx":
                return HttpResponse(imports.results_error_workbook(report=report), content_type=XLSX)
    else:
        form = ResultsImportForm()
    return render(request, "sampling/results_import.html", {"form": form, "report": report})


@login_required
@require_GET
def results_template(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.SAMPLING_RESULTS)
    response = HttpResponse(imports.results_template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="results-template.xlsx"'
    return response


@login_required
@require_GET
def unqualified_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.SAMPLING_VIEW)
    qs = selectors.unqualified_list_for_user(user=request.user)
    page = Paginator(qs, settings.SHIAN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sampling/unqualified_list.html", {"page": page, "today": timezone.localdate()})


@login_required
@require_GET
def disposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.disposal_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_VIEW)
    steps = list(task.steps.all())
    order = {k: i for i, k in enumerate(DisposalStepKind.values)}
    steps.sort(key=lambda s: order[s.kind])
    return render(
        request,
        "sampling/disposal_detail.html",
        {
            "task": task,
            "steps": steps,
            "missing": services.disposal_missing_steps(task=task),
            "can_edit": has_cap(request.user, Cap.SAMPLING_MANAGE) and task.status == DisposalStatus.OPEN,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def disposal_step(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.disposal_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_MANAGE)
    form = DisposalStepForm(request.POST, request.FILES)
    if not form.is_valid() or form.cleaned_data["kind"] not in DisposalStepKind.values:
        messages.error(request, _("Check the step's date, note and evidence."))
        return redirect("sampling:disposal_detail", pk=pk)
    data = form.cleaned_data
    try:
        services.disposal_step_record(
            task=task,
            kind=data["kind"],
            by=_actor(request),
            done_on=data["done_on"],
            note=data["note"],
            evidence=data["evidence"],
            not_applicable=data["not_applicable"],
            source=AuditSource.WEB,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Step recorded."))
    return redirect("sampling:disposal_detail", pk=pk)


@login_required
@require_POST
def disposal_close(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.disposal_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_MANAGE)
    try:
        services.disposal_task_close(task=task, by=_actor(request), on=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Disposal closed."))
    return redirect("sampling:disposal_detail", pk=pk)
