"""Traceability pages: lots and their traces, EPCIS capture by upload, recalls with the FSMA 204
sortable spreadsheet, coverage, imported cold-chain food, consumer query counts, and the public
consumer page with its QR code. Each view validates, loads through a scoped selector, calls one
service and renders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shian.core.lists import list_query
from shian.core.models import AuditSource, User
from shian.core.permissions import TraceCap, has_cap, require_cap
from shian.core.scoping import regions_for, scope_for
from shian.core.xlsx import table_xlsx, xlsx_response
from shian.registry.models import Business, BusinessType
from shian.sampling.models import Verdict
from shian.sampling.selectors import samples_for_user

from . import exports, imports, rules, selectors, services
from .identifiers import public_code
from .models import ColdChainDirection, LotStatus, ProductLine, RecallStatus


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 — login_required guarantees it
    return request.user


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(value or default)))
    except ValueError:
        return default


# -- lots ------------------------------------------------------------------------------------------


def _lot_filters(request: HttpRequest) -> dict[str, str]:
    return {
        k: request.GET.get(k, "").strip()[:80]
        for k in ("q", "line", "status", "region")
        if request.GET.get(k)
    }


def _lot_list(request: HttpRequest) -> Any:
    f = _lot_filters(request)
    qs = selectors.lots_for_user(request.user).select_related("business", "region").order_by("-id")
    if f.get("q"):
        qs = qs.filter(
            Q(identifier__icontains=f["q"])
            | Q(product_name__icontains=f["q"])
            | Q(lot_number__icontains=f["q"])
            | Q(business__name__icontains=f["q"])
        )
    if f.get("line"):
        qs = qs.filter(product_line=f["line"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("region"):
        qs = qs.filter(region_id=f["region"])
    return qs, f


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, TraceCap.VIEW)
    qs, f = _lot_list(request)
    page = Paginator(qs, settings.SHIAN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "trace/home.html",
        {
            "page": page,
            "filters": f,
            "lines": ProductLine.choices,
            "statuses": LotStatus.choices,
            "regions": regions_for(request.user),
            "can_capture": has_cap(request.user, TraceCap.CAPTURE),
            "can_recall": has_cap(request.user, TraceCap.RECALL),
        },
    )


@login_required
@require_GET
def lot_export(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, TraceCap.VIEW)
    qs, _f = _lot_list(request)
    rows = [
        [
            lot.identifier,
            lot.product_name,
            lot.get_product_line_display(),
            lot.lot_number,
            lot.business.name if lot.business else lot.holder,
            lot.region.name if lot.region else "",
            lot.get_status_display(),
        ]
        for lot in qs[:100_000]
    ]
    headers = [
        _("Identifier"),
        _("Product"),
        _("Product line"),
        _("Lot"),
        _("Holder"),
        _("Town or street"),
        _("Status"),
    ]
    return xlsx_response(
        table_xlsx(title=_("Lots"), headers=headers, rows=rows), f"批次_{timezone.localdate():%Y%m%d}.xlsx"
    )


@login_required
@require_GET
def lot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_cap(request.user, TraceCap.VIEW)
    lot = selectors.lot_get_for_user(user=request.user, pk=pk)
    depth = _int(request.GET.get("depth"), selectors.MAX_DEPTH, 1, selectors.MAX_DEPTH)
    since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))
    back = selectors.trace_for_user(
        user=request.user, lot=lot, forward=False, depth=depth, since=since, until=until
    )
    fwd = selectors.trace_for_user(
        user=request.user, lot=lot, forward=True, depth=depth, since=since, until=until
    )
    shown = [r.lot_id for r in back.rows[:100]] + [r.lot_id for r in fwd.rows[:100]]
    lots = selectors.lots_by_id(shown)
    businesses = Business.objects.in_bulk(
        [b.business_id for b in back.businesses[:200] + fwd.businesses[:200]]
    )
    events = (
        selectors.events_for_user(request.user).filter(lots__lot=lot).distinct().order_by("event_time")[:100]
    )
    samples = [link.sample for link in lot.sample_links.select_related("sample")]
    unqualified = (
        list(
            samples_for_user(request.user)
            .filter(conclusion=Verdict.UNQUALIFIED, business_id=lot.business_id)
            .order_by("-sampled_on")[:20]
        )
        if lot.business_id
        else []
    )
    return render(
        request,
        "trace/lot_detail.html",
        {
            "lot": lot,
            "back": back,
            "fwd": fwd,
            "lots": lots,
            "businesses": businesses,
            "events": events,
            "samples": samples,
            "unqualified": unqualified,
            "depth": depth,
            "since": since,
            "until": until,
            "can_recall": has_cap(request.user, TraceCap.RECALL),
            "public_url": reverse("trace_public:lot", args=[public_code(lot.identifier)]),
        },
    )


def _scope_xlsx(request: HttpRequest, lot: Any, view: selectors.TraceView, title: str) -> HttpResponse:
    rows = exports.fsma_rows(lot_ids=view.lot_ids, depth_of={r.lot_id: r.depth for r in view.rows})
    content = exports.fsma_xlsx(title=title, rows=rows, generated=timezone.now())
    return xlsx_response(content, f"追溯记录_{lot.lot_number or lot.pk}_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_GET
def lot_fsma(request: HttpRequest, pk: int) -> HttpResponse:
    """The forward scope of a lot (where it went) as the FSMA 204 sortable spreadsheet."""
    require_cap(request.user, TraceCap.VIEW)
    lot = selectors.lot_get_for_user(user=request.user, pk=pk)
    view = selectors.trace_for_user(user=request.user, lot=lot, forward=True)
    return _scope_xlsx(
        request, lot, view, _("Trace records of %(lot)s and everything it reached") % {"lot": lot}
    )


# -- capture by upload -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def capture(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, TraceCap.CAPTURE)
    context: dict[str, Any] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["issues"] = [_("Choose a file.")]
        else:
            content = upload.read()
            name = upload.name or ""
            try:
                if name.lower().endswith((".json", ".jsonld")):
                    try:
                        doc = orjson.loads(content)
                    except orjson.JSONDecodeError as exc:
                        context["issues"] = [_("The file is not JSON: %(error)s") % {"error": exc}]
                        doc = None
                    if doc is not None:
                        result = services.epcis_capture(
                            by=_actor(request), document=doc, source=AuditSource.IMPORT, filename=name
                        )
                        context["result"] = result
                else:
                    context["result"] = imports.epcis_capture_xlsx(
                        by=_actor(request), content=content, filename=name
                    )
            except services.CaptureRejected as exc:
                context["problems"] = exc.problems
            except imports.XlsxRejected as exc:
                context["issues"] = [i.line() for i in exc.issues]
    return render(
        request,
        "trace/capture.html",
        context,
        status=422 if context.get("problems") or context.get("issues") else 200,
    )


@login_required
@require_GET
def capture_template(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, TraceCap.CAPTURE)
    return xlsx_response(imports.template_xlsx(), "追溯事件导入模板.xlsx")


# -- recalls ---------------------------------------------------------------------------------------


_RECALL_HEADERS = [
    "启动日期",
    "批次追溯码",
    "产品",
    "批号",
    "不合格样品编号",
    "镇街",
    "原因",
    "涉及批次节点",
    "涉及经营主体",
    "核查处置已办结",
    "状态",
]


@login_required
@require_GET
def recall_list(request: HttpRequest) -> HttpResponse:
    """The recalls started, filtered (text, status, town) and paged, exported as filtered
    (`?format=xlsx`); and the unqualified samples a recall can be started from."""
    require_cap(request.user, TraceCap.VIEW)
    f = {k: str(request.GET.get(k, "") or "").strip()[:60] for k in ("q", "status", "region")}
    if f["status"] not in RecallStatus.values:
        f["status"] = ""
    qs = selectors.recall_list_for_user(user=request.user, **f)
    if request.GET.get("format") == "xlsx":
        recalls: list[Any] = list(qs[:100_000])  # annotated: businesses reached, disposals closed
        rows = [
            [
                r.opened_on.isoformat(),
                r.lot.identifier,
                r.lot.product_name,
                r.lot.lot_number,
                r.sample.code if r.sample else None,
                r.region.name if r.region else None,
                r.reason,
                r.lots_reached,
                r.businesses_reached,
                r.disposals_closed,
                r.get_status_display(),
            ]
            for r in recalls
        ]
        content = table_xlsx(title="召回", headers=_RECALL_HEADERS, rows=rows, sheet="召回")
        return xlsx_response(content, f"召回_{timezone.localdate():%Y%m%d}.xlsx")
    page = Paginator(qs, settings.SHIAN_PAGE_SIZE).get_page(request.GET.get("page"))
    candidates = (
        samples_for_user(request.user)
        .filter(conclusion=Verdict.UNQUALIFIED)
        .select_related("business")
        .order_by("-sampled_on")[:50]
        if has_cap(request.user, TraceCap.RECALL)
        else []
    )
    return render(
        request,
        "trace/recall_list.html",
        {
            "page": page,
            "filters": f,
            **list_query({k: v for k, v in f.items() if v}),
            "statuses": RecallStatus.choices,
            "regions": regions_for(request.user),
            "candidates": candidates,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recall_new(request: HttpRequest) -> HttpResponse:
    """From an unqualified sample: pick its lot, see the scope, start the recall."""
    require_cap(request.user, TraceCap.RECALL)
    data = request.POST if request.method == "POST" else request.GET
    sample = (
        samples_for_user(request.user)
        .select_related("business")
        .filter(pk=_int(data.get("sample"), 0, 0, 2**62))
        .first()
    )
    if sample is None:
        raise Http404
    lots = (
        selectors.lots_for_user(request.user).filter(business_id=sample.business_id)
        if sample.business_id
        else selectors.lots_for_user(request.user).none()
    )
    if sample.batch:
        matching = lots.filter(Q(lot_number=sample.batch) | Q(identifier__endswith=sample.batch))
        lots = matching if matching.exists() else lots
    lot = (
        selectors.lots_for_user(request.user).filter(pk=_int(data.get("lot"), 0, 0, 2**62)).first()
        if data.get("lot")
        else None
    )
    view, businesses = (
        selectors.recall_scope_for_user(user=request.user, lot=lot) if lot is not None else (None, {})
    )
    if request.method == "POST" and lot is not None and view is not None:
        try:
            recall = services.recall_open(
                by=_actor(request),
                lot=lot,
                sample=sample,
                reason=request.POST.get("reason", ""),
                on=timezone.localdate(),
                scope_rows=[
                    services.ScopeBusiness(b.business_id, b.region_id, b.lots, b.quantity, b.uom, b.depth)
                    for b in view.businesses
                ],
                lots_reached=view.lot_ids,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(
                request,
                _("Recall started: %(n)s businesses have a disposal task.")
                % {"n": recall.businesses.count()},
            )
            return redirect("trace:recall_detail", pk=recall.pk)
    return render(
        request,
        "trace/recall_new.html",
        {
            "sample": sample,
            "lots": lots.select_related("business")[:50],
            "lot": lot,
            "view": view,
            "businesses": businesses,
        },
    )


@login_required
@require_GET
def recall_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_cap(request.user, TraceCap.VIEW)
    recall = selectors.recall_get_for_user(user=request.user, pk=pk)
    scope = scope_for(request.user)
    rows = [
        r
        for r in recall.businesses.select_related("business", "region", "disposal").order_by(
            "depth", "region_id", "id"
        )
        if scope.allows_region(r.region_id)
    ]
    towns: dict[str, dict[str, Any]] = {}
    for r in rows:
        t = towns.setdefault(r.region_id, {"name": r.region.name, "businesses": 0, "lots": 0})
        t["businesses"] += 1
        t["lots"] += r.lots
    return render(
        request,
        "trace/recall_detail.html",
        {
            "recall": recall,
            "rows": rows,
            "towns": sorted(towns.values(), key=lambda t: -t["businesses"]),
            "open": recall.status == RecallStatus.OPEN,
        },
    )


@login_required
@require_GET
def recall_fsma(request: HttpRequest, pk: int) -> HttpResponse:
    require_cap(request.user, TraceCap.VIEW)
    recall = selectors.recall_get_for_user(user=request.user, pk=pk)
    view = selectors.trace_for_user(user=request.user, lot=recall.lot, forward=True)
    return _scope_xlsx(
        request, recall.lot, view, _("Recall of %(lot)s: the sortable trace records") % {"lot": recall.lot}
    )


# -- coverage, queries, cold chain -----------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    start = _date(request.GET.get("start")) or dt.date(today.year, 1, 1)
    end = _date(request.GET.get("end")) or today
    return start, end


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, TraceCap.VIEW)
    start, end = _period(request)
    try:
        edition, rows, by_step = selectors.coverage_for_user(user=request.user, start=start, end=end)
    except rules.NoEditionInForce:
        edition, rows, by_step = "", [], {}
        messages.warning(request, _("No edition of who should record is in force on %(day)s.") % {"day": end})
    names = dict(regions_for(request.user).values_list("code", "name"))
    types = dict(BusinessType.choices)
    table: list[dict[str, Any]] = [
        {
            "town": names.get(r.region_id, r.region_id),
            "type": types.get(r.business_type, r.business_type),
            "expected": r.expected,
            "recording": r.recording,
            "share": round(100 * r.recording / r.expected, 1) if r.expected else None,
        }
        for r in rows
    ]
    if request.GET.get("format") == "xlsx":
        headers = [
            _("Town or street"),
            _("Business type"),
            _("Expected to record"),
            _("Recording"),
            _("Share (%)"),
        ]
        return xlsx_response(
            table_xlsx(
                title=_("Trace recording coverage"),
                headers=headers,
                rows=[[t["town"], t["type"], t["expected"], t["recording"], t["share"]] for t in table],
            ),
            f"追溯覆盖_{end:%Y%m%d}.xlsx",
        )
    return render(
        request,
        "trace/coverage.html",
        {
            "table": table,
            "by_step": sorted(by_step.items(), key=lambda kv: -kv[1]),
            "edition": edition,
            "start": start,
            "end": end,
        },
    )


@login_required
@require_GET
def queries(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, TraceCap.VIEW)
    year = _int(request.GET.get("year"), timezone.localdate().year, 2000, 2100)
    lines = dict(ProductLine.choices)
    rows = [{**r, "name": lines.get(r["line"], r["line"])} for r in selectors.query_counts(year=year)]
    return render(request, "trace/queries.html", {"rows": rows, "year": year})


def _cold_filters(request: HttpRequest) -> Any:
    qs = selectors.cold_chain_records_for_user(request.user).select_related("warehouse", "counterparty")
    if request.GET.get("missing"):
        qs = qs.exclude(missing=[])
    return qs


@login_required
@require_http_methods(["GET", "POST"])
def cold_chain(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, TraceCap.VIEW)
    if request.method == "POST":
        require_cap(request.user, TraceCap.COLD_CHAIN)
        return _cold_chain_post(request)
    records = _cold_filters(request)[:200]
    checks = selectors.cold_chain_checks_for_user(request.user).select_related("business")[:100]
    today = timezone.localdate()
    try:
        checklist = rules.cold_chain_checklist(today)
    except rules.NoEditionInForce:
        checklist = None
    warehouses = (
        scope_for(request.user)
        .apply(
            Business.objects.filter(
                business_type__in=[
                    BusinessType.COLD_STORE,
                    BusinessType.AGRI_MARKET,
                    BusinessType.WHOLESALE_RETAIL,
                ]
            ),
            region_field="region",
            type_field="business_type",
        )
        .order_by("business_type", "name")[:300]
    )
    return render(
        request,
        "trace/cold_chain.html",
        {
            "records": records,
            "checks": checks,
            "checklist": checklist,
            "warehouses": warehouses,
            "directions": ColdChainDirection.choices,
            "can_record": has_cap(request.user, TraceCap.COLD_CHAIN),
            "proof_labels": PROOF_LABELS,
        },
    )


PROOF_LABELS = {
    "customs_declaration": "报关单",
    "quarantine_certificate": "入境货物检验检疫证明",
    "nucleic_acid_proof": "核酸检测证明",
    "disinfection_proof": "消毒证明",
    "trace_code": "追溯码",
}


def _cold_chain_post(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    business = (
        scope.apply(Business.objects.all(), region_field="region", type_field="business_type")
        .filter(pk=_int(request.POST.get("business"), 0, 0, 2**62))
        .first()
    )
    if business is None:
        raise Http404
    try:
        if request.POST.get("kind") == "check":
            day = _date(request.POST.get("checked_on")) or timezone.localdate()
            checklist = rules.cold_chain_checklist(day)
            services.cold_chain_check_record(
                by=_actor(request),
                business=business,
                checked_on=day,
                answers={i.code: request.POST.get(i.code) == "on" for i in checklist.items},
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("Checklist check recorded."))
        else:
            at = dt.datetime.fromisoformat(request.POST.get("at", "")) if request.POST.get("at") else None
            if at is None:
                raise ValidationError({"at": _("Give the time.")})
            try:
                qty = Decimal(request.POST.get("quantity", ""))
            except InvalidOperation:
                raise ValidationError({"quantity": _("The quantity must be a number.")}) from None
            services.cold_chain_record(
                by=_actor(request),
                warehouse=business,
                direction=request.POST.get("direction", "in"),
                at=timezone.make_aware(at) if timezone.is_naive(at) else at,
                product_name=request.POST.get("product_name", ""),
                quantity=qty,
                origin_country=request.POST.get("origin_country", ""),
                counterparty_name=request.POST.get("counterparty_name", ""),
                proofs={k: request.POST.get(k, "") for k in PROOF_LABELS},
            )
            messages.success(request, _("Cold-chain record saved."))
    except (ValidationError, rules.NoEditionInForce, ValueError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    return redirect("trace:cold_chain")


@login_required
@require_GET
def cold_chain_export(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, TraceCap.VIEW)
    rows = [
        [
            r.at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d %H:%M"),
            r.warehouse.name,
            r.get_direction_display(),
            r.product_name,
            r.origin_country,
            float(r.quantity),
            r.uom,
            r.customs_declaration,
            r.quarantine_certificate,
            r.nucleic_acid_proof,
            r.disinfection_proof,
            r.trace_code,
            r.rule_edition,
            "、".join(PROOF_LABELS.get(m, m) for m in r.missing),
        ]
        for r in _cold_filters(request)[:100_000]
    ]
    headers = [
        _("Time"),
        _("Warehouse"),
        _("Direction"),
        _("Product"),
        _("Country of origin"),
        _("Quantity"),
        _("Unit"),
        *PROOF_LABELS.values(),
        _("Rule edition"),
        _("Missing proofs"),
    ]
    return xlsx_response(
        table_xlsx(title=_("Imported cold-chain food records"), headers=headers, rows=rows),
        f"进口冷链_{timezone.localdate():%Y%m%d}.xlsx",
    )


@login_required
@require_POST
def sample_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a sample was taken of this lot."""
    require_cap(request.user, TraceCap.VIEW)
    lot = selectors.lot_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, TraceCap.CAPTURE)
    sample = samples_for_user(request.user).filter(pk=_int(request.POST.get("sample"), 0, 0, 2**62)).first()
    if sample is None:
        raise Http404
    services.lot_sample_link(by=_actor(request), lot=lot, sample=sample)
    return redirect("trace:lot_detail", pk=lot.pk)


