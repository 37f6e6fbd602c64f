"""What a background job can be: each kind says who may ask for it, how its parameters are read
from a request (canonical, so the same request twice is the same job), how many rows it will
write (the threshold below which the page stays synchronous), and how it writes its file.

The kinds call the modules' own export and report entry points; nothing here reads a table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shian.core.permissions import Cap
from shian.inspections import exports as inspection_exports
from shian.inspections import selectors as inspection_selectors
from shian.registry import selectors as registry_selectors
from shian.registry.exports import business_export_xlsx
from shian.reports.builders import FORMATS, KINDS, ReportError, check_request, plan_years, report_export

Progress = Callable[[int, int], None]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class JobParamsError(ValueError):
    """The request's parameters cannot make a job; the message says why, in Chinese."""


@dataclass(frozen=True)
class Output:
    filename: str
    content_type: str


@dataclass(frozen=True)
class Kind:
    code: str
    label: str | Promise
    caps: tuple[str, ...]
    # The canonical parameters of a request (its POST fields); JobParamsError when they make no sense.
    params: Callable[[Mapping[str, Any]], dict[str, Any]]
    # Writes the file to `out` in the owner's scope, reporting progress; returns its name and type.
    run: Callable[[Any, dict[str, Any], Progress, Path], Output]
    # The page the request came from (the progress page links back to it).
    back: Callable[[dict[str, Any]], str]
    # Rows it would write (None: always in the background, as a report).
    count: Callable[[Any, dict[str, Any]], int] | None = None


