"""Complaint and report pages: the list (with its Excel export), staff entry of a telephone
complaint, a record with its clocks and timeline and the handler's actions, and the public pages
(file without logging in, follow by tracking code). Each view validates, loads through a scoped
selector, calls one service and renders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shian.core.calendar import WorkingCalendar
from shian.core.concurrency import require_version, versioned
from shian.core.lists import list_page
from shian.core.models import AuditSource, RegionLevel, User
from shian.core.permissions import PublicCap, has_cap, require_cap
from shian.core.scoping import regions_for
from shian.core.xlsx import table_xlsx
from shian.registry.selectors import business_get_for_user

from . import imports, rules, selectors, services
from .forms import END_CHOICES, GROUND_CHOICES, PublicForm, RewardForm, RouteForm, StaffForm, TransitionForm
from .models import Channel, ComplaintKind
from .workflow import ComplaintStatus, transitions_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The public pages: at most this many filings and look-ups per address per hour.
PUBLIC_FILINGS_PER_HOUR = 10
PUBLIC_LOOKUPS_PER_HOUR = 120


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 — login_required guarantees it
    return request.user


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


def _filters(request: HttpRequest) -> dict[str, str]:
    out = {
        k: request.GET.get(k, "").strip()[:80]
        for k in ("q", "kind", "status", "channel", "region", "open")
        if request.GET.get(k)
    }
    try:
        if request.GET.get("overdue"):
            out["overdue"] = dt.date.fromisoformat(request.GET["overdue"][:10]).isoformat()
    except ValueError:
        pass
    return out


HEADERS = [
    "查询码",
    "类别",
    "渠道",
    "收到日期",
    "承办镇街",
    "被投诉（举报）人",
    "投诉举报人",
    "电话",
    "状态",
    "办结日期",
    "查证属实",
]


@login_required
@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, PublicCap.VIEW)
    f = _filters(request)
    qs = selectors.complaint_list(request.user, f)
    if request.GET.get("format") == "xlsx":
        rows = []
        for c in qs[:50_000]:
            p = selectors.person_view(request.user, c)
            rows.append(
                [
                    c.code,
                    c.get_kind_display(),
                    c.get_channel_display(),
                    c.received_on.isoformat(),
                    c.region.name,
                    c.business_name,
                    p.name,
                    p.phone,
                    c.get_status_display(),
                    c.closed_on.isoformat() if c.closed_on else "",
                    "是" if c.upheld else "",
                ]
            )
        content = table_xlsx(title="投诉举报", headers=HEADERS, rows=rows, sheet="投诉举报")
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(True, "complaints.xlsx")
        return response
    page = list_page(request, qs)
    return render(
        request,
        "complaints/list.html",
        {
            "page": page,
            "filters": f,
            "kinds": ComplaintKind.choices,
            "statuses": ComplaintStatus.choices,
            "channels": Channel.choices,
            "regions": regions_for(request.user).exclude(level=RegionLevel.DISTRICT),
            "can_handle": has_cap(request.user, PublicCap.HANDLE),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, PublicCap.HANDLE)
    form = StaffForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        business = business_get_for_user(user=request.user, pk=d["business"]) if d.get("business") else None
        try:
            c = services.complaint_file(
                actor=_actor(request),
                source=AuditSource.WEB,
                kind=d["kind"],
                channel=d["channel"],
                received_on=d["received_on"],
                business=business,
                business_name=d["business_name"],
                business_address=d["business_address"],
                region_code=d["region_code"],
                facts=d["facts"],
                request=d["request"],
                person_name=d["person_name"],
                person_phone=d["person_phone"] or "",
                person_address=d["person_address"],
                person_id_number=d["person_id_number"],
                real_name=not d["anonymous"],
                known_on=d["known_on"],
                external_ref=d["external_ref"],
                today=timezone.localdate(),
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            services.complaint_take(actor=_actor(request), complaint=c, source=AuditSource.WEB)
            messages.success(request, _("已登记，查询码 %(code)s，请告知来电人") % {"code": c.code})
            return redirect("complaints:detail", pk=c.pk)
    status = 400 if request.method == "POST" else 200
    towns = regions_for(request.user).exclude(level=RegionLevel.DISTRICT)
    return render(request, "complaints/new.html", {"form": form, "towns": towns}, status=status)


@login_required
@require_GET
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_cap(request.user, PublicCap.VIEW)
    c = selectors.complaint_get(request.user, pk)
    today = timezone.localdate()
    edition = rules.clock_edition_in_force(c.received_on)
    clocks = []
    cal = WorkingCalendar()
    for clock in c.clocks.all():
        left = cal.working_days_between(today, clock.due_on) if today <= clock.due_on else 0
        state = rules.clock_state(
            due=clock.due_on,
            done_on=clock.done_on,
            today=today,
            working_days_left=left,
            warn=edition.warn_working_days,
        )
        clocks.append({"clock": clock, "state": state})
    can_handle = has_cap(request.user, PublicCap.HANDLE)
    labels = dict(ComplaintStatus.choices)
    next_statuses = [(s, labels[s]) for s in sorted(transitions_for(c.kind).get(c.status, frozenset()))]
    return render(
        request,
        "complaints/detail.html",
        {
            "c": c,
            "person": selectors.person_view(request.user, c),
            "clocks": clocks,
            "steps": c.steps.select_related("by").all(),
            "edition": edition,
            "can_handle": can_handle,
            "can_route": has_cap(request.user, PublicCap.ROUTE),
            "next_statuses": next_statuses if can_handle else [],
            "grounds": GROUND_CHOICES,
            "end_grounds": END_CHOICES,
            "towns": regions_for(request.user).exclude(level=RegionLevel.DISTRICT),
            "today": today,
            "ground_label": (rules.NOT_ACCEPTED_GROUNDS | rules.MEDIATION_END_GROUNDS).get(c.outcome_ground),
        },
    )


def _post_action(request: HttpRequest, pk: int, action: Any) -> HttpResponse:
    c = selectors.complaint_get(request.user, pk)
    require_version(request, c)
    try:
        action(c)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("complaints:detail", pk=c.pk)


@login_required
@require_POST
@versioned
def complaint_take(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        lambda c: services.complaint_take(actor=_actor(request), complaint=c, source=AuditSource.WEB),
    )


@login_required
@require_POST
@versioned
def complaint_transition(request: HttpRequest, pk: int) -> HttpResponse:
    form = TransitionForm(request.POST)
    if not form.is_valid():
        c = selectors.complaint_get(request.user, pk)
        require_cap(request.user, PublicCap.HANDLE)
        messages.error(request, _("请填写状态和日期"))
        return redirect("complaints:detail", pk=c.pk)
    d = form.cleaned_data
    return _post_action(
        request,
        pk,
        lambda c: services.complaint_transition(
            actor=_actor(request),
            complaint=c,
            to=d["to"],
            on=d["on"],
            note=d["note"],
            ground=d["ground"],
            case_number=d["case_number"],
            upheld=d["upheld"] if d["to"] == ComplaintStatus.MEDIATED else None,
            source=AuditSource.WEB,
            today=timezone.localdate(),
        ),
    )


@login_required
@require_POST
@versioned
def complaint_route(request: HttpRequest, pk: int) -> HttpResponse:
    form = RouteForm(request.POST)
    if not form.is_valid():
        c = selectors.complaint_get(request.user, pk)
        require_cap(request.user, PublicCap.ROUTE)
        messages.error(request, _("请选择镇街并写明改派理由"))
        return redirect("complaints:detail", pk=c.pk)
    d = form.cleaned_data
    return _post_action(
        request,
        pk,
        lambda c: services.complaint_route(
            actor=_actor(request),
            complaint=c,
            region_code=d["region_code"],
            note=d["note"],
            source=AuditSource.WEB,
        ),
    )


@login_required
@require_POST
@versioned
def complaint_reward(request: HttpRequest, pk: int) -> HttpResponse:
    form = RewardForm(request.POST)
    if not form.is_valid():
        c = selectors.complaint_get(request.user, pk)
        require_cap(request.user, PublicCap.HANDLE)
        messages.error(request, _("请填写奖励金额"))
        return redirect("complaints:detail", pk=c.pk)
    amount = form.cleaned_data["amount"]
    return _post_action(
        request,
        pk,
        lambda c: services.complaint_reward_record(
            actor=_actor(request), complaint=c, amount=amount, source=AuditSource.WEB
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def complaint_import(request: HttpRequest) -> HttpResponse:
    """The 12315 platform's export: all or nothing, every problem located."""
    require_cap(request.user, PublicCap.HANDLE)
    issues: list[imports.Issue] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or upload.size is None or upload.size > 10 * 1024 * 1024:
            issues = [imports.Issue(0, "", "", "请选择不超过10 MB的xlsx文件")]
        else:
            try:
                done = imports.complaints_import(
                    actor=_actor(request), content=upload.read(), today=timezone.localdate()
                )
            except imports.ImportRejected as exc:
                issues = exc.issues
            else:
                messages.success(request, _("已导入 %(count)s 件") % {"count": len(done)})
                return redirect("complaints:list")
    return render(request, "complaints/import.html", {"issues": issues}, status=400 if issues else 200)


