"""Pages of the schools module: the school list with each school's campaign inspections and
accompanied-meal shortfall, a school's page, the accompanied-meal record (phone), the import,
open-kitchen statuses and certificates. Thin: check, load through a selector, call a service."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shian.core.concurrency import require_version, versioned
from shian.core.lists import list_page
from shian.core.models import AuditSource, User
from shian.core.permissions import PortalCap, SchoolCap, has_cap, require_cap
from shian.core.scoping import own_credit_code, regions_for
from shian.core.xlsx import table_xlsx, xlsx_response

from . import imports, rules, selectors, services
from .models import (
    CanteenOperation,
    CertificateKind,
    Meal,
    MealRole,
    OpenKitchenLevel,
    School,
    SchoolLevel,
    SchoolSupplier,
)


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for m in exc.messages:
        messages.error(request, m)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        return None


def _int(value: str, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _month(today: dt.date) -> tuple[dt.date, dt.date]:
    return today.replace(day=1), today


@login_required
@require_GET
def school_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, SchoolCap.VIEW)
    filters = selectors.SchoolFilters.from_mapping(request.GET)
    qs = selectors.school_list_for_user(user=request.user, filters=filters)
    page = list_page(request, qs, 50)
    today = timezone.localdate()
    schools = list(page.object_list)
    start, end = _month(today)
    shortfalls = selectors.meal_shortfalls(schools=schools, start=start, end=end)
    campaigns = selectors.school_campaigns(today.year)
    counts = selectors.campaign_inspections(schools=schools, year=today.year)
    rows = [
        {"school": s, "shortfall": shortfalls[s.pk], "campaigns": [counts[s.pk][c.code] for c in campaigns]}
        for s in schools
    ]
    return render(
        request,
        "schools/list.html",
        {
            "rows": rows,
            "page": page,
            "filters": filters,
            "query": "&".join(f"{k}={v}" for k, v in filters.as_query().items()),
            "towns": regions_for(request.user).exclude(level="district"),
            "levels": SchoolLevel.choices,
            "operations": CanteenOperation.choices,
            "campaigns": campaigns,
            "month_start": start,
            "can_manage": has_cap(request.user, SchoolCap.MANAGE),
        },
    )


@login_required
@require_GET
def school_export(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, SchoolCap.VIEW)
    filters = selectors.SchoolFilters.from_mapping(request.GET)
    schools = list(selectors.school_list_for_user(user=request.user, filters=filters)[:20000])
    suppliers: dict[int, dict[str, list[str]]] = {
        s.pk: {"meal_provider": [], "ingredients": []} for s in schools
    }
    for school_id, role, code in SchoolSupplier.objects.filter(school_id__in=list(suppliers)).values_list(
        "school_id", "role", "business__credit_code"
    ):
        suppliers[school_id][role].append(code or "")
    labels = {
        "level": dict(SchoolLevel.choices),
        "operation": dict(CanteenOperation.choices),
        "meal": dict(Meal.choices),
    }
    level_cn = {str(v): k for k, v in imports.LEVELS.items()}
    operation_cn = {str(v): k for k, v in imports.OPERATION.items()}
    meal_cn = {str(v): k for k, v in imports.MEALS.items()}
    rows = [
        [
            s.code,
            s.name,
            level_cn.get(s.level, str(labels["level"].get(s.level, s.level))),
            "公办" if s.ownership == "public" else "民办",
            "是" if s.rural else "否",
            s.pupils,
            s.region.name,
            s.address,
            s.headmaster,
            operation_cn.get(s.canteen_operation, s.canteen_operation),
            "；".join(meal_cn.get(m, m) for m in s.meals),
            s.canteen.credit_code if s.canteen else "",
            s.operator.credit_code if s.operator else "",
            "；".join(suppliers[s.pk]["meal_provider"]),
            "；".join(suppliers[s.pk]["ingredients"]),
        ]
        for s in schools
    ]
    content = table_xlsx(
        title=f"学校名单（{timezone.localdate()} 导出，共 {len(rows)} 所）",
        headers=[h for _k, h in imports.COLUMNS],
        rows=rows,
        sheet="学校名单",
    )
    return xlsx_response(content, "schools.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def school_import_page(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, SchoolCap.MANAGE)
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择文件"))
        else:
            result = imports.school_import(
                actor=_actor(request),
                source=AuditSource.IMPORT,
                filename=upload.name or "",
                content=upload.read(),
                dry_run=request.POST.get("dry_run") == "1",
            )
            if result.ok:
                messages.success(
                    request,
                    _("导入完成：新增 %(created)s 所，更新 %(updated)s 所")
                    % {"created": result.created, "updated": result.updated},
                )
    return render(request, "schools/import.html", {"result": result})


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, SchoolCap.MANAGE)
    return xlsx_response(imports.template_xlsx(), "school-import-template.xlsx")


@login_required
@require_GET
def school_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_cap(request.user, SchoolCap.VIEW)
    school = selectors.school_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    start, end = _month(today)
    campaigns = selectors.school_campaigns(today.year)
    counts = selectors.campaign_inspections(schools=[school], year=today.year)[school.pk]
    feeders = [b for b in (school.canteen, school.operator) if b is not None]
    suppliers = list(selectors.suppliers_of(school=school))
    kitchens = [
        {
            "business": b,
            "status": selectors.open_kitchen_of(business=b),
            "c9": selectors.latest_c9_answer(business=b),
        }
        for b in feeders + [s.business for s in suppliers if s.role == "meal_provider"]
    ]
    can_manage = has_cap(request.user, SchoolCap.MANAGE)
    in_scope = (
        selectors.business_ids_in_scope(user=request.user, ids=[s.business_id for s in suppliers])
        if can_manage
        else set()
    )
    certificates = [
        {
            "business": s.business,
            "certificates": list(selectors.certificates_of(business=s.business)),
            "can_add": s.business_id in in_scope,
        }
        for s in suppliers
    ]
    return render(
        request,
        "schools/detail.html",
        {
            "school": school,
            "suppliers": suppliers,
            "kitchens": kitchens,
            "certificates": certificates,
            "campaigns": [(c, counts[c.code]) for c in campaigns],
            "shortfall": selectors.meal_shortfalls(schools=[school], start=start, end=end)[school.pk],
            "month_start": start,
            "meals": selectors.meals_of(school=school, start=today - dt.timedelta(days=31), end=today)[:100],
            "meal_rule": rules.meal_rule_in_force(today),
            "can_manage": can_manage,
        },
    )


def _meal_school(request: HttpRequest, pk: int) -> School:
    """The school whose meals this person may record: the canteen's business account, or staff."""
    if has_cap(request.user, PortalCap.USE):
        return selectors.school_for_business_account(user=request.user, pk=pk)
    require_cap(request.user, SchoolCap.VIEW)
    school = selectors.school_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        require_cap(request.user, SchoolCap.MANAGE)
    return school


