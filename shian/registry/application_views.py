"""Licence application pages: the list (filters, Excel export), the form, the detail with its
timeline, clock and ban check, and the transitions. Thin: scoped selector, one service."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shian.core.calendar import WorkingCalendar
from shian.core.concurrency import require_version, versioned
from shian.core.lists import list_page, list_query
from shian.core.models import AuditSource, Region, User
from shian.core.permissions import Cap, has_cap, require_cap
from shian.core.scoping import scope_for
from shian.core.xlsx import table_xlsx

from . import selectors, services, workflow
from .models import ApplicationKind, ApplicationStatus, BusinessType, LicenceCategory, PersonRole
from .rules import licensing_edition

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WEB = AuditSource.WEB


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _regions(user: Any) -> Any:
    scope = scope_for(user)
    qs = Region.objects.filter(level__in=("town", "street")).order_by("code")
    return qs if scope.everything else [r for r in qs if scope.allows_region(r.code)]


def _filtered(request: HttpRequest) -> tuple[selectors.ApplicationFilters, Any]:
    filters = selectors.ApplicationFilters.from_mapping(request.GET)
    return filters, selectors.application_list_for_user(user=request.user, filters=filters)


@login_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.REGISTER_VIEW)
    filters, qs = _filtered(request)
    page = list_page(request, qs, 50)
    params = filters.as_query()
    return render(
        request,
        "registry/application_list.html",
        {
            "page": page,
            "params": params,
            **list_query(params),
            "statuses": ApplicationStatus.choices,
            "kinds": ApplicationKind.choices,
            "regions": _regions(request.user),
            "clocks": [
                ("due_soon", _("三个工作日内到期")),
                ("overdue", _("已超期")),
                ("blocked", _("人员受从业禁止")),
            ],
            "open": workflow.OPEN,
            "today": timezone.localdate(),
            "can_change": has_cap(request.user, Cap.REGISTER_CHANGE),
        },
    )


@login_required
@require_GET
def application_export(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.REGISTER_EXPORT)
    _filters, qs = _filtered(request)
    headers = [
        _("受理日期"),
        _("申请人"),
        _("统一社会信用代码"),
        _("镇街"),
        _("申请类型"),
        _("许可类别"),
        _("状态"),
        _("法定办结期限"),
        _("决定日期"),
        _("许可证编号"),
        _("有效期至"),
        _("从业禁止"),
    ]
    rows = [
        [
            a.received_on.isoformat(),
            a.applicant_name,
            a.credit_code,
            a.region.name,
            a.get_kind_display(),
            a.get_category_display(),
            a.get_status_display(),
            a.due_on.isoformat(),
            a.decided_on.isoformat() if a.decided_on else "",
            a.licence_number,
            a.licence_valid_until.isoformat() if a.licence_valid_until else "",
            "、".join(b["case_number"] for b in a.ban_blocks),
        ]
        for a in qs[:20000]
    ]
    content = table_xlsx(title=_("食品生产经营许可申请"), headers=headers, rows=rows, sheet="许可申请")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''%E8%AE%B8%E5%8F%AF%E7%94%B3%E8%AF%B7_{timezone.localdate():%Y%m%d}.xlsx"
    )
    return response


def _persons(data: Any) -> list[services.PersonInput]:
    out = []
    for i in range(1, 4):
        role, name, number = (
            str(data.get(f"person{i}_{k}", "") or "").strip() for k in ("role", "name", "id")
        )
        if role or name or number:
            out.append(services.PersonInput(role=role, name=name, id_number=number))
    return out


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.REGISTER_CHANGE)
    errors: dict[str, list[str]] = {}
    data: Any = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        business = None
        if data.get("business"):
            business = selectors.business_get_for_user(user=request.user, pk=data["business"])
        try:
            app = services.application_submit(
                actor=_actor(request),
                source=WEB,
                kind=data.get("kind", ""),
                category=data.get("category", ""),
                received_on=_date(data.get("received_on")) or timezone.localdate(),
                persons=_persons(data),
                business=business,
                applicant_name=data.get("applicant_name", ""),
                credit_code=data.get("credit_code", ""),
                address=data.get("address", ""),
                region_code=data.get("region_code", ""),
                business_type=data.get("business_type", ""),
            )
        except ValidationError as e:
            errors = e.message_dict
        else:
            messages.success(request, _("已受理。"))
            return redirect("registry:application_detail", pk=app.pk)
    return render(
        request,
        "registry/application_form.html",
        {
            "data": data,
            "errors": errors,
            "kinds": ApplicationKind.choices,
            "categories": LicenceCategory.choices,
            "types": BusinessType.choices,
            "roles": PersonRole.choices,
            "regions": _regions(request.user),
            # The id number is never sent back to the browser: it is typed again after an error.
            "person_rows": [
                {"i": i, "role": data.get(f"person{i}_role", ""), "name": data.get(f"person{i}_name", "")}
                for i in (1, 2, 3)
            ],
            "today": timezone.localdate(),
        },
        status=422 if errors else 200,
    )


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = selectors.application_get_for_user(user=request.user, pk=pk)  # not yours: 404 first
    require_cap(request.user, Cap.REGISTER_VIEW)
    today = timezone.localdate()
    edition = licensing_edition(app.received_on)
    cal = WorkingCalendar()
    end = app.decided_on or today
    used = cal.working_days_between(app.received_on, min(end, app.due_on) if app.decided_on else end)
    return render(
        request,
        "registry/application_detail.html",
        {
            "app": app,
            "edition": edition,
            "used": used,
            "overdue": app.status in workflow.OPEN and today > app.due_on,
            "blocks": selectors.application_blocks_for_user(user=request.user, application=app),
            "moves": [(t, ApplicationStatus(t).label) for t in sorted(workflow.TRANSITIONS[app.status])]
            if has_cap(request.user, Cap.REGISTER_CHANGE)
            else [],
            "today": today,
        },
    )


@login_required
@require_POST
@versioned
def application_transition(request: HttpRequest, pk: int) -> HttpResponse:
    app = selectors.application_get_for_user(user=request.user, pk=pk)  # not yours: 404 first
    require_cap(request.user, Cap.REGISTER_CHANGE)
    require_version(request, app)
    try:
        services.application_transition(
            actor=_actor(request),
            source=WEB,
            application=app,
            target=request.POST.get("target", ""),
            on=_date(request.POST.get("on")) or timezone.localdate(),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as e:
        for field, msgs in e.message_dict.items():
            for m in msgs:
                messages.error(request, m if field in ("target", "__all__") else f"{field}: {m}")
    return redirect("registry:application_detail", pk=app.pk)