@login_required
@require_GET
def complaint_import_template(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, PublicCap.HANDLE)
    response = HttpResponse(imports.template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "12315-import-template.xlsx")
    return response


# -- public pages ----------------------------------------------------------------------------------


def _over_limit(request: HttpRequest, bucket: str, limit: int) -> bool:
    """Count one request from this address in this hour; True when over the limit."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    key = f"complaints:{bucket}:{address}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, timeout=3600)
    try:
        n = cache.incr(key)
    except ValueError:
        n = 1
    return n > limit


def public_limits_reset(address: str) -> None:
    """Forget this hour's count for an address (an officer unblocking a shared office network;
    tests)."""
    hour = f"{timezone.now():%Y%m%d%H}"
    cache.delete_many([f"complaints:{b}:{address}:{hour}" for b in ("file", "track")])


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "complaints/public_message.html",
        {"title": "提交过于频繁", "message": "同一网络一小时内提交次数过多，请稍后再试，或拨打12315。"},
        status=429,
    )


@require_http_methods(["GET", "POST"])
def public_file(request: HttpRequest) -> HttpResponse:
    form = PublicForm(request.POST or None)
    if request.method == "POST":
        if _over_limit(request, "file", PUBLIC_FILINGS_PER_HOUR):
            return _too_many(request)
        if form.is_valid():
            d = form.cleaned_data
            try:
                c = services.complaint_file(
                    actor=None,
                    source=AuditSource.WEB,
                    kind=d["kind"],
                    channel=Channel.PORTAL,
                    received_on=timezone.localdate(),
                    business_name=d["business_name"],
                    business_address=d["business_address"],
                    facts=d["facts"],
                    request=d["request"],
                    person_name=d["person_name"],
                    person_phone=d["person_phone"] or "",
                    person_address=d["person_address"],
                    real_name=not d["anonymous"],
                    known_on=d["known_on"],
                )
            except ValidationError as exc:
                for field, msgs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, msgs)
            else:
                return render(
                    request, "complaints/public_filed.html", {"code": c.code, "kind": c.get_kind_display()}
                )
        return render(request, "complaints/public_file.html", {"form": form}, status=400)
    return render(request, "complaints/public_file.html", {"form": form})


@require_GET
def public_track(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()[:20]
    if not code:
        return render(request, "complaints/public_track.html", {})
    if _over_limit(request, "track", PUBLIC_LOOKUPS_PER_HOUR):
        return _too_many(request)
    found = selectors.public_track(code)
    return render(
        request,
        "complaints/public_track.html",
        {"code": code, "found": found, "searched": True},
        status=200 if found else 404,
    )