@login_required
@require_http_methods(["GET", "POST"])
def meals(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Record an accompanied meal (陪餐) on a phone, and the month's records and shortfall."""
    school = _meal_school(request, pk)
    today = timezone.localdate()
    if request.method == "POST":
        upload = request.FILES.get("photo")
        try:
            services.accompanied_meal_record(
                actor=_actor(request),
                source=AuditSource.WEB,
                school=school,
                on=_date(request.POST.get("on", "")) or today,
                meal=request.POST.get("meal", ""),
                person=request.POST.get("person", ""),
                person_role=request.POST.get("person_role", ""),
                notes=request.POST.get("notes", ""),
                photo=(upload.name or "", upload.read()) if upload else None,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("陪餐记录已保存"))
            return redirect("schools:meals", pk=school.pk)
    start, end = _month(today)
    return render(
        request,
        "schools/meals.html",
        {
            "school": school,
            "today": today,
            "meal_choices": Meal.choices,
            "role_choices": MealRole.choices,
            "records": selectors.meals_of(school=school, start=start, end=end),
            "shortfall": selectors.meal_shortfalls(schools=[school], start=start, end=end)[school.pk],
            "month_start": start,
            "rule": rules.meal_rule_in_force(today),
            "data": request.POST,
        },
    )


@login_required
@require_GET
def open_kitchen_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, SchoolCap.VIEW)
    today = timezone.localdate()
    group = "t10" if request.GET.get("group") == "t10" else "t20"
    level = request.GET.get("level", "")
    qs = selectors.open_kitchen_population(user=request.user, group=group, on=today)
    if level == "missing":
        qs = qs.filter(open_kitchen__isnull=True)
    elif level in OpenKitchenLevel.values:
        qs = qs.filter(open_kitchen__level=level)
    if request.GET.get("format") == "xlsx":
        rows: list[list[str | int | None]] = []
        for b in qs[:50_000]:
            ok = getattr(b, "open_kitchen", None)
            rows.append(
                [
                    b.name,
                    b.credit_code,
                    b.region.name,
                    ok.get_level_display() if ok else "未登记",
                    ok.cameras if ok else None,
                    (ok.platform or None) if ok else None,
                    ok.verified_on.isoformat() if ok else None,
                ]
            )
        title = "明厨亮灶（中型以上社会餐饮）" if group == "t10" else "明厨亮灶（学校食堂和校外供餐单位）"
        return xlsx_response(
            table_xlsx(
                title=title,
                headers=["主体", "统一社会信用代码", "镇街", "状态", "摄像头", "平台", "核实日期"],
                rows=rows,
                sheet="明厨亮灶",
            ),
            f"明厨亮灶_{today:%Y%m%d}.xlsx",
        )
    page = list_page(request, qs, 50)
    return render(
        request,
        "schools/open_kitchen.html",
        {
            "page": page,
            "group": group,
            "level": level,
            "levels": OpenKitchenLevel.choices,
            "rule": rules.open_kitchen_rule_in_force(today),
            "can_manage": has_cap(request.user, SchoolCap.MANAGE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@versioned
def open_kitchen_edit(request: HttpRequest, business_pk: int) -> HttpResponseBase:
    require_cap(request.user, SchoolCap.MANAGE)
    business = selectors.open_kitchen_business_get(user=request.user, pk=business_pk)
    if request.method == "POST":
        require_version(request, selectors.open_kitchen_of(business=business))
        try:
            services.open_kitchen_set(
                actor=_actor(request),
                source=AuditSource.WEB,
                business=business,
                level=request.POST.get("level", ""),
                cameras=_int(request.POST.get("cameras", "0")),
                platform=request.POST.get("platform", ""),
                verified_on=_date(request.POST.get("verified_on", "")) or timezone.localdate(),
                inspection_ref=_int(request.POST.get("inspection", ""), 0) or None,
                note=request.POST.get("note", ""),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("明厨亮灶状态已记录"))
            return redirect("schools:open_kitchen_edit", business_pk=business.pk)
    return render(
        request,
        "schools/open_kitchen_edit.html",
        {
            "business": business,
            "status": selectors.open_kitchen_of(business=business),
            "c9": selectors.latest_c9_answer(business=business),
            "levels": OpenKitchenLevel.choices,
            "today": timezone.localdate(),
            "data": request.POST,
        },
    )


def _certificate_rows(request: HttpRequest) -> tuple[str, list, dt.date]:
    today = timezone.localdate()
    state = request.GET.get("state", "")
    if state == "uncertified":
        return (
            state,
            list(selectors.meal_providers_without_certificate(user=request.user, on=today)[:2000]),
            today,
        )
    kind = request.GET.get("kind", "")
    return (
        state,
        list(selectors.certificates_for_user(user=request.user, state=state, today=today, kind=kind)[:2000]),
        today,
    )


@login_required
@require_GET
def certificate_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, SchoolCap.VIEW)
    state, rows, today = _certificate_rows(request)
    rule = rules.certificate_rule_in_force(today)
    if state != "uncertified":
        rows = [
            {
                "c": c,
                "state": rules.certificate_state(
                    valid_from=c.valid_from, valid_until=c.valid_until, today=today, rule=rule
                ),
            }
            for c in rows
        ]
    return render(
        request,
        "schools/certificates.html",
        {"state": state, "rows": rows, "kinds": CertificateKind.choices, "rule": rule, "today": today},
    )


@login_required
@require_GET
def certificate_export(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, SchoolCap.VIEW)
    state, rows, today = _certificate_rows(request)
    if state == "uncertified":
        content = table_xlsx(
            title="无有效HACCP/ISO 22000证书的校外供餐单位",
            headers=["主体", "统一社会信用代码", "镇街代码"],
            rows=[[b.name, b.credit_code or "", b.region_id] for b in rows],
        )
    else:
        rule = rules.certificate_rule_in_force(today)
        state_cn = {"valid": "有效", "expiring": "即将到期", "expired": "已过期", "pending": "未生效"}
        content = table_xlsx(
            title=f"管理体系认证证书（{today}）",
            headers=[
                "主体",
                "统一社会信用代码",
                "镇街",
                "类别",
                "发证机构",
                "证书编号",
                "认证范围",
                "发证日期",
                "有效期至",
                "状态",
            ],
            rows=[
                [
                    c.business.name,
                    c.business.credit_code or "",
                    c.region.name,
                    c.get_kind_display(),
                    c.issuer,
                    c.number,
                    c.scope,
                    c.valid_from.isoformat(),
                    c.valid_until.isoformat(),
                    state_cn[
                        rules.certificate_state(
                            valid_from=c.valid_from, valid_until=c.valid_until, today=today, rule=rule
                        )
                    ],
                ]
                for c in rows
            ],
            sheet="证书",
        )
    return xlsx_response(content, "certificates.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def certificate_new(request: HttpRequest, business_pk: int) -> HttpResponseBase:
    """Put a certificate on file: staff for a business in scope, a business for its own."""
    if has_cap(request.user, PortalCap.USE):
        business = selectors.open_kitchen_business_get_own(
            user=request.user, pk=business_pk, code=own_credit_code(request.user)
        )
    else:
        require_cap(request.user, SchoolCap.MANAGE)
        business = selectors.open_kitchen_business_get(user=request.user, pk=business_pk)
    if request.method == "POST":
        try:
            services.certificate_add(
                actor=_actor(request),
                source=AuditSource.WEB,
                business=business,
                kind=request.POST.get("kind", ""),
                issuer=request.POST.get("issuer", ""),
                number=request.POST.get("number", ""),
                scope=request.POST.get("scope", ""),
                valid_from=_date(request.POST.get("valid_from", "")) or dt.date.min,
                valid_until=_date(request.POST.get("valid_until", "")) or dt.date.min,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("证书已登记"))
            return redirect("schools:certificate_new", business_pk=business.pk)
    return render(
        request,
        "schools/certificate_new.html",
        {
            "business": business,
            "certificates": selectors.certificates_of(business=business),
            "kinds": CertificateKind.choices,
            "data": request.POST,
        },
    )
