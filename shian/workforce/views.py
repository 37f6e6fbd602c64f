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
from shian.core.xlsx import table_xlsx, xlsx_response

from . import rules, selectors
from .indicators import INDICATORS
from .kinds import KINDS

NS = "workforce"


def _xlsx(title: str, headers: list[str], rows: list[list[object]], filename: str) -> HttpResponse:
    content = table_xlsx(title=title, headers=headers, rows=rows, sheet=title)  # type: ignore[arg-type]
    return xlsx_response(content, filename)


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
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            "专职协管员配备",
            ["镇街", "常住人口", "应配", "在岗专职", "缺额", "每万人", "网格数", "网格人口"],
            [
                [
                    t.name,
                    t.population,
                    t.needed,
                    t.in_post,
                    t.short,
                    round(float(t.per_10k), 2) if t.per_10k is not None else None,
                    t.cells,
                    t.cell_population,
                ]
                for t in rows
            ],
            f"专职协管员配备_{on:%Y%m%d}.xlsx",
        )
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
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            "检查员培训学时",
            [
                "姓名",
                "执法证号",
                "镇街",
                "级别",
                "职业化",
                "学时",
                "应达学时",
                "是否达标",
                "执法证有效期至",
                "执法证有效",
            ],
            [
                [
                    r.inspector.name,
                    r.inspector.cert_no,
                    r.inspector.region.name,
                    r.inspector.get_qualification_display(),
                    "是" if r.inspector.professional else "否",
                    float(r.hours),
                    float(r.required),
                    "是" if r.met else "否",
                    r.inspector.cert_valid_until.isoformat(),
                    "是" if r.certificate_valid else "否",
                ]
                for r in rows
            ],
            f"检查员培训学时_{year}.xlsx",
        )
    context = {**_base(), "rows": rows, "year": year, "edition": rules.edition("inspector", period.end)}
    return render(request, "workforce/inspector_hours.html", context)
