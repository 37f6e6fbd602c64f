"""Pages of the workforce module: the overview of tasks 十八, 二十二–二十五 and 二十七 with their
computed figures, coordinator staffing by town, inspectors' training hours. Record pages are
core.unitrecords_web bound to this module's kinds (urls.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from shian.core import indicators
from shian.core.permissions import UnitCap, require_cap

from . import rules, selectors
from .indicators import INDICATORS
from .kinds import KINDS

NS = "workforce"


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    return min(max(year, 2000), today.year + 1)


def _base() -> dict[str, object]:
    return {"ns": NS, "kinds": list(KINDS.kinds.values()), "pages": KINDS.pages, "kind": None}


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, UnitCap.VIEW)
    year = _year(request)
    period = indicators.Period.year(year)
    codes = ("core.coordinators_per_10k", *(row[0] for row in INDICATORS))
    figures: list[dict[str, object]] = []
    for code in codes:
        result = indicators.compute(code, period)
        figures.append(
            {"code": code, "indicator": indicators.get(code), "result": result, "value": result.value}
        )
    return render(request, "workforce/home.html", {**_base(), "year": year, "figures": figures})


@login_required
@require_GET
def coordinators(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, UnitCap.VIEW)
    on = timezone.localdate()
    rows = selectors.coordinator_staffing(user=request.user, on=on)
    edition = rules.edition("coordinator", on)
    return render(
        request, "workforce/coordinators.html", {**_base(), "rows": rows, "on": on, "edition": edition}
    )


@login_required
@require_GET
def inspector_hours(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, UnitCap.VIEW)
    year = _year(request)
    period = indicators.Period.year(year)
    rows = selectors.inspector_hours(user=request.user, period=period)
    context = {**_base(), "rows": rows, "year": year, "edition": rules.edition("inspector", period.end)}
    return render(request, "workforce/inspector_hours.html", context)
