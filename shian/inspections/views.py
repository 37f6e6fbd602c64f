"""Inspection pages: the list and the tablet form (answers, findings, signature, submit).
Thin: validate, load through a scoped selector, call one service."""

from __future__ import annotations

import io
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from shian.core.models import AuditSource, User
from shian.core.permissions import Cap, has_cap, require_cap
from shian.core.xlsx import table_xlsx

from . import rules, selectors, services
from .models import InspectionStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def inspection_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.INSPECTION_VIEW)
    qs = selectors.inspection_list_for_user(
        user=request.user, region=request.GET.get("region", ""), result=request.GET.get("result", "")
    )
    page = Paginator(qs, settings.SHIAN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/list.html",
        {"page": page, "can_export": has_cap(request.user, Cap.REGISTER_EXPORT)},
    )


@login_required
@require_GET
def inspection_export(request: HttpRequest) -> FileResponse:
    require_cap(request.user, Cap.INSPECTION_VIEW)
    require_cap(request.user, Cap.REGISTER_EXPORT)
    qs = selectors.inspection_list_for_user(user=request.user, region=request.GET.get("region", ""))
    rows = [
        (
            i.business.name,
            i.region.name,
            i.inspected_on.isoformat(),
            i.get_kind_display(),
            "是" if i.full_check else "否",
            i.get_result_display(),
            i.get_status_display(),
            i.key_failed,
            i.general_failed,
        )
        for i in qs.iterator(chunk_size=5000)
    ]
    data = table_xlsx(
        title="监督检查记录",
        headers=[
            "主体",
            "镇街",
            "检查日期",
            "类型",
            "全项检查",
            "检查结果",
            "状态",
            "重点项不符合",
            "一般项不符合",
        ],
        rows=rows,
        sheet="监督检查",
    )
    return FileResponse(io.BytesIO(data), as_attachment=True, filename="inspections.xlsx", content_type=XLSX)


@login_required
@require_http_methods(["GET", "POST"])
def inspection_form(request: HttpRequest, pk: int) -> HttpResponseBase:
    require_cap(request.user, Cap.INSPECTION_VIEW)
    inspection = selectors.inspection_get_for_user(user=request.user, pk=pk)
    checklist = rules.load_checklists()[inspection.checklist]
    if request.method == "POST":
        require_cap(request.user, Cap.INSPECTION_RECORD)
        actor = cast(User, request.user)
        answers = {
            i.code: request.POST[f"a_{i.code}"] for i in checklist.items if request.POST.get(f"a_{i.code}")
        }
        findings = {
            i.code: request.POST[f"f_{i.code}"]
            for i in checklist.items
            if request.POST.get(f"f_{i.code}", "").strip()
        }
        spot = [i.code for i in checklist.items if request.POST.get(f"s_{i.code}")]
        try:
            services.inspection_record_answers(
                actor=actor,
                source=AuditSource.WEB,
                inspection=inspection,
                answers=answers,
                findings=findings,
                corrected_on_spot=spot,
            )
            if request.POST.get("signed_by", "").strip():
                services.inspection_sign(
                    actor=actor,
                    source=AuditSource.WEB,
                    inspection=inspection,
                    signed_by=request.POST["signed_by"],
                    signature=request.POST.get("signature", ""),
                )
            if request.POST.get("submit"):
                services.inspection_submit(actor=actor, source=AuditSource.WEB, inspection=inspection)
                messages.success(request, "检查记录已提交并锁定")
            return redirect("inspections:form", pk=inspection.pk)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
            inspection.refresh_from_db()
    findings_by_item = {f.item_code: f for f in inspection.findings.all()}
    items = [(i, inspection.answers.get(i.code, ""), findings_by_item.get(i.code)) for i in checklist.items]
    return render(
        request,
        "inspections/form.html",
        {
            "inspection": inspection,
            "checklist": checklist,
            "items": items,
            "locked": inspection.status != InspectionStatus.DRAFT,
            "can_record": has_cap(request.user, Cap.INSPECTION_RECORD),
        },
    )
