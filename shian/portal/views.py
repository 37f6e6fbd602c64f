"""Pages of the business portal (a business account's own records and what it files) and the
staff pages that review what businesses filed. Thin: check the capability, load through a
selector, call one service."""

from __future__ import annotations

import io
import mimetypes
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shian.core.concurrency import require_version, versioned
from shian.core.models import AuditSource, User
from shian.core.permissions import PortalCap, has_cap, require_cap
from shian.core.scoping import get_scoped_or_404, own_credit_code
from shian.core.xlsx import table_xlsx
from shian.registry.models import Business
from shian.schools import selectors as schools_selectors

from . import rules, selectors, services
from .models import AccountRequestStatus, ReportPhoto, ReviewStatus

MAX_PHOTO_UPLOAD = 12


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for m in exc.messages:
        messages.error(request, m)


def _int(value: str, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# ------------------------------------------------------------------ the business's own portal


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, PortalCap.USE)
    user = request.user
    business = selectors.own_business(user=user)
    today = timezone.localdate()
    rectifications = list(selectors.own_rectifications(user=user)[:100])
    owes_self_inspection = selectors.self_inspection_owed(business=business, today=today)
    context = {
        "business": business,
        "today": today,
        "licence": selectors.licence_state(business=business, today=today),
        "grade": selectors.own_grade(user=user),
        "inspections": selectors.own_inspections(user=user)[:50],
        "rectifications": rectifications,
        "open_count": sum(1 for r in rectifications if r.status == "open"),
        "samples": selectors.own_samples(user=user)[:50],
        "cases": selectors.own_cases(user=user)[:50],
        "result_visible": selectors.RESULT_VISIBLE,
        "owes_self_inspection": owes_self_inspection,
        "self_inspections": selectors.own_self_inspections(user=user)[:20],
        "schools": schools_selectors.schools_of_business_account(user=user),
        "certificates": schools_selectors.certificates_of(business=business),
    }
    if owes_self_inspection:
        rule = rules.self_inspection_rule_in_force(today)
        context["self_inspection_rule"] = rule
        context["self_inspection_due"] = rules.self_inspection_due(year=today.year, rule=rule)
    return render(request, "portal/home.html", context)