def _query(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """A list's filters, sent as the query string the page was showing."""
    from django.http import QueryDict

    return QueryDict(str(data.get("query", "") or ""))


def _back(name: str) -> Callable[[dict[str, Any]], str]:
    def back(params: dict[str, Any]) -> str:
        url = reverse(name)
        return f"{url}?{urlencode(params)}" if params else url

    return back


def _stamp() -> str:
    return f"{timezone.localdate():%Y%m%d}"


# -- the inspections list --------------------------------------------------------------------------


def _inspection_params(data: Mapping[str, Any]) -> dict[str, Any]:
    return inspection_selectors.InspectionFilters.from_mapping(_query(data)).as_query()


def _inspection_run(user: Any, params: dict[str, Any], progress: Progress, out: Path) -> Output:
    filters = inspection_selectors.InspectionFilters.from_mapping(params)
    out.write_bytes(inspection_exports.inspections_xlsx(user=user, filters=filters, progress=progress))
    return Output(f"监督检查记录_{_stamp()}.xlsx", XLSX)


def _inspection_count(user: Any, params: dict[str, Any]) -> int:
    filters = inspection_selectors.InspectionFilters.from_mapping(params)
    return inspection_selectors.inspection_list_for_user(user=user, filters=filters).count()


# -- rectification orders ------------------------------------------------------------------------


def _rect_params(data: Mapping[str, Any]) -> dict[str, Any]:
    return inspection_selectors.RectificationFilters.from_mapping(_query(data)).as_query()


def _rect_run(user: Any, params: dict[str, Any], progress: Progress, out: Path) -> Output:
    filters = inspection_selectors.RectificationFilters.from_mapping(params)
    today = timezone.localdate()
    data = inspection_exports.rectifications_export_xlsx(
        user=user, filters=filters, today=today, progress=progress
    )
    out.write_bytes(data)
    return Output(f"整改跟踪_{today:%Y%m%d}.xlsx", XLSX)


def _rect_count(user: Any, params: dict[str, Any]) -> int:
    filters = inspection_selectors.RectificationFilters.from_mapping(params)
    qs = inspection_selectors.rectification_list_for_user(
        user=user, filters=filters, today=timezone.localdate()
    )
    return qs.count()


# -- the register --------------------------------------------------------------------------------


def _register_params(data: Mapping[str, Any]) -> dict[str, Any]:
    return registry_selectors.BusinessFilters.from_mapping(_query(data)).as_query()


def _register_run(user: Any, params: dict[str, Any], progress: Progress, out: Path) -> Output:
    filters = registry_selectors.BusinessFilters.from_mapping(params)
    business_export_xlsx(user=user, filters=filters, out=str(out), progress=progress)
    return Output(f"食品经营主体_{_stamp()}.xlsx", XLSX)


def _register_count(user: Any, params: dict[str, Any]) -> int:
    filters = registry_selectors.BusinessFilters.from_mapping(params)
    return registry_selectors.business_list_for_user(user=user, filters=filters).count()


# -- reports -------------------------------------------------------------------------------------


def _report_params(data: Mapping[str, Any]) -> dict[str, Any]:
    kind = str(data.get("kind", "") or "")
    fmt = str(data.get("format", "") or "")
    try:
        year = int(str(data.get("year", "") or ""))
    except ValueError:
        raise JobParamsError(gettext("请选择报告年份")) from None
    raw_quarter = str(data.get("quarter", "") or "").strip()
    quarter: int | None = None
    if kind == "quarterly" and raw_quarter:
        try:
            quarter = int(raw_quarter)
        except ValueError:
            raise JobParamsError(
                gettext("季度须为 1、2、3 或 4，而不是“%(quarter)s”") % {"quarter": raw_quarter[:10]}
            ) from None
    if fmt not in FORMATS:
        raise JobParamsError(
            gettext("不支持的格式“%(format)s”，应为 docx、pdf 或 xlsx") % {"format": fmt[:10]}
        )
    try:
        check_request(kind=kind, year=year, quarter=quarter)
    except ReportError as exc:
        raise JobParamsError(str(exc)) from None
    if year not in plan_years():
        raise JobParamsError(gettext("%(year)s 年没有现行的年度计划，无法生成报告") % {"year": year})
    return {"kind": kind, "year": year, "quarter": quarter, "format": fmt}


def _report_run(user: Any, params: dict[str, Any], progress: Progress, out: Path) -> Output:
    from shian.core.models import AuditSource

    progress(0, 1)
    made = report_export(
        actor=user,
        kind=params["kind"],
        year=params["year"],
        quarter=params["quarter"],
        fmt_=params["format"],
        source=AuditSource.WEB,
    )
    out.write_bytes(made.content)
    progress(1, 1)
    return Output(made.filename, made.content_type)


def _report_back(params: dict[str, Any]) -> str:
    return reverse("reports:index")


KIND_LIST = [
    Kind(
        "inspections",
        _("Inspections export"),
        (Cap.INSPECTION_VIEW, Cap.REGISTER_EXPORT),
        _inspection_params,
        _inspection_run,
        _back("inspections:list"),
        _inspection_count,
    ),
    Kind(
        "rectifications",
        _("Rectification orders export"),
        (Cap.INSPECTION_VIEW, Cap.REGISTER_EXPORT),
        _rect_params,
        _rect_run,
        _back("inspections:rectifications"),
        _rect_count,
    ),
    Kind(
        "register",
        _("Register export"),
        (Cap.REGISTER_EXPORT,),
        _register_params,
        _register_run,
        _back("registry:business_list"),
        _register_count,
    ),
    Kind("report", _("Report"), (Cap.PLAN_VIEW,), _report_params, _report_run, _report_back),
]
KINDS_BY_CODE: dict[str, Kind] = {k.code: k for k in KIND_LIST}


def kind_get(code: str) -> Kind:
    try:
        return KINDS_BY_CODE[code]
    except KeyError:
        raise JobParamsError(gettext("未知的任务类型“%(code)s”") % {"code": code[:40]}) from None


def report_label(params: Mapping[str, Any]) -> str:
    """A report job's own words: 2026年第3季度 季度报告 (PDF)."""
    kind = KINDS.get(str(params.get("kind", "")), "")
    period = f"{params.get('year')}年" + (f"第{params['quarter']}季度" if params.get("quarter") else "")
    return f"{period}{kind}（{str(params.get('format', '')).upper()}）"


def describe(code: str, params: Mapping[str, Any]) -> str:
    """What the job is, for its page: its kind and, for a report, which one."""
    kind = KINDS_BY_CODE.get(code)
    label = str(kind.label) if kind else code
    return f"{label} · {report_label(params)}" if code == "report" else label


__all__ = ["KINDS_BY_CODE", "KIND_LIST", "JobParamsError", "Kind", "Output", "describe", "kind_get"]
