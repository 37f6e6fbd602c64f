"""Incident and drill pages: the list with its Excel export, reporting an incident, its record with
the reporting clocks and timeline, and the drills. Each view validates, loads through a scoped
selector, calls one service and renders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shian.core.concurrency import require_version, versioned
from shian.core.imports import ImportIssue
from shian.core.lists import list_page, list_query
from shian.core.models import AuditSource, User
from shian.core.permissions import PublicCap, has_cap, require_cap
from shian.core.scoping import regions_for
from shian.core.xlsx import table_xlsx, xlsx_response
from shian.registry.selectors import business_get_for_user

from . import imports, rules, selectors, services
from .forms import CloseForm, DrillForm, IncidentForm, ReportSentForm, UpdateForm
from .models import IncidentStatus, MonitoringTask

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 — login_required guarantees it
    return request.user


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


def level_label(code: str) -> str:
    if code == rules.BELOW_GRADING:
        return "未达分级标准（食品安全事件）"
    for level in rules.load_editions()[-1].levels:
        if level.code == code:
            return level.name
    return code


@login_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, PublicCap.INCIDENT_VIEW)
    qs = selectors.incidents_for_user(request.user).select_related("region").order_by("-onset_at", "-id")
    if request.GET.get("open"):
        qs = qs.exclude(status=IncidentStatus.CLOSED)
    if request.GET.get("format") == "xlsx":
        rows: list[list[Any]] = [
            [
                i.code,
                i.region.name,
                i.place,
                timezone.localtime(i.onset_at).strftime("%Y-%m-%d %H:%M"),
                i.ill,
                i.hospitalised,
                i.deaths,
                i.suspected_food,
                level_label(i.level),
                i.get_status_display(),
                i.cause,
            ]
            for i in qs[:50_000]
        ]
        headers = [
            "编号",
            "镇街",
            "地点",
            "首例发病",
            "发病",
            "住院",
            "死亡",
            "可疑食品",
            "级别",
            "状态",
            "原因",
        ]
        response = HttpResponse(
            table_xlsx(title="食品安全事故", headers=headers, rows=rows, sheet="事故"), content_type=XLSX
        )
        response["Content-Disposition"] = content_disposition_header(True, "incidents.xlsx")
        return response
    page = list_page(request, qs)
    for i in page.object_list:
        i.level_label = level_label(i.level)  # type: ignore[attr-defined]
    return render(
        request,
        "incidents/list.html",
        {
            "page": page,
            "can_record": has_cap(request.user, PublicCap.INCIDENT_RECORD),
            "open": request.GET.get("open"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, PublicCap.INCIDENT_RECORD)
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        business = business_get_for_user(user=request.user, pk=d["business"]) if d.get("business") else None
        try:
            incident = services.incident_report(
                actor=_actor(request),
                source=AuditSource.WEB,
                place=d["place"],
                onset_at=d["onset_at"],
                known_at=d["known_at"],
                ill=d["ill"],
                hospitalised=d["hospitalised"] or 0,
                deaths=d["deaths"] or 0,
                suspected_food=d["suspected_food"],
                business=business,
                region_code=d["region_code"],
                now=timezone.now(),
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            return redirect("incidents:detail", pk=incident.pk)
    towns = regions_for(request.user).exclude(level="district")
    return render(
        request,
        "incidents/new.html",
        {"form": form, "towns": towns},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_cap(request.user, PublicCap.INCIDENT_VIEW)
    incident = selectors.incident_get(request.user, pk)
    return render(
        request,
        "incidents/detail.html",
        {
            "i": incident,
            "level": level_label(incident.level),
            "clocks": selectors.incident_clocks(incident),
            "steps": incident.steps.select_related("by"),
            "cases": incident.cases.all(),
            "can_record": has_cap(request.user, PublicCap.INCIDENT_RECORD)
            and incident.status != IncidentStatus.CLOSED,
            "now": timezone.localtime(),
        },
    )


def _act(request: HttpRequest, pk: int, form: Any, action: Any) -> HttpResponse:
    incident = selectors.incident_get(request.user, pk)
    require_cap(request.user, PublicCap.INCIDENT_RECORD)
    require_version(request, incident)
    if not form.is_valid():
        messages.error(request, _("请完整填写"))
    else:
        try:
            action(incident, form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    return redirect("incidents:detail", pk=incident.pk)


@login_required
@require_POST
@versioned
def incident_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        UpdateForm(request.POST),
        lambda i, d: services.incident_update(actor=_actor(request), source=AuditSource.WEB, incident=i, **d),
    )


@login_required
@require_POST
@versioned
def incident_report_sent(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReportSentForm(request.POST),
        lambda i, d: services.incident_report_sent(
            actor=_actor(request), source=AuditSource.WEB, incident=i, **d
        ),
    )


@login_required
@require_POST
@versioned
def incident_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        CloseForm(request.POST),
        lambda i, d: services.incident_close(actor=_actor(request), source=AuditSource.WEB, incident=i, **d),
    )


@login_required
@require_http_methods(["GET", "POST"])
def drill_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, PublicCap.INCIDENT_VIEW)
    can_record = has_cap(request.user, PublicCap.INCIDENT_RECORD)
    form = DrillForm(request.POST or None)
    status = 200
    if request.method == "POST":
        require_cap(request.user, PublicCap.INCIDENT_RECORD)
        if form.is_valid():
            try:
                services.drill_record(
                    actor=_actor(request),
                    source=AuditSource.WEB,
                    today=timezone.localdate(),
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                messages.error(request, _errors(exc))
                status = 400
            else:
                return redirect("incidents:drills")
        else:
            status = 400
    return render(
        request,
        "incidents/drills.html",
        {
            "drills": selectors.drills_for_user(request.user)[:200],
            "form": form,
            "can_record": can_record,
            "regions": regions_for(request.user),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def cases(request: HttpRequest) -> HttpResponse:
    """Hospital case reports: the import (all or nothing, problems located) and suspected clusters."""
    require_cap(request.user, PublicCap.INCIDENT_VIEW)
    issues: list[ImportIssue] = []
    if request.method == "POST":
        require_cap(request.user, PublicCap.INCIDENT_RECORD)
        upload = request.FILES.get("file")
        if upload is None or upload.size is None or upload.size > 10 * 1024 * 1024:
            issues = [ImportIssue(0, "", "", "请选择不超过10 MB的xlsx文件")]
        else:
            try:
                done = imports.cases_import(
                    actor=_actor(request), content=upload.read(), today=timezone.localdate()
                )
            except imports.ImportRejected as exc:
                issues = exc.issues
            else:
                messages.success(request, _("已导入 %(count)s 份病例报告") % {"count": len(done)})
                return redirect("incidents:cases")
    if request.GET.get("format") == "template":
        response = HttpResponse(imports.template_xlsx(), content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(True, "case-reports-template.xlsx")
        return response
    today = timezone.localdate()
    f = {k: str(request.GET.get(k, "") or "").strip()[:60] for k in ("q", "region", "start", "end", "linked")}
    dates = {k: _iso_date(f[k]) for k in ("start", "end")}
    f.update({k: v.isoformat() if v else "" for k, v in dates.items()})
    if f["linked"] not in ("yes", "no"):
        f["linked"] = ""
    filters = {k: v for k, v in f.items() if v}
    qs = selectors.case_list_for_user(
        user=request.user, q=f["q"], region=f["region"], linked=f["linked"], **dates
    )
    if request.GET.get("format") == "xlsx":
        rows = [
            [
                c.report_no,
                c.hospital,
                c.onset_on.isoformat(),
                c.age,
                c.sex,
                c.symptoms,
                c.suspected_food,
                c.place,
                c.region.name,
                c.business.credit_code if c.business else None,
                c.incident.code if c.incident else None,
            ]
            for c in qs[:50_000]
        ]
        return xlsx_response(
            table_xlsx(title="食源性疾病病例报告", headers=_CASE_HEADERS, rows=rows, sheet="病例报告"),
            f"病例报告_{today:%Y%m%d}.xlsx",
        )
    return render(
        request,
        "incidents/cases.html",
        {
            "page": list_page(request, qs),
            "filters": filters,
            **list_query(filters),
            "regions": regions_for(request.user).exclude(level="district"),
            "clusters": selectors.suspected_clusters(request.user, since=today - dt.timedelta(days=30)),
            "issues": issues,
            "can_record": has_cap(request.user, PublicCap.INCIDENT_RECORD),
        },
        status=400 if issues else 200,
    )


# The import's columns (no patient's name or ID number is ever read), then the incident linked.
_CASE_HEADERS = [*imports.COLUMNS, "关联事故"]


def _iso_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


class TaskForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    title = forms.CharField(max_length=200)
    category = forms.CharField(max_length=8)
    hazard = forms.CharField(max_length=100)
    planned = forms.IntegerField(min_value=1, max_value=100000)
    unit = forms.CharField(max_length=100)


class ResultForm(forms.Form):
    task = forms.IntegerField(min_value=1)
    sampled_on = forms.DateField()
    region_code = forms.CharField(max_length=12)
    food_name = forms.CharField(max_length=100)
    value = forms.DecimalField(max_digits=14, decimal_places=4, required=False)
    result_unit = forms.CharField(max_length=20, required=False)
    abnormal = forms.BooleanField(required=False)
    note = forms.CharField(max_length=300, required=False)


@login_required
@require_http_methods(["GET", "POST"])
def monitoring(request: HttpRequest) -> HttpResponse:
    """Risk-monitoring tasks (plan task 十四) with their completion, and the abnormal results to study."""
    require_cap(request.user, PublicCap.INCIDENT_VIEW)
    if request.method == "POST":
        require_cap(request.user, PublicCap.INCIDENT_RECORD)
        kind = request.POST.get("form")
        form: forms.Form = TaskForm(request.POST) if kind == "task" else ResultForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请完整填写"))
        else:
            d = dict(form.cleaned_data)
            try:
                if kind == "task":
                    services.monitoring_task_create(actor=_actor(request), source=AuditSource.WEB, **d)
                else:
                    task = MonitoringTask.objects.filter(pk=d.pop("task")).first()
                    if task is None:
                        raise ValidationError({"task": _("监测任务不存在")})
                    services.monitoring_result_record(
                        actor=_actor(request), source=AuditSource.WEB, task=task, **d
                    )
            except ValidationError as exc:
                messages.error(request, _errors(exc))
            else:
                messages.success(request, _("已记录"))
        return redirect("incidents:monitoring")
    tasks = MonitoringTask.objects.select_related("category").annotate(
        done=Count("results"), abnormal=Count("results", filter=Q(results__abnormal=True))
    )
    return render(
        request,
        "incidents/monitoring.html",
        {
            "tasks": tasks[:200],
            "abnormal": selectors.monitoring_results_for_user(request.user).filter(abnormal=True)[:100],
            "can_record": has_cap(request.user, PublicCap.INCIDENT_RECORD),
            "can_plan": has_cap(request.user, PublicCap.ROUTE),
            "towns": regions_for(request.user).exclude(level="district"),
        },
    )
