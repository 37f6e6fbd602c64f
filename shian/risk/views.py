"""Risk pages: grades with their breakdown, the annual inspection plan, the public draws.
Thin: validate, load through a scoped selector, render."""

from __future__ import annotations

import datetime as dt
import io

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from shian.core.permissions import Cap, has_cap, require_cap
from shian.core.scoping import regions_for, scope_for
from shian.core.xlsx import table_xlsx

from . import selectors
from .models import Draw
from .rules import GRADES, PRIORITY_LABELS, RiskRuleError, priority_groups

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def grade_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.RISK_VIEW)
    region, grade = request.GET.get("region", ""), request.GET.get("grade", "")
    qs = selectors.grade_list_for_user(
        user=request.user, region=region, grade=grade if grade in GRADES else ""
    )
    page = Paginator(qs, settings.SHIAN_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "mix": selectors.grade_mix_for_user(user=request.user),
        "regions": regions_for(request.user).exclude(level="district"),
        "region": region,
        "grade": grade,
        "grades": GRADES,
        "year": timezone.localdate().year,
        "can_export": has_cap(request.user, Cap.REGISTER_EXPORT),
    }
    return render(request, "risk/grade_list.html", context)


@login_required
@require_GET
def grade_export(request: HttpRequest) -> FileResponse:
    require_cap(request.user, Cap.REGISTER_EXPORT)
    require_cap(request.user, Cap.RISK_VIEW)
    qs = selectors.grade_list_for_user(user=request.user, region=request.GET.get("region", ""))
    rows = [
        (
            g.business.name,
            g.business.main_code,
            g.region.name,
            g.grade,
            g.score_grade,
            g.static_score,
            g.dynamic_score,
            g.total,
            g.adjustment,
            g.edition,
            g.graded_on.isoformat(),
        )
        for g in qs.iterator(chunk_size=5000)
    ]
    data = table_xlsx(
        title="食品生产经营者风险等级",
        headers=[
            "名称",
            "代码",
            "镇街",
            "风险等级",
            "按分值等级",
            "静态分",
            "动态分",
            "总分",
            "调整（级）",
            "规则版本",
            "评定日期",
        ],
        rows=rows,
        sheet="风险等级",
    )
    return FileResponse(io.BytesIO(data), as_attachment=True, filename="risk-grades.xlsx", content_type=XLSX)


@login_required
@require_GET
def grade_detail(request: HttpRequest, business_id: int) -> HttpResponse:
    require_cap(request.user, Cap.RISK_VIEW)
    g = selectors.grade_get_for_user(user=request.user, business_id=business_id)
    groups = [PRIORITY_LABELS[p] for p in priority_groups(g.business.business_type, g.grade)]
    return render(request, "risk/grade_detail.html", {"g": g, "groups": groups})


@login_required
@require_GET
def plan_view(request: HttpRequest, year: int) -> HttpResponse:
    require_cap(request.user, Cap.RISK_VIEW)
    if not 2000 <= year <= 2100:
        raise Http404
    as_of = min(timezone.localdate(), dt.date(year, 12, 31))
    scope = scope_for(request.user)
    grades = selectors.grade_queryset_for_user(user=request.user).filter(business__status="active")
    try:
        plan = selectors.annual_plan(year=year, as_of=as_of, grades=grades)
    except RiskRuleError as exc:
        return render(
            request, "risk/plan.html", {"error": str(exc), "year": year, "as_of": as_of}, status=200
        )
    regions = {r.code: r.name for r in regions_for(request.user)}
    rows = [
        (regions.get(code, code), r)
        for code, r in sorted(plan.by_region.items())
        if scope.allows_region(code)
    ]
    return render(
        request,
        "risk/plan.html",
        {"plan": plan, "rows": rows, "as_of": as_of, "year": year, "workload": sorted(plan.workload.items())},
    )


@require_GET
def draw_list(request: HttpRequest) -> HttpResponse:
    """Public (双随机、一公开): no login."""
    return render(request, "risk/draw_list.html", {"draws": selectors.draws_published()[:100]})


@require_GET
def draw_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        d = selectors.draws_published().get(code=code)
    except Draw.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "risk/draw_detail.html",
        {"d": d, "assignments": sorted(d.result["assignments"].items(), key=lambda kv: int(kv[0]))},
    )
