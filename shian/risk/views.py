"""Risk pages: grades with their breakdown, the annual inspection plan, the public draws, the
predictive work list.
Thin: validate, load through a scoped selector, render."""

from __future__ import annotations

import datetime as dt
import io
import secrets
from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shian.core.lists import list_page
from shian.core.models import AuditSource
from shian.core.permissions import Cap, has_cap, require_cap
from shian.core.scoping import regions_for, require_in_scope, scope_for
from shian.core.xlsx import table_xlsx
from shian.registry import selectors as registry_selectors
from shian.registry import services as registry_services
from shian.registry.models import BusinessEventKind, BusinessType

from . import rules, selectors, services
from .models import Draw
from .rules import GRADES, PRIORITY_LABELS, RiskRuleError, priority_groups
from .targeting import model_name
from .todo import month_end, start_url

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def grade_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.RISK_VIEW)
    region, grade = request.GET.get("region", ""), request.GET.get("grade", "")
    qs = selectors.grade_list_for_user(
        user=request.user, region=region, grade=grade if grade in GRADES else ""
    )
    page = list_page(request, qs)
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
            rules.edition_source(g.edition),
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
            "评定依据",
            "评定日期",
        ],
        rows=rows,
        sheet="风险等级",
    )
    return FileResponse(io.BytesIO(data), as_attachment=True, filename="risk-grades.xlsx", content_type=XLSX)


