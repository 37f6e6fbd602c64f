"""Pages of the sources module: the overview of tasks 六, 七 and 八 with their computed figures,
grain monitoring per store, the pesticide lists in force on a date, and the tests that hit a banned
pesticide. The record pages (lists, forms, imports) are core.unitrecords_web bound to this module's
kinds (urls.py)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from shian.core import indicators
from shian.core.permissions import UnitCap, require_cap
from shian.core.unitrecords import may_add

from . import rules, selectors
from .kinds import KINDS

NS = "sources"
HOME_INDICATORS = (
    "sources.farmland_safe_use_rate",
    "sources.certificate_producer_coverage",
    "sources.certificate_match_rate",
    "sources.pesticides_phased_out",
    "sources.grain_samples_per_10k_tonnes",
    "sources.rice_cadmium_coverage",
)


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    return min(max(year, 2000), today.year + 1)


def _on(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return timezone.localdate()


def _base(request: HttpRequest) -> dict[str, object]:
    return {"ns": NS, "kinds": list(KINDS.kinds.values()), "pages": KINDS.pages, "kind": None}


def figures(codes: tuple[str, ...], period: indicators.Period) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for code in codes:
        ind = indicators.get(code)
        result = indicators.compute(code, period)
        out.append({"code": code, "indicator": ind, "result": result, "value": result.value})
    return out


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, UnitCap.VIEW)
    year = _year(request)
    period = indicators.Period.year(year)
    context = {**_base(request), "year": year, "figures": figures(HOME_INDICATORS, period)}
    return render(request, "sources/home.html", context)


@login_required
@require_GET
def grain(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, UnitCap.VIEW)
    year = _year(request)
    period = indicators.Period.year(year)
    rows = selectors.grain_monitoring_by_store(user=request.user, period=period)
    context = {
        **_base(request),
        "year": year,
        "rows": rows,
        "without_store": selectors.grain_samples_without_store(user=request.user, period=period),
        "edition": rules.grain_edition(period.end),
        "can_add": may_add(request.user, KINDS.kinds["grain-lots"]),
    }
    return render(request, "sources/grain.html", context)


@login_required
@require_GET
def pesticides(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, UnitCap.VIEW)
    on = _on(request)
    context: dict[str, object] = {**_base(request), "on": on}
    try:
        context["banned"] = rules.banned_on(on)
        context["restricted"] = rules.restricted_on(on)
    except LookupError as exc:
        context["error"] = str(exc)
    context["phase_out"] = rules.phase_out_substances()
    product, substance = request.GET.get("product", "")[:60], request.GET.get("substance", "")[:60]
    if substance:
        try:
            context["answer"] = rules.pesticide_status(substance, on=on, product=product)
        except LookupError as exc:
            context["error"] = str(exc)
    context["product"], context["substance"] = product, substance
    return render(request, "sources/pesticides.html", context)


@login_required
@require_GET
def banned_hits(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, UnitCap.VIEW)
    year = _year(request)
    hits = selectors.banned_hits_for_user(user=request.user, period=indicators.Period.year(year))
    return render(request, "sources/banned_hits.html", {**_base(request), "year": year, "hits": hits})
