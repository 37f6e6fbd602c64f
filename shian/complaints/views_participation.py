"""Public participation pages: satisfaction surveys with results by town, 你点我检 rounds (staff
page and the public voting page), the red and black lists with replies (staff page and the public
list), and 随机查餐厅 events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shian.core.concurrency import require_version, versioned
from shian.core.lists import list_page, list_query
from shian.core.models import AuditSource, FoodCategory, RegionLevel, User
from shian.core.permissions import PublicCap, has_cap, require_cap
from shian.core.scoping import get_scoped_or_404, regions_for
from shian.core.xlsx import table_xlsx, xlsx_response
from shian.registry.selectors import business_get_for_user

from . import participation, rules, selectors
from .models import ListKind, VoteRound
from .views import _errors, _over_limit, _too_many


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 — login_required guarantees it
    return request.user


class SurveyForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    title = forms.CharField(max_length=200)
    conducted_from = forms.DateField()
    conducted_to = forms.DateField()
    method = forms.CharField(max_length=500)
    results = forms.CharField(max_length=4000)


class RoundForm(forms.Form):
    kind = forms.ChoiceField(choices=VoteRound.Kind.choices)
    year = forms.IntegerField(min_value=2000, max_value=2100)
    title = forms.CharField(max_length=200)
    opens_on = forms.DateField()
    closes_on = forms.DateField()
    categories = forms.CharField(max_length=400)


class ListForm(forms.Form):
    business = forms.IntegerField(min_value=1)
    kind = forms.ChoiceField(choices=ListKind.choices)
    reason = forms.CharField(max_length=500, required=False)
    on = forms.DateField()


class TextForm(forms.Form):
    text = forms.CharField(max_length=1000)
    on = forms.DateField()
    withdraw = forms.BooleanField(required=False)


class CheckForm(forms.Form):
    region_code = forms.CharField(max_length=12)
    held_on = forms.DateField()
    title = forms.CharField(max_length=200)
    residents = forms.IntegerField(min_value=1, max_value=10000)
    visits = forms.CharField(max_length=4000)


def _posted(request: HttpRequest, form: forms.Form, action: Any, ok: str) -> None:
    if not form.is_valid():
        messages.error(request, _("请完整填写：") + "；".join(f"{k}" for k in form.errors))
        return
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, ok)


@login_required
@require_http_methods(["GET", "POST"])
def surveys(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, PublicCap.VIEW)
    if request.method == "POST":
        require_cap(request.user, PublicCap.ROUTE)
        _posted(
            request,
            SurveyForm(request.POST),
            lambda d: participation.survey_record(
                actor=_actor(request),
                source=AuditSource.WEB,
                results=participation.parse_results(d.pop("results")),
                **d,
            ),
            "已记录满意度调查",
        )
        return redirect("complaints:surveys")
    rows = []
    for s in selectors.surveys():
        results = [
            (r.region.name, r.sample_size, r.satisfied, rules.satisfaction_rate(r.satisfied, r.sample_size))
            for r in s.results.all()
        ]
        total = sum(r[1] for r in results)
        rows.append((s, results, rules.satisfaction_rate(sum(r[2] for r in results), total)))
    return render(
        request,
        "complaints/surveys.html",
        {
            "rows": rows,
            "can_record": has_cap(request.user, PublicCap.ROUTE),
            "towns": regions_for(request.user).exclude(level=RegionLevel.DISTRICT),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def votes(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, PublicCap.VIEW)
    if request.method == "POST":
        require_cap(request.user, PublicCap.ROUTE)

        def open_round(d: dict[str, Any]) -> Any:
            codes = [c for c in d.pop("categories").replace("，", ",").replace(" ", ",").split(",") if c]
            return participation.vote_round_open(
                actor=_actor(request), source=AuditSource.WEB, categories=codes, **d
            )

        _posted(request, RoundForm(request.POST), open_round, "已发起投票")
        return redirect("complaints:votes")
    rounds = [(r, selectors.vote_results(r)) for r in selectors.vote_rounds()[:50]]
    return render(
        request,
        "complaints/votes.html",
        {
            "rounds": rounds,
            "can_record": has_cap(request.user, PublicCap.ROUTE),
            "categories": FoodCategory.objects.order_by("code"),
        },
    )


@login_required
@require_POST
@versioned
def vote_publish(request: HttpRequest, pk: int) -> HttpResponse:
    require_cap(request.user, PublicCap.VIEW)
    round = VoteRound.objects.filter(pk=pk).first()
    if round is None:
        raise Http404
    require_cap(request.user, PublicCap.ROUTE)
    require_version(request, round)
    try:
        participation.vote_round_publish(
            actor=_actor(request), source=AuditSource.WEB, round=round, on=timezone.localdate()
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("complaints:votes")


@login_required
@require_http_methods(["GET", "POST"])
def lists(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, PublicCap.VIEW)
    if request.method == "POST":
        require_cap(request.user, PublicCap.HANDLE)
        form = ListForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写经营者编号、榜单和日期"))
            return redirect("complaints:lists")
        business = business_get_for_user(user=request.user, pk=form.cleaned_data["business"])
        _posted(
            request,
            form,
            lambda d: participation.list_entry_publish(
                actor=_actor(request),
                source=AuditSource.WEB,
                business=business,
                kind=d["kind"],
                reason=d["reason"],
                on=d["on"],
            ),
            "已列入榜单",
        )
        return redirect("complaints:lists")
    f = {k: str(request.GET.get(k, "") or "").strip()[:60] for k in ("q", "kind", "region", "state")}
    if f["kind"] not in ListKind.values:
        f["kind"] = ""
    if f["state"] not in ("current", "withdrawn"):
        f["state"] = ""
    filters = {k: v for k, v in f.items() if v}
    qs = selectors.list_entries_for_user(request.user).select_related("business", "region")
    if f["q"]:
        qs = qs.filter(business__name__icontains=f["q"])
    if f["kind"]:
        qs = qs.filter(kind=f["kind"])
    if f["region"]:
        qs = qs.filter(region_id=f["region"])
    if f["state"]:
        qs = qs.filter(withdrawn_on__isnull=f["state"] == "current")
    if request.GET.get("format") == "xlsx":
        day = lambda d: d.isoformat() if d else None  # noqa: E731
        rows: list[list[str | int | None]] = [
            [
                e.get_kind_display(),
                e.business.name,
                e.business.credit_code,
                e.region.name,
                e.reason,
                day(e.published_on),
                day(e.withdrawn_on),
                e.reply or None,
                day(e.reply_on),
                e.answer or None,
                day(e.answer_on),
            ]
            for e in qs[:50_000]
        ]
        content = table_xlsx(title="餐饮红黑榜", headers=_LIST_HEADERS, rows=rows, sheet="餐饮红黑榜")
        return xlsx_response(content, f"餐饮红黑榜_{timezone.localdate():%Y%m%d}.xlsx")
    return render(
        request,
        "complaints/lists.html",
        {
            "page": list_page(request, qs),
            "filters": filters,
            **list_query(filters),
            "kinds": ListKind.choices,
            "regions": regions_for(request.user).exclude(level=RegionLevel.DISTRICT),
            "can_record": has_cap(request.user, PublicCap.HANDLE),
            "today": timezone.localdate(),
        },
    )


_LIST_HEADERS = [
    "榜单",
    "经营者",
    "统一社会信用代码",
    "镇街",
    "上榜理由",
    "公布日期",
    "撤下日期",
    "经营者申辩",
    "申辩日期",
    "答复",
    "答复日期",
]


def _entry_action(request: HttpRequest, pk: int, answer: bool) -> HttpResponse:
    entry = get_scoped_or_404(selectors.list_entries_for_user(request.user), request.user, pk)
    require_cap(request.user, PublicCap.HANDLE)
    require_version(request, entry)
    if answer:
        action = lambda d: participation.list_entry_answer(  # noqa: E731
            actor=_actor(request),
            source=AuditSource.WEB,
            entry=entry,
            answer=d["text"],
            on=d["on"],
            withdraw=d["withdraw"],
        )
    else:
        action = lambda d: participation.list_entry_reply(  # noqa: E731
            actor=_actor(request), source=AuditSource.WEB, entry=entry, reply=d["text"], on=d["on"]
        )
    _posted(request, TextForm(request.POST), action, "已记录")
    return redirect("complaints:lists")


@login_required
@require_POST
@versioned
def list_reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_action(request, pk, answer=False)


@login_required
@require_POST
@versioned
def list_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_action(request, pk, answer=True)


@login_required
@require_http_methods(["GET", "POST"])
def checks(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, PublicCap.VIEW)
    if request.method == "POST":
        require_cap(request.user, PublicCap.HANDLE)

        def record(d: dict[str, Any]) -> Any:
            visits: list[tuple[Any, str, int | None]] = []
            for line in d.pop("visits").splitlines():
                parts = line.split(maxsplit=1)
                if not parts:
                    continue
                if not parts[0].isdigit():
                    raise ValidationError(
                        {"visits": _("每行以经营者编号开头：%(value)s") % {"value": line[:40]}}
                    )
                business = business_get_for_user(user=request.user, pk=parts[0])
                visits.append((business, parts[1] if len(parts) > 1 else "", None))
            return participation.check_event_record(
                actor=_actor(request), source=AuditSource.WEB, visits=visits, **d
            )

        _posted(request, CheckForm(request.POST), record, "已记录随机查餐厅活动")
        return redirect("complaints:checks")
    return render(
        request,
        "complaints/checks.html",
        {
            "events": selectors.check_events_for_user(request.user)[:200],
            "can_record": has_cap(request.user, PublicCap.HANDLE),
            "towns": regions_for(request.user).exclude(level=RegionLevel.DISTRICT),
        },
    )


# -- public pages ----------------------------------------------------------------------------------


@require_GET
def public_lists(request: HttpRequest) -> HttpResponse:
    entries = list(selectors.public_lists()[:500])
    return render(
        request,
        "complaints/public_lists.html",
        {
            "red": [e for e in entries if e.kind == ListKind.RED],
            "black": [e for e in entries if e.kind == ListKind.BLACK],
        },
    )


@require_http_methods(["GET", "POST"])
def public_vote(request: HttpRequest, pk: int) -> HttpResponse:
    round = VoteRound.objects.filter(pk=pk).first()
    if round is None:
        raise Http404
    status = 200
    if request.method == "POST":
        if _over_limit(request, "file", 60):
            return _too_many(request)
        try:
            participation.vote_cast(
                round=round,
                option_id=int(request.POST.get("option") or 0),
                identity=request.POST.get("identity", "")[:30],
                address=request.META.get("REMOTE_ADDR", ""),
                today=timezone.localdate(),
            )
        except (ValidationError, ValueError) as exc:
            messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else _("请选择一个选项"))
            status = 400
        else:
            messages.success(request, _("投票成功，谢谢参与"))
    today: dt.date = timezone.localdate()
    return render(
        request,
        "complaints/public_vote.html",
        {
            "round": round,
            "open": round.opens_on <= today <= round.closes_on and not round.published_on,
            "results": selectors.vote_results(round) if round.published_on else None,
        },
        status=status,
    )