@login_required
@require_GET
def grade_detail(request: HttpRequest, business_id: int) -> HttpResponse:
    g = selectors.grade_get_for_user(user=request.user, business_id=business_id)
    require_cap(request.user, Cap.RISK_VIEW)
    groups = [PRIORITY_LABELS[p] for p in priority_groups(g.business.business_type, g.grade)]
    static = g.breakdown.get("static", {}) if isinstance(g.breakdown, dict) else {}
    static_parts = [(_STATIC_PART_LABELS.get(k, k), v) for k, v in static.items() if k != "total"]
    events = registry_selectors.business_events_for_user(user=request.user, business=g.business)
    return render(
        request,
        "risk/grade_detail.html",
        {
            "g": g,
            "groups": groups,
            "static_parts": static_parts,
            "edition_source": rules.edition_source(g.edition),
            "can_start": has_cap(request.user, Cap.INSPECTION_RECORD),
            "events": events[:100],
            "can_record": has_cap(request.user, Cap.EVENT_RECORD),
            # Problems found at an inspection enter the ledger with the inspection, not by hand.
            "kinds": [c for c in BusinessEventKind.choices if c[0] != BusinessEventKind.INSPECTION_FINDINGS],
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def event_record(request: HttpRequest, business_id: int) -> HttpResponse:
    """An officer records an event of a business in their scope (an incident they attended, an
    inspection obstructed, a penalty decision): it goes to the register's ledger and the grade
    reflects it at the next regrade."""
    business = registry_selectors.business_get_for_user(user=request.user, pk=business_id)
    require_cap(request.user, Cap.EVENT_RECORD)
    try:
        occurred_on = dt.date.fromisoformat(request.POST.get("occurred_on", ""))
    except ValueError:
        messages.error(request, _("Enter the date it happened."))
    else:
        try:
            registry_services.business_event_record(
                actor=request.user,  # type: ignore[arg-type]
                source=AuditSource.WEB,
                business=business,
                kind=request.POST.get("kind", ""),
                occurred_on=occurred_on,
                note=request.POST.get("note", "")[:200],
            )
            messages.success(request, _("The event was recorded; the grade reflects it at the next regrade."))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return redirect("risk:grade_detail", business_id=business.pk)


# The parts of the static score as the breakdown names them (risk.rules.static_score).
_STATIC_PART_LABELS = {
    "category": _("food category"),
    "business_type": _("business type"),
    "scale": _("scale"),
    "consumer_group": _("consumer group"),
}


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
    except (RiskRuleError, LookupError) as exc:
        # The rules speak in division codes; the page names the towns.
        message = str(exc)
        for r in sorted(
            regions_for(request.user), key=lambda r: -len(r.code)
        ):  # a town's code before its district's
            message = message.replace(r.code, r.name)
        return render(request, "risk/plan.html", {"error": message, "year": year, "as_of": as_of}, status=200)
    regions = {r.code: r.name for r in regions_for(request.user)}
    rows = [
        (regions.get(code, code), r)
        for code, r in sorted(plan.by_region.items())
        if scope.allows_region(code)
    ]
    names = selectors.people_names(ids=list(plan.workload))
    workload = sorted(
        ((pk, names.get(pk, str(pk)), n) for pk, n in plan.workload.items()), key=lambda r: (-r[2], r[1])
    )
    return render(
        request,
        "risk/plan.html",
        {
            "plan": plan,
            "rows": rows,
            "as_of": as_of,
            "year": year,
            "workload": workload,
            "can_see_people": has_cap(request.user, Cap.INSPECTION_VIEW),
        },
    )


@require_GET
def draw_list(request: HttpRequest) -> HttpResponse:
    """Public (双随机、一公开): no login."""
    return render(
        request,
        "risk/draw_list.html",
        {"draws": selectors.draws_published()[:100], "can_draw": has_cap(request.user, Cap.RISK_MANAGE)},
    )


@require_GET
def draw_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Public: the drawn businesses and their inspectors by name, the seed and the ratios, so anyone
    can re-run the draw; a signed-in inspector assigned a business starts the visit from here."""
    try:
        d = selectors.draws_published().get(code=code)
    except Draw.DoesNotExist:
        raise Http404 from None
    assignments = sorted(d.result["assignments"].items(), key=lambda kv: int(kv[0]))
    business_ids = [int(b) for b, _who in assignments]
    names = selectors.business_names(business_ids=business_ids)
    people = selectors.people_names(ids=sorted({int(i) for _b, who in assignments for i in who}))
    user = request.user
    can_record = has_cap(user, Cap.INSPECTION_RECORD)
    can_see = has_cap(user, Cap.REGISTER_VIEW)
    visible = set(selectors.business_ids_in_scope(user=user, business_ids=business_ids)) if can_see else set()
    rows = []
    for bid, who in assignments:
        b = int(bid)
        pair = tuple(int(i) for i in who)
        rows.append(
            {
                "business_id": b,
                "name": names.get(b, "—"),
                "inspectors": [people.get(i, "—") for i in pair],
                "link": b in visible,
                "start": start_url(b, pair, kind="random", draw=d.code)
                if can_record and b in visible
                else "",
            }
        )
    strata = sorted(d.result.get("strata", {}).items())
    return render(
        request,
        "risk/draw_detail.html",
        {"d": d, "rows": rows, "strata": [(k, v[0], v[1], d.ratios.get(k)) for k, v in strata]},
    )


def _draw_form(request: HttpRequest) -> dict[str, object]:
    data = request.POST if request.method == "POST" else request.GET
    stratify = "type" if data.get("population") == "type" else "grade"
    strata = list(GRADES) if stratify == "grade" else [v for v, _l in BusinessType.choices]
    ratios: dict[str, str] = {s: str(data.get(f"ratio_{s}", "") or "0.1").strip() for s in strata}
    seed = str(data.get("seed", "") or "").strip() or str(secrets.randbelow(10**9))
    return {
        "stratify": stratify,
        "strata": strata,
        "ratios": ratios,
        "seed": seed,
        "region": str(data.get("region", "") or "")[:12],
        "title": str(data.get("title", "") or "").strip()[:120],
        "labels": dict(BusinessType.choices),
    }


@login_required
@require_http_methods(["GET", "POST"])
def draw_new(request: HttpRequest) -> HttpResponseBase:
    """Make and publish a random draw from the web, with the same service the command line uses:
    the population (graded, active businesses, by grade or by type), a ratio per stratum, the seed
    (shown, editable, so the draw can be re-run and checked)."""
    require_cap(request.user, Cap.RISK_MANAGE)
    form = _draw_form(request)
    if request.method == "POST":
        try:
            seed = int(str(form["seed"]))
            if not 0 <= seed < 2**62:
                raise ValueError
        except ValueError:
            messages.error(request, _("随机种子须为非负整数：%(seed)s") % {"seed": form["seed"]})
        else:
            try:
                d = _draw_make(request, form, seed)
            except ValidationError as exc:
                for m in exc.messages:
                    messages.error(request, m)
            else:
                messages.success(request, _("抽取结果已公示：%(code)s") % {"code": d.code})
                return redirect("risk:draw_detail", code=d.code)
    return render(
        request,
        "risk/draw_form.html",
        {**form, "regions": regions_for(request.user).exclude(level="district").order_by("code")},
    )


def _draw_make(request: HttpRequest, form: dict[str, object], seed: int) -> Draw:
    ratios: dict[str, float] = {}
    raw = cast(dict[str, str], form["ratios"])
    for stratum, value in raw.items():
        try:
            share = float(value)
        except ValueError:
            raise ValidationError(
                {"ratio": _("抽取比例须为0至1之间的小数：%(value)s") % {"value": value}}
            ) from None
        if not 0 <= share <= 1:
            raise ValidationError({"ratio": _("抽取比例须为0至1之间的小数：%(value)s") % {"value": value}})
        ratios[stratum] = share
    region = str(form["region"])
    if region:
        require_in_scope(request.user, region=region)
    population = services.draw_population(region=region or None, stratify=str(form["stratify"]))
    if not population:
        raise ValidationError({"population": _("抽取范围内没有已评定风险等级的在营主体")})
    for stratum in {s for _b, s in population}:
        ratios.setdefault(stratum, 0.1)
    today = timezone.localdate()
    return services.draw_create(
        actor=request.user,  # type: ignore[arg-type]  # login_required: a User
        source=AuditSource.WEB,
        code=f"{today:%Y%m%d}-{seed}",
        title=str(form["title"]) or f"双随机抽取 种子 {seed}",
        seed=seed,
        population=population,
        ratios=ratios,
        on=today,
    )


@login_required
@require_GET
def my_visits(request: HttpRequest) -> HttpResponse:
    """The person's visits to make: the plan's this month (and the overdue), the draws' pending."""
    require_cap(request.user, Cap.INSPECTION_RECORD)
    today = timezone.localdate()
    visits = selectors.planned_visits_for_user(user=request.user, today=today, horizon=month_end(today))
    drawn = selectors.drawn_visits_for_user(user=request.user, since=today - dt.timedelta(days=120))
    names = selectors.business_names(
        business_ids=[v.business_id for v in visits] + [b for _d, b, _w in drawn]
    )
    people = selectors.people_names(
        ids=sorted({i for v in visits for i in v.inspectors} | {i for _d, _b, w in drawn for i in w})
    )
    return render(
        request,
        "risk/my_visits.html",
        {
            "today": today,
            "visits": [
                {
                    "v": v,
                    "name": names.get(v.business_id, "—"),
                    "team": [people.get(i, "—") for i in v.inspectors],
                    "start": start_url(
                        v.business_id, v.inspectors, **({"full_check": "1"} if v.full_check else {})
                    ),
                }
                for v in visits
            ],
            "drawn": [
                {
                    "d": d,
                    "business_id": b,
                    "name": names.get(b, "—"),
                    "team": [people.get(i, "—") for i in w],
                    "start": start_url(b, w, kind="random", draw=d.code),
                }
                for d, b, w in drawn
            ],
        },
    )


# ---------------------------------------------------------------------------------------------
# The predictive work list.


def _targeting_filters(request: HttpRequest) -> dict[str, str]:
    """Town, business type and grade from the query; unknown values are ignored, not guessed."""
    btype = request.GET.get("business_type", "")
    grade = request.GET.get("grade", "")
    return {
        "region": request.GET.get("region", "")[:12],
        "business_type": btype if btype in BusinessType.values else "",
        "grade": grade if grade in GRADES else "",
    }


@login_required
@require_GET
def targeting_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.RISK_VIEW)
    filters = _targeting_filters(request)
    run = selectors.targeting_run_latest()
    qs = selectors.targeting_scores_for_user(user=request.user, run=run, **filters)
    page = list_page(request, qs)
    notes = selectors.targeting_notes_for_user(
        user=request.user, business_ids=[s.business_id for s in page.object_list]
    )
    query = urlencode({k: v for k, v in filters.items() if v})
    context = {
        "run": run,
        "evaluation": (run.metrics.get("evaluation") if run else None),
        "weights": _top_weights(run),
        "rows": [(s, notes.get(s.business_id, [])) for s in page.object_list],
        "page": page,
        "filters": filters,
        "query": query,
        "regions": regions_for(request.user).exclude(level="district"),
        "types": BusinessType.choices,
        "grades": GRADES,
        "can_export": has_cap(request.user, Cap.REGISTER_EXPORT),
        "can_annotate": has_cap(request.user, Cap.RISK_ANNOTATE),
        "can_record": has_cap(request.user, Cap.INSPECTION_RECORD),
        "model_name": model_name(run.edition) if run else "",
        "year": timezone.localdate().year,
    }
    return render(request, "risk/targeting_list.html", context)


_FEATURE_LABELS = {
    "serious_1y": "近一年不符合次数",
    "serious_3y": "近三年不符合次数",
    "days_since_serious": "距上次不符合天数",
    "findings_last": "上次检查问题项数",
    "inspections_3y": "近三年检查次数",
    "days_since_last": "距上次检查天数",
    "never_inspected": "从未检查",
    "failed_samples_2y": "近两年抽检不合格批次",
    "adverse_events_1y": "近一年风险调整事件",
    "complaints_1y": "近一年查证属实的投诉举报",
    "licence_years": "取得许可年数",
    "grade": "风险等级",
}


def _top_weights(run: object) -> list[tuple[str, float]]:
    """The model's largest standardised weights, named in Chinese, for the method box."""
    weights = getattr(run, "weights", None) or {}
    pairs = sorted(
        zip(weights.get("names", []), weights.get("coef", []), strict=False), key=lambda nc: -abs(nc[1])
    )
    labels = dict(BusinessType.choices)
    out = []
    for name, coef in pairs[:6]:
        if name.startswith("business_type="):
            label = f"业态：{labels.get(name.split('=', 1)[1], name)}"
        elif name.startswith("scale="):
            label = f"规模：{name.split('=', 1)[1]}"
        else:
            label = _FEATURE_LABELS.get(name, name)
        out.append((label, round(coef, 3)))
    return out


@login_required
@require_GET
def targeting_export(request: HttpRequest) -> FileResponse:
    require_cap(request.user, Cap.REGISTER_EXPORT)
    require_cap(request.user, Cap.RISK_VIEW)
    run = selectors.targeting_run_latest()
    qs = selectors.targeting_scores_for_user(user=request.user, run=run, **_targeting_filters(request))
    type_labels = {v: str(label) for v, label in BusinessType.choices}
    rows = []
    for s in qs.iterator(chunk_size=5000):
        reasons = [r["text"] for r in s.reasons] + ["", "", ""]
        rows.append(
            (
                s.rank,
                s.business.name,
                s.business.main_code,
                s.region.name,
                type_labels.get(s.business.business_type, s.business.business_type),
                s.grade,
                round(100 * s.score, 1),
                *reasons[:3],
            )
        )
    data = table_xlsx(
        title=f"预测性排序 {run.scored_on if run else ''}（{model_name(run.edition) if run else '尚未评分'}）",
        headers=[
            "排名",
            "名称",
            "代码",
            "镇街",
            "业态",
            "风险等级",
            "严重问题概率(%)",
            "理由一",
            "理由二",
            "理由三",
        ],
        rows=rows,
        sheet="预测性排序",
    )
    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename="risk-targeting.xlsx", content_type=XLSX
    )