@login_required
@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_cap(request.user, PortalCap.USE)
    inspection = selectors.own_inspection_get(user=request.user, pk=pk)
    return render(
        request,
        "portal/inspection.html",
        {"inspection": inspection, "findings": selectors.own_findings(inspection=inspection)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    require_cap(request.user, PortalCap.USE)
    r = selectors.own_rectification_get(user=request.user, pk=pk)
    if request.method == "POST":
        files = request.FILES.getlist("photos")[:MAX_PHOTO_UPLOAD]
        try:
            services.rectification_report_submit(
                actor=_actor(request),
                source=AuditSource.WEB,
                rectification=r,
                text=request.POST.get("text", ""),
                photos=[(f.name or "", f.read()) for f in files],
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("整改报告已提交，等待检查人员审核"))
            return redirect("portal:rectification", pk=r.pk)
    return render(
        request,
        "portal/rectification.html",
        {"r": r, "reports": selectors.reports_of(rectification=r), "today": timezone.localdate()},
    )


@login_required
@require_GET
def sample_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_cap(request.user, PortalCap.USE)
    sample = selectors.own_sample_get(user=request.user, pk=pk)
    visible = selectors.result_visible(sample)
    return render(
        request,
        "portal/sample.html",
        {
            "sample": sample,
            "visible": visible,
            "items": sample.items.all() if visible else [],
            "deadlines": selectors.sample_deadlines(sample=sample) if visible else [],
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def self_inspection_new(request: HttpRequest) -> HttpResponseBase:
    require_cap(request.user, PortalCap.USE)
    business = selectors.own_business(user=request.user)
    today = timezone.localdate()
    if not selectors.self_inspection_owed(business=business, today=today):
        raise Http404
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            services.self_inspection_submit(
                actor=_actor(request),
                source=AuditSource.WEB,
                business=business,
                year=_int(request.POST.get("year", ""), -1),
                items_checked=_int(request.POST.get("items_checked", ""), -1),
                problems_found=_int(request.POST.get("problems_found", ""), -1),
                problems_fixed=_int(request.POST.get("problems_fixed", ""), -1),
                summary=request.POST.get("summary", ""),
                file=(upload.name or "", upload.read()) if upload else None,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("自查报告已报送，等待监管部门审核"))
            return redirect("portal:home")
    return render(
        request,
        "portal/self_inspection_form.html",
        {"business": business, "year": today.year, "data": request.POST},
    )


@login_required
@require_GET
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A report's photo: for the business that filed it, or staff who may review it in scope."""
    user = request.user
    if not has_cap(user, PortalCap.USE):
        require_cap(user, PortalCap.REVIEW_RECTIFICATION)
    p = ReportPhoto.objects.select_related("report__business").filter(pk=_int(str(pk), -1)).first()
    if p is None:
        raise Http404
    if has_cap(user, PortalCap.USE):
        if p.report.business.credit_code != own_credit_code(user):
            raise Http404
    else:
        selectors.rectification_report_get_for_user(user=user, pk=p.report_id)
    return _file(p.file.name, p.original_name)


def _file(path: str | None, name: str) -> FileResponse:
    if not path or not default_storage.exists(path):
        raise Http404
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(path, "rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@login_required
@require_GET
def self_inspection_file(request: HttpRequest, pk: int) -> FileResponse:
    user = request.user
    if has_cap(user, PortalCap.USE):
        report = selectors.own_self_inspection_get(user=user, pk=pk)
    else:
        require_cap(user, PortalCap.MANAGE)
        report = selectors.self_inspection_get_for_user(user=user, pk=pk)
    return _file(report.file.name, report.file_name)


# ------------------------------------------------------------------ staff: review what was filed


@login_required
@require_GET
def review_rectifications(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, PortalCap.REVIEW_RECTIFICATION)
    status = request.GET.get("status", ReviewStatus.SUBMITTED)
    reports = selectors.rectification_reports_for_user(user=request.user, status=status)[:200]
    return render(
        request,
        "portal/review_rectifications.html",
        {"reports": reports, "status": status, "statuses": ReviewStatus.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
@versioned
def review_rectification(request: HttpRequest, pk: int) -> HttpResponseBase:
    require_cap(request.user, PortalCap.REVIEW_RECTIFICATION)
    report = selectors.rectification_report_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        require_version(request, report)
        try:
            services.rectification_report_review(
                actor=_actor(request),
                source=AuditSource.WEB,
                report=report,
                accept=request.POST.get("decision") == "accept",
                note=request.POST.get("note", ""),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("已审核"))
            return redirect("portal:review_rectifications")
    return render(request, "portal/review_rectification.html", {"report": report})


@login_required
@require_GET
def review_self_inspections(request: HttpRequest) -> HttpResponseBase:
    require_cap(request.user, PortalCap.MANAGE)
    today = timezone.localdate()
    year = _int(request.GET.get("year", ""), today.year)
    if not 2000 <= year <= today.year + 1:
        year = today.year
    rule = rules.self_inspection_rule_in_force(today)
    due = rules.self_inspection_due(year=year, rule=rule)
    if request.GET.get("format") == "xlsx":
        # Who reported and who has not, one row each: the list a town chases the missing with.
        missing_label = "逾期未报送" if today > due else "尚未报送"
        rows: list[list[str | int | None]] = [
            [b.name, b.credit_code, b.region.name, missing_label, None, None, None]
            for b in selectors.self_inspection_missing_for_user(user=request.user, year=year, today=today)
        ]
        rows += [
            [
                r.business.name,
                r.business.credit_code,
                r.region.name,
                str(r.get_status_display()),
                r.submitted_on.isoformat(),
                r.problems_found,
                r.problems_fixed,
            ]
            for r in selectors.self_inspections_for_user(user=request.user, year=year)
        ]
        content = table_xlsx(
            title=f"特殊食品生产企业自查报告 {year}年（截止 {due:%Y-%m-%d}）",
            headers=["企业", "统一社会信用代码", "镇街", "状态", "报送日期", "发现问题", "已整改"],
            rows=rows,
            sheet="自查报告",
        )
        return FileResponse(
            io.BytesIO(content),
            as_attachment=True,
            filename=f"自查报告_{year}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return render(
        request,
        "portal/review_self_inspections.html",
        {
            "year": year,
            "due": due,
            "late": today > due,
            "rule": rule,
            "reports": selectors.self_inspections_for_user(user=request.user, year=year)[:500],
            "missing": selectors.self_inspection_missing_for_user(user=request.user, year=year, today=today)[
                :500
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@versioned
def review_self_inspection(request: HttpRequest, pk: int) -> HttpResponseBase:
    require_cap(request.user, PortalCap.MANAGE)
    report = selectors.self_inspection_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        require_version(request, report)
        try:
            services.self_inspection_review(
                actor=_actor(request),
                source=AuditSource.WEB,
                report=report,
                accept=request.POST.get("decision") == "accept",
                note=request.POST.get("note", ""),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("已审核"))
            return redirect(reverse("portal:review_self_inspections") + f"?year={report.year}")
    return render(request, "portal/review_self_inspection.html", {"report": report})


@login_required
@require_http_methods(["GET", "POST"])
def account_new(request: HttpRequest, business_pk: int) -> HttpResponseBase:
    """The office opens a portal account for a business in its scope; the password is shown once."""
    require_cap(request.user, PortalCap.MANAGE)
    business = get_scoped_or_404(
        Business.objects.all(),
        request.user,
        business_pk,
        region_field="region_id",
        type_field="business_type",
    )
    created = None
    if request.method == "POST":
        try:
            user, password = services.business_account_create(
                actor=_actor(request),
                source=AuditSource.WEB,
                business=business,
                username=request.POST.get("username", ""),
                full_name=request.POST.get("full_name", ""),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            created = {"username": user.username, "password": password}
    return render(
        request,
        "portal/account_new.html",
        {
            "business": business,
            "accounts": selectors.business_accounts_of(business=business),
            "created": created,
            "data": request.POST,
        },
    )


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """A business asks for its portal account (no sign-in): the office verifies and approves it."""
    done = False
    if request.method == "POST":
        try:
            services.account_request_submit(
                source=AuditSource.WEB,
                credit_code=request.POST.get("credit_code", "")[:18],
                licence_number=request.POST.get("licence_number", "")[:16],
                contact=request.POST.get("contact", "")[:50],
                phone=request.POST.get("phone", "")[:20],
                username=request.POST.get("username", "")[:150],
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            done = True
    return render(request, "portal/register.html", {"done": done, "data": request.POST})


@login_required
@require_GET
def review_accounts(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, PortalCap.MANAGE)
    status = request.GET.get("status", "pending")
    return render(
        request,
        "portal/review_accounts.html",
        {
            "requests": selectors.account_requests_for_user(user=request.user, status=status)[:200],
            "status": status,
            "statuses": AccountRequestStatus.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@versioned
def review_account(request: HttpRequest, pk: int) -> HttpResponse:
    require_cap(request.user, PortalCap.MANAGE)
    req = selectors.account_request_get_for_user(user=request.user, pk=pk)
    created = None
    if request.method == "POST":
        require_version(request, req)
        try:
            req, password = services.account_request_review(
                actor=_actor(request),
                source=AuditSource.WEB,
                request=req,
                approve=request.POST.get("decision") == "approve",
                note=request.POST.get("note", ""),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            created = {"username": req.username, "password": password} if password else None
            messages.success(request, _("已处理"))
    return render(request, "portal/review_account.html", {"req": req, "created": created})