# -- public consumer page --------------------------------------------------------------------------


@require_GET
def public_search(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()
    if code:
        found = selectors.public_lot(code=code)
        if found is not None:
            return redirect("trace_public:lot", code=public_code(found.identifier))
    return render(
        request,
        "trace/public_search.html",
        {"code": code, "searched": bool(code)},
        status=404 if code else 200,
    )


@require_GET
def public_lot(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.public_lot(code=code)
    if found is None:
        return render(request, "trace/public_search.html", {"code": code, "searched": True}, status=404)
    services.consumer_query_count(
        identifier=found.identifier, product_line=found.product_line, day=timezone.localdate()
    )
    url = request.build_absolute_uri(reverse("trace_public:lot", args=[public_code(found.identifier)]))
    qr = segno.make(url, error="m").svg_inline(scale=4, dark="#1f2d3d")
    return render(
        request,
        "trace/public_lot.html",
        {"lot": found, "qr": qr, "url": url, "lines": dict(ProductLine.choices)},
    )


@require_GET
def public_qr(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.public_lot(code=code)
    if found is None:
        raise Http404
    url = request.build_absolute_uri(reverse("trace_public:lot", args=[public_code(found.identifier)]))
    return HttpResponse(segno.make(url, error="m").svg_inline(scale=8), content_type="image/svg+xml")