@login_required
@require_POST
def targeting_annotate(request: HttpRequest, business_id: int) -> HttpResponse:
    business = selectors.targeting_business_get_for_user(user=request.user, business_id=business_id)
    require_cap(request.user, Cap.RISK_ANNOTATE)
    error = ""
    try:
        services.targeting_annotate(
            actor=request.user,  # type: ignore[arg-type]  # login_required: a User
            source=AuditSource.WEB,
            business=business,
            text=request.POST.get("text", ""),
            run=selectors.targeting_run_latest(),
        )
    except ValidationError as exc:
        error = "；".join(exc.messages)
    if not request.htmx:  # type: ignore[attr-defined]  # set by django-htmx's middleware
        if error:
            messages.error(request, error)
        return redirect(reverse("risk:targeting") + "#b" + str(business.pk))
    notes = selectors.targeting_notes_for_user(user=request.user, business_ids=[business.pk])
    return render(
        request,
        "risk/_targeting_notes.html",
        {"bid": business.pk, "notes": notes.get(business.pk, []), "error": error, "can_annotate": True},
        status=200,
    )


@login_required
@require_GET
def targeting_worklist_export(request: HttpRequest) -> HttpResponseBase:
    """The year's planned visits in work order: every legally required visit of the plan, each in
    its due window, ordered inside the window by the latest run's score."""
    require_cap(request.user, Cap.REGISTER_EXPORT)
    require_cap(request.user, Cap.RISK_VIEW)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = 0
    if not 2000 <= year <= 2100:
        raise Http404
    region = request.GET.get("region", "")[:12]
    run = selectors.targeting_run_latest()
    grades = selectors.grade_queryset_for_user(user=request.user).filter(business__status="active")
    try:
        visits = selectors.targeting_plan_worklist(year=year, run=run, region=region or None, grades=grades)
    except (RiskRuleError, LookupError) as exc:
        messages.error(request, str(exc))
        return redirect("risk:targeting")
    scores = selectors.targeting_scores_by_business(run=run, business_ids=[v.business_id for v in visits])
    names = selectors.business_names(business_ids=list({v.business_id for v in visits}))
    regions = {r.code: r.name for r in regions_for(request.user)}
    people = selectors.people_names(ids=sorted({i for v in visits for i in v.inspectors}))
    rows = []
    for v in visits:
        s = scores.get(v.business_id)
        rows.append(
            (
                regions.get(v.region, v.region),
                v.due.isoformat(),
                names.get(v.business_id, str(v.business_id)),
                s.rank if s else None,
                round(100 * s.score, 1) if s else None,
                "；".join(r["text"] for r in s.reasons) if s else "",
                "是" if v.full_check else "",
                "、".join(people.get(i, "—") for i in v.inspectors),
                "已检查" if v.done else "",
            )
        )
    data = table_xlsx(
        title=f"{year}年检查计划工作顺序（每户法定检查次数与到期时间不变，同一到期时间内按预测排序）",
        headers=[
            "镇街",
            "到期日",
            "名称",
            "排名",
            "严重问题概率(%)",
            "主要理由",
            "全项检查",
            "检查人员",
            "状态",
        ],
        rows=rows,
        sheet="工作顺序",
    )
    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename=f"inspection-worklist-{year}.xlsx", content_type=XLSX
    )
