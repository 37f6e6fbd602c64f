"""Enforcement and credit pages: the case list and its export, opening a case (from an unqualified
sample among others), the case page with its clocks, tests and actions, publications (staff and
public), the serious-dishonesty list, typical cases, the filing to the national credit system,
and the credit file of a business. Each view validates, loads through a scoped selector, calls
one service and renders."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any

import orjson
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shian.core.concurrency import versioned
from shian.core.lists import list_page, list_query
from shian.core.models import AuditSource, User
from shian.core.permissions import EnforcementCap, has_cap, require_cap
from shian.core.scoping import regions_for, scope_for
from shian.core.xlsx import table_xlsx, xlsx_response
from shian.inspections.selectors import inspection_queryset_for_user, rectification_queryset_for_user
from shian.registry.selectors import (
    business_events_for_user,
    business_get_for_user,
    business_queryset_for_user,
)
from shian.sampling.models import DisposalStatus, DisposalTask, Verdict
from shian.sampling.selectors import samples_for_user
from shian.sampling.workflow import SampleStatus

from . import evidence_files, exports, rules, selectors, services
from .editing import case_for_edit, listing_for_edit, publication_for_edit
from .models import (
    Band,
    Campaign,
    CaseSource,
    CreditFiling,
    CreditKind,
    ListingStatus,
    MeasureKind,
    PartyKind,
    PenaltyKind,
    PoliceAnswer,
    Publication,
    PublicationStatus,
)
from .workflow import TRANSITIONS, CaseStatus

WEB = AuditSource.WEB


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 — login_required guarantees it
    return request.user


def _date(value: str | None, field: str = "on") -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationError(
            {field: _("“%(value)s”不是有效日期（格式 2022-03-01）") % {"value": value or ""}}
        ) from None


def _opt_date(value: str | None, field: str) -> dt.date | None:
    return _date(value, field) if (value or "").strip() else None


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, msgs in exc.message_dict.items():
            for m in msgs:
                messages.error(request, f"{FIELD_NAMES.get(field, field)}：{m}")
    else:
        for m in exc.messages:
            messages.error(request, m)


FIELD_NAMES = {
    "on": "日期",
    "to": "环节",
    "basis_code": "法律依据",
    "fine_amount": "罚款金额",
    "band": "裁量档次",
    "kinds": "处罚种类",
    "decision_number": "决定书文号",
    "collective_discussion_on": "集体讨论",
    "lead_received_on": "发现线索日期",
    "party_name": "当事人",
    "summary": "案由",
    "note": "说明",
    "conditions": "条件",
    "hearing_on": "听证日期",
    "police_unit": "公安机关",
}


# -- cases ---------------------------------------------------------------------------------------


def _case_filters(request: HttpRequest) -> dict[str, str]:
    return {
        k: request.GET.get(k, "").strip()[:80]
        for k in ("status", "campaign", "region", "q")
        if request.GET.get(k, "").strip()
    }


def _filtered_cases(request: HttpRequest, params: Mapping[str, str]) -> Any:
    qs = selectors.cases_for_user(request.user).select_related("region", "business")
    if params.get("status") in CaseStatus.values:
        qs = qs.filter(status=params["status"])
    if params.get("campaign") in Campaign.values:
        qs = qs.filter(campaigns__campaign=params["campaign"])
    if params.get("region"):
        qs = qs.filter(region_id=params["region"])
    if params.get("q"):
        qs = qs.filter(
            Q(number__icontains=params["q"])
            | Q(party_name__icontains=params["q"])
            | Q(summary__icontains=params["q"])
        )
    return qs.order_by("-lead_received_on", "-id")


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, EnforcementCap.VIEW)
    params = _case_filters(request)
    page = list_page(request, _filtered_cases(request, params).prefetch_related("campaigns"), 50)
    today = timezone.localdate()
    return render(
        request,
        "enforcement/case_list.html",
        {
            "page": page,
            "params": params,
            **list_query(params),
            "statuses": CaseStatus.choices,
            "campaigns": Campaign.choices,
            "regions": regions_for(request.user).filter(level__in=("town", "street")).order_by("code"),
            "can_handle": has_cap(request.user, EnforcementCap.HANDLE),
            "today": today,
        },
    )


@login_required
@require_GET
def case_export(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, EnforcementCap.VIEW)
    params = _case_filters(request)
    cases = list(_filtered_cases(request, params).prefetch_related("campaigns")[:20000])
    content = exports.cases_xlsx(cases, title="行政处罚案件")
    services.export_record(
        by=_actor(request), source=WEB, what="行政处罚案件导出", rows=len(cases), filters=params
    )
    return xlsx_response(content, f"行政处罚案件_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """Open a case; `?sample=<id>` starts it from an unqualified sample the officer can see."""
    require_cap(request.user, EnforcementCap.HANDLE)
    data = request.POST if request.method == "POST" else request.GET
    sample = None
    if data.get("sample"):
        sample = (
            samples_for_user(request.user)
            .filter(conclusion=Verdict.UNQUALIFIED)
            .select_related("business", "region")
            .filter(pk=_pk(data.get("sample")))
            .first()
        )
        if sample is None:
            raise Http404
    business = None
    if data.get("business"):
        business = business_queryset_for_user(user=request.user).filter(pk=_pk(data.get("business"))).first()
        if business is None:
            raise Http404
    elif sample is not None:
        business = sample.business
    if request.method == "POST":
        try:
            region = None
            if business is None and data.get("region"):
                region = regions_for(request.user).filter(pk=data.get("region")).first()
            case = services.case_open(
                by=_actor(request),
                source=WEB,
                source_kind=data.get("source_kind", ""),
                source_type="sampling.sample" if sample else "",
                source_id=str(sample.pk) if sample else "",
                summary=data.get("summary", ""),
                lead_received_on=_date(data.get("lead_received_on"), "lead_received_on"),
                business=business,
                region=region,
                party_kind=data.get("party_kind", PartyKind.BUSINESS if business else ""),
                party_name=data.get("party_name", ""),
                party_id_number=data.get("party_id_number", ""),
                party_address=data.get("party_address", ""),
                responsible_person=data.get("responsible_person", ""),
                campaigns=data.getlist("campaigns") if hasattr(data, "getlist") else [],
                basis_code=data.get("basis_code", ""),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("已登记线索 %(number)s") % {"number": case.number})
            return redirect("enforcement:case_detail", pk=case.pk)
    today = timezone.localdate()
    edition = rules.edition_in_force(today)
    initial = {
        "source_kind": CaseSource.SAMPLE if sample else data.get("source_kind", ""),
        "summary": f"销售不合格食品（{sample.food_name}，样品 {sample.code}）"
        if sample
        else data.get("summary", ""),
        "lead_received_on": data.get("lead_received_on", today.isoformat()),
    }
    return render(
        request,
        "enforcement/case_new.html",
        {
            "sample": sample,
            "business": business,
            "initial": initial,
            "sources": CaseSource.choices,
            "party_kinds": PartyKind.choices,
            "campaigns": Campaign.choices,
            "bases": edition.bases.values(),
            "regions": regions_for(request.user).filter(level__in=("town", "street")).order_by("code"),
        },
        status=400 if request.method == "POST" else 200,
    )


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_cap(request.user, EnforcementCap.VIEW)
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    on = case.decided_on or today
    edition = rules.edition_in_force(case.lead_received_on)
    transfers = list(case.transfers.all())
    return render(
        request,
        "enforcement/case_detail.html",
        {
            "case": case,
            "campaign_labels": [Campaign(c.campaign).label for c in case.campaigns.all()],
            "clocks": selectors.case_clocks(case, today=today),
            "aggravation": selectors.case_aggravation(case, on=on),
            "criminal": (criminal := selectors.case_criminal(case, on=on)),
            "criminal_met": any(t.met for t in criminal),
            "third": selectors.case_third_penalty(case, on=on),
            "steps": case.steps.select_related("by"),
            "measures": case.measures.all(),
            "transfers": transfers,
            "evidence": case.evidence.all(),
            "evidence_max_mb": f"{settings.SHIAN_EVIDENCE_MAX_BYTES / 1024 / 1024:g}",
            "publication": Publication.objects.filter(case=case).first(),
            "listings": case.listings.all(),
            "next_statuses": [
                (s, CaseStatus(s).label) for s in sorted(TRANSITIONS[case.status]) if s != CaseStatus.DECIDED
            ],
            "can_decide": CaseStatus.DECIDED in TRANSITIONS[case.status],
            "can_handle": has_cap(request.user, EnforcementCap.HANDLE),
            "can_publish": has_cap(request.user, EnforcementCap.PUBLISH),
            "bases": edition.bases.values(),
            "triggers": edition.listing["trigger"],
            "penalty_kinds": PenaltyKind.choices,
            "bands": Band.choices,
            "measure_kinds": MeasureKind.choices,
            "police_answers": [a for a in PoliceAnswer.choices if a[0] != PoliceAnswer.PENDING],
            "campaigns": Campaign.choices,
            "case_campaigns": {c.campaign for c in case.campaigns.all()},
            "fact_fields": services.FACT_FIELDS,
            "today": today,
            "is_person": case.party_kind == PartyKind.PERSON,
        },
    )


def _back(pk: int) -> HttpResponse:
    return redirect("enforcement:case_detail", pk=pk)


@login_required
@require_POST
@versioned
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for_edit(request, pk)
    d = request.POST
    try:
        services.case_transition(
            by=_actor(request),
            source=WEB,
            case=case,
            to=d.get("to", ""),
            on=_date(d.get("on")),
            note=d.get("note", ""),
            hearing_on=_opt_date(d.get("hearing_on"), "hearing_on"),
            police_unit=d.get("police_unit", ""),
            documents=d.get("documents", ""),
        )
    except ValidationError as exc:
        _errors(request, exc)
    return _back(case.pk)


@login_required
@require_POST
@versioned
def case_facts(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for_edit(request, pk)
    d = request.POST
    facts: dict[str, Any] = {}
    for key, kind in services.FACT_FIELDS.items():
        if kind == "bool":
            facts[key] = key in d
        elif key in d:
            facts[key] = d.get(key, "")
    try:
        services.case_facts_record(
            by=_actor(request),
            source=WEB,
            case=case,
            facts=facts,
            basis_code=d.get("basis_code") or None,
            listing_triggers=d.getlist("listing_triggers"),
            campaigns=d.getlist("campaigns"),
        )
    except ValidationError as exc:
        _errors(request, exc)
    return _back(case.pk)


@login_required
@require_POST
@versioned
def case_decide(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for_edit(request, pk)
    d = request.POST
    try:
        services.case_decide(
            by=_actor(request),
            source=WEB,
            case=case,
            on=_date(d.get("on")),
            decision_number=d.get("decision_number", ""),
            kinds=d.getlist("kinds"),
            fine_amount=d.get("fine_amount", ""),
            band=d.get("band", ""),
            confiscated_amount=d.get("confiscated_amount", ""),
            restriction_months=_small_int(d.get("restriction_months")),
            collective_discussion_on=_opt_date(d.get("collective_discussion_on"), "collective_discussion_on"),
            decision_text=d.get("decision_text", ""),
            prison_sentence="prison_sentence" in d,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("处罚决定已登记"))
    return _back(case.pk)


def _small_int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        raise ValidationError({"restriction_months": _("“%(value)s”不是整数") % {"value": value}}) from None


@login_required
@require_POST
@versioned
def case_action(request: HttpRequest, pk: int) -> HttpResponse:
    """The smaller acts on a case: an extension, evidence, a seizure taken, extended or lifted."""
    case = case_for_edit(request, pk)
    d = request.POST
    by = _actor(request)
    action = d.get("action", "")
    try:
        on = _date(d.get("on"))
        if action == "extend":
            services.case_extend(
                by=by,
                source=WEB,
                case=case,
                clock=d.get("clock", ""),
                on=on,
                reason=d.get("reason", ""),
                extended_to=_opt_date(d.get("extended_to"), "extended_to"),
            )
        elif action == "evidence":
            upload = request.FILES.get("file")
            services.evidence_add(
                by=by,
                source=WEB,
                case=case,
                title=d.get("title", ""),
                kind=d.get("kind", ""),
                collected_on=on,
                reference=d.get("reference", ""),
                # At most one byte past the limit is read: the service refuses it as too large.
                file=(upload.name or "", upload.read(settings.SHIAN_EVIDENCE_MAX_BYTES + 1))
                if upload
                else None,
            )
        elif action == "measure":
            services.measure_take(
                by=by, source=WEB, case=case, kind=d.get("kind", ""), items=d.get("items", ""), taken_on=on
            )
        elif action in ("measure_extend", "measure_lift"):
            measure = case.measures.filter(pk=_pk(d.get("measure"))).first()
            if measure is None:
                raise Http404
            if action == "measure_extend":
                services.measure_extend(by=by, source=WEB, measure=measure, on=on)
            else:
                services.measure_lift(by=by, source=WEB, measure=measure, on=on)
        elif action == "police_answer":
            transfer = case.transfers.filter(pk=_pk(d.get("transfer"))).first()
            if transfer is None:
                raise Http404
            services.transfer_answer(
                by=by,
                source=WEB,
                transfer=transfer,
                answer=d.get("answer", ""),
                on=on,
                note=d.get("note", ""),
            )
        elif action == "typical":
            require_cap(request.user, EnforcementCap.PUBLISH)
            services.typical_case_publish(
                by=by, source=WEB, case=case, title=d.get("title", ""), text=d.get("text", ""), on=on
            )
        else:
            raise ValidationError({"action": _("未知的操作")})
    except ValidationError as exc:
        _errors(request, exc)
    return _back(case.pk)


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An evidence file, to those who may see its case (another town's is a 404); each download is
    audited."""
    require_cap(request.user, EnforcementCap.VIEW)
    evidence = selectors.evidence_get_for_user(user=request.user, pk=pk)
    path = evidence.file.name or ""
    if not path or not default_storage.exists(path):
        raise Http404
    services.evidence_file_download(by=_actor(request), source=WEB, evidence=evidence)
    response = FileResponse(
        default_storage.open(path, "rb"),
        content_type=evidence_files.content_type(evidence.file_kind),
        as_attachment=True,
        filename=evidence.file_name or f"evidence-{evidence.pk}.{evidence.file_kind}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- publications ---------------------------------------------------------------------------------


_PUBLICATION_HEADERS = [
    "案号",
    "当事人（公示）",
    "决定书文号",
    "镇街",
    "状态",
    "应公示日期",
    "逾期未公示",
    "公示日期",
    "停止公示日期",
    "可申请提前停止日期",
    "撤下日期",
    "撤下原因",
]


@login_required
@require_GET
def publication_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, EnforcementCap.VIEW)
    status = request.GET.get("status", "")
    qs = selectors.publications_for_user(request.user).select_related("case", "region")
    if status in PublicationStatus.values:
        qs = qs.filter(status=status)
    qs = qs.order_by("-due_on", "-id")
    if request.GET.get("format") == "xlsx":
        today = timezone.localdate()
        day = lambda d: d.isoformat() if d else None  # noqa: E731
        rows = [
            [
                p.case.number,
                p.summary.get("party", ""),
                p.summary.get("decision_number", ""),
                p.region.name,
                p.get_status_display(),
                day(p.due_on),
                "是" if p.status == PublicationStatus.DUE and p.due_on < today else "否",
                day(p.published_on),
                day(p.ends_on),
                day(p.early_from),
                day(p.withdrawn_on),
                p.withdraw_reason or None,
            ]
            for p in qs[:50_000]
        ]
        return xlsx_response(
            table_xlsx(
                title="行政处罚信息公示", headers=_PUBLICATION_HEADERS, rows=rows, sheet="行政处罚信息公示"
            ),
            f"行政处罚信息公示_{today:%Y%m%d}.xlsx",
        )
    page = list_page(request, qs, 50)
    return render(
        request,
        "enforcement/publication_list.html",
        {
            "page": page,
            "status": status,
            "statuses": PublicationStatus.choices,
            "can_publish": has_cap(request.user, EnforcementCap.PUBLISH),
            "today": timezone.localdate(),
            **list_query({"status": status} if status else {}),
        },
    )


@login_required
@require_POST
@versioned
def publication_act(request: HttpRequest, pk: int) -> HttpResponse:
    pub = publication_for_edit(request, pk)
    d = request.POST
    try:
        on = _date(d.get("on"))
        if d.get("action") == "publish":
            services.publication_publish(by=_actor(request), source=WEB, publication=pub, on=on)
        elif d.get("action") in ("early", "withdraw"):
            services.publication_withdraw(
                by=_actor(request),
                source=WEB,
                publication=pub,
                on=on,
                reason=d.get("reason", ""),
                early=d.get("action") == "early",
                conditions=_conditions(d),
            )
        else:
            raise ValidationError({"action": _("未知的操作")})
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("enforcement:publication_list")


def _conditions(d: Mapping[str, Any]) -> rules.Conditions:
    return rules.Conditions(
        obligations_fulfilled="obligations_fulfilled" in d,
        harm_removed="harm_removed" in d,
        no_new_penalty_same_kind="no_new_penalty" in d,
        not_on_lists="not_on_lists" in d,
    )


@require_GET
def public_publications(request: HttpRequest) -> HttpResponse:
    """The public page of penalty decisions currently published (no login; 45号令)."""
    today = timezone.localdate()
    page = list_page(
        request, selectors.publications_current(today=today).order_by("-published_on", "-id"), 50
    )
    return render(request, "enforcement/public_publications.html", {"page": page, "today": today})


@require_GET
def public_publications_xlsx(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    pubs = selectors.publications_current(today=today).order_by("-published_on", "-id")[:20000]
    content = table_xlsx(
        title=f"行政处罚信息公示（{today:%Y-%m-%d}）",
        headers=exports.PUBLICATION_HEADERS,
        rows=exports.publication_rows(pubs),
        sheet="公示",
    )
    return xlsx_response(content, f"行政处罚信息公示_{today:%Y%m%d}.xlsx")


@require_GET
def public_typical(request: HttpRequest) -> HttpResponse:
    return render(
        request, "enforcement/public_typical.html", {"items": selectors.typical_cases_public()[:200]}
    )


# -- serious-dishonesty list -----------------------------------------------------------------------


_LISTING_HEADERS = [
    "当事人",
    "统一社会信用代码",
    "镇街",
    "案号",
    "状态",
    "提出日期",
    "决定日期",
    "列入日期",
    "期满日期",
    "移出日期",
    "说明",
]


@login_required
@require_GET
def listing_list(request: HttpRequest) -> HttpResponse:
    """The serious-dishonesty list, filtered by text (party or case number), status and town, paged,
    and exported as filtered (`?format=xlsx`)."""
    require_cap(request.user, EnforcementCap.VIEW)
    f = {k: str(request.GET.get(k, "") or "").strip()[:60] for k in ("q", "status", "region")}
    if f["status"] not in ListingStatus.values:
        f["status"] = ""
    filters = {k: v for k, v in f.items() if v}
    qs = selectors.listings_for_user(request.user).select_related("case", "business", "region")
    if "q" in filters:
        qs = qs.filter(Q(business__name__icontains=f["q"]) | Q(case__number__icontains=f["q"]))
    if "status" in filters:
        qs = qs.filter(status=f["status"])
    if "region" in filters:
        qs = qs.filter(region_id=f["region"])
    qs = qs.order_by("-proposed_on", "-id")
    if request.GET.get("format") == "xlsx":
        day = lambda d: d.isoformat() if d else None  # noqa: E731
        rows = [
            [
                x.business.name,
                x.business.credit_code,
                x.region.name,
                x.case.number,
                x.get_status_display(),
                day(x.proposed_on),
                day(x.decided_on),
                day(x.listed_on),
                day(x.ends_on),
                day(x.removed_on),
                x.note,
            ]
            for x in qs[:50_000]
        ]
        today = timezone.localdate()
        return xlsx_response(
            table_xlsx(
                title="严重违法失信名单", headers=_LISTING_HEADERS, rows=rows, sheet="严重违法失信名单"
            ),
            f"严重违法失信名单_{today:%Y%m%d}.xlsx",
        )
    return render(
        request,
        "enforcement/listing_list.html",
        {
            "page": list_page(request, qs),
            "filters": filters,
            **list_query(filters),
            "statuses": ListingStatus.choices,
            "regions": regions_for(request.user).exclude(level="district"),
            "can_publish": has_cap(request.user, EnforcementCap.PUBLISH),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
@versioned
def listing_act(request: HttpRequest, pk: int) -> HttpResponse:
    listing = listing_for_edit(request, pk)
    d = request.POST
    try:
        on = _date(d.get("on"))
        action = d.get("action")
        if action in ("list", "reject"):
            services.listing_decide(
                by=_actor(request),
                source=WEB,
                listing=listing,
                on=on,
                list_it=action == "list",
                note=d.get("note", ""),
            )
        elif action == "repair":
            services.listing_repair(
                by=_actor(request), source=WEB, listing=listing, on=on, conditions=_conditions(d)
            )
        else:
            raise ValidationError({"action": _("未知的操作")})
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("enforcement:listing_list")


# -- typical cases, filings, bans ---------------------------------------------------------------------


@login_required
@require_GET
def typical_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, EnforcementCap.VIEW)
    items = selectors.typical_cases_for_user(request.user).select_related("case")[:500]
    candidates = (
        selectors.cases_for_user(request.user)
        .filter(status=CaseStatus.CLOSED, decided_on__isnull=False, typical__isnull=True)
        .order_by("-closed_on")[:30]
        if has_cap(request.user, EnforcementCap.PUBLISH)
        else []
    )
    return render(request, "enforcement/typical_list.html", {"items": items, "candidates": candidates})


def _filings_for_user(request: HttpRequest) -> Any:
    return scope_for(request.user).apply(
        CreditFiling.objects.select_related("case", "sample", "disposal__sample"),
        region_field="region",
        type_field="business__business_type",
    )


def _filing_filters(request: HttpRequest) -> dict[str, str]:
    """The filed records' filters: kind, batch, filed from / to (ISO dates; a bad one is dropped)."""
    f = {k: str(request.GET.get(k, "") or "").strip()[:30] for k in ("kind", "batch", "start", "end")}
    if f["kind"] not in CreditKind.values:
        f["kind"] = ""
    for k in ("start", "end"):
        try:
            dt.date.fromisoformat(f[k])
        except ValueError:
            f[k] = ""
    return {k: v for k, v in f.items() if v}


def _filings_filtered(request: HttpRequest) -> tuple[Any, dict[str, str]]:
    f = _filing_filters(request)
    qs = _filings_for_user(request)
    if "kind" in f:
        qs = qs.filter(kind=f["kind"])
    if "batch" in f:
        qs = qs.filter(batch__icontains=f["batch"])
    if "start" in f:
        qs = qs.filter(filed_on__gte=f["start"])
    if "end" in f:
        qs = qs.filter(filed_on__lte=f["end"])
    return qs, f


def _unfiled(request: HttpRequest) -> dict[str, Any]:
    """The records to be filed and not filed yet, by kind (plan task 二十一): penalty decisions to be
    published, samples judged unqualified, closed disposal tasks."""
    scope = scope_for(request.user)
    cases = (
        selectors.cases_for_user(request.user)
        .filter(decided_on__isnull=False, publication__isnull=False)
        .exclude(filings__kind=CreditKind.PENALTY)
        .exclude(publication__status=PublicationStatus.WITHDRAWN)
        .select_related("business", "region")
        .order_by("decided_on")
    )
    samples = (
        samples_for_user(request.user)
        .filter(conclusion=Verdict.UNQUALIFIED, history__to_status=SampleStatus.JUDGED_UNQUALIFIED)
        .exclude(credit_filings__kind=CreditKind.SAMPLING)
        .select_related("business", "lab")
        .distinct()
        .order_by("sampled_on", "id")
    )
    tasks = (
        scope.apply(
            DisposalTask.objects.filter(status=DisposalStatus.CLOSED),
            region_field="region",
            type_field="sample__business__business_type",
        )
        .exclude(credit_filings__kind=CreditKind.DISPOSAL)
        .select_related("sample", "sample__business", "business")
        .order_by("closed_on", "id")
    )
    return {"cases": cases, "samples": samples, "tasks": tasks}


@login_required
@require_http_methods(["GET", "POST"])
def filing_list(request: HttpRequest) -> HttpResponse:
    """What was filed to the national enterprise credit information system, and the records not yet
    filed (penalty decisions, unqualified sampling results, closed disposals); a POST files them all
    as one batch (T21 counts from the record)."""
    require_cap(request.user, EnforcementCap.VIEW)
    unfiled = _unfiled(request)
    if request.method == "POST":
        require_cap(request.user, EnforcementCap.PUBLISH)
        today = timezone.localdate()
        batch = f"{today:%Y%m%d}-{timezone.now():%H%M%S}"
        by = _actor(request)
        try:
            with transaction.atomic():
                filed = services.credit_filing_record(
                    by=by, source=WEB, cases=list(unfiled["cases"][:5000]), on=today, batch=batch
                )
                filed += services.credit_filing_record_samples(
                    by=by, source=WEB, samples=list(unfiled["samples"][:5000]), on=today, batch=batch
                )
                filed += services.credit_filing_record_disposals(
                    by=by,
                    source=WEB,
                    tasks=list(unfiled["tasks"].filter(closed_on__lte=today)[:5000]),
                    on=today,
                    batch=batch,
                )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            counts = Counter(f.kind for f in filed)
            messages.success(
                request,
                _(
                    "已归集 %(count)s 条信用信息（批次 %(batch)s）：行政处罚 %(value)s 条、抽检不合格 %(value2)s 条、核查处置 %(value3)s 条"
                )
                % {
                    "count": len(filed),
                    "batch": batch,
                    "value": counts[CreditKind.PENALTY],
                    "value2": counts[CreditKind.SAMPLING],
                    "value3": counts[CreditKind.DISPOSAL],
                },
            )
        return redirect("enforcement:filing_list")
    filed, filters = _filings_filtered(request)
    page = list_page(request, filed.order_by("-filed_on", "-id"))
    pending = {k: v.count() for k, v in unfiled.items()}
    return render(
        request,
        "enforcement/filing_list.html",
        {
            "page": page,
            "filters": filters,
            **list_query(filters),
            "kinds": CreditKind.choices,
            "unfiled": unfiled["cases"][:200],
            "unfiled_samples": unfiled["samples"][:200],
            "unfiled_tasks": unfiled["tasks"][:200],
            "unfiled_counts": pending,
            "unfiled_count": sum(pending.values()),
            "can_publish": has_cap(request.user, EnforcementCap.PUBLISH),
        },
    )


@login_required
@require_GET
def filing_export(request: HttpRequest, fmt: str) -> HttpResponse:
    require_cap(request.user, EnforcementCap.VIEW)
    if fmt not in ("json", "xlsx"):
        raise Http404
    filed, _filters = _filings_filtered(request)
    filings = filed.order_by("filed_on", "id")[:50000]
    today = timezone.localdate()
    if fmt == "json":
        body = orjson.dumps({"layout": exports.FILING_LAYOUT, "records": exports.filing_records(filings)})
        response = HttpResponse(body, content_type="application/json")
        response["Content-Disposition"] = content_disposition_header(
            True, f"信用信息归集_{today:%Y%m%d}.json"
        )
        return response
    return xlsx_response(
        exports.filings_xlsx(filings, title="信用信息归集记录"), f"信用信息归集_{today:%Y%m%d}.xlsx"
    )


@login_required
@require_GET
def ban_check(request: HttpRequest) -> HttpResponse:
    """Whether a person named in a licence application is barred (食品安全法第一百三十五条)."""
    require_cap(request.user, EnforcementCap.VIEW)
    name = request.GET.get("name", "").strip()[:50]
    id_number = request.GET.get("id_number", "").strip()[:30]
    today = timezone.localdate()
    bans = selectors.bans_matching(name=name, id_number=id_number, on=today) if (name or id_number) else None
    return render(
        request,
        "enforcement/ban_check.html",
        {"name": name, "id_number": id_number, "bans": bans, "today": today},
    )


# -- credit ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def credit_list(request: HttpRequest) -> HttpResponse:
    """Businesses with a credit record in the window, by credit-risk class (A–D)."""
    require_cap(request.user, EnforcementCap.VIEW)
    try:  # the classes as they stood on a date (?on=2023-06-30), today by default
        today = dt.date.fromisoformat(request.GET.get("on", "")[:10])
        rules.edition_in_force(today)
    except (ValueError, rules.NoEditionInForce):
        today = timezone.localdate()
    businesses = business_queryset_for_user(user=request.user)
    classes = selectors.credit_classes(None, on=today)
    visible = dict(businesses.filter(pk__in=list(classes)).values_list("pk", "name"))
    want = request.GET.get("class", "")
    if want not in rules.CLASS_NAMES:
        want = ""
    every = sorted(
        ((bid, visible[bid], c) for bid, c in classes.items() if bid in visible),
        key=lambda r: (-ord(r[2].code), -r[2].points, r[1]),
    )
    # Each class's count over every business with a record, whichever class is shown.
    counts = {code: sum(1 for _b, _n, c in every if c.code == code) for code in "ABCD"}
    rows = [r for r in every if not want or r[2].code == want]
    if request.GET.get("format") == "xlsx":
        info = {
            b.pk: b for b in businesses.filter(pk__in=[bid for bid, _n, _c in rows]).select_related("region")
        }
        content = table_xlsx(
            title=f"企业信用风险分类（{today:%Y-%m-%d}）",
            headers=["主体", "统一社会信用代码", "镇街", "分类", "分类名称", "分值", "依据"],
            rows=[
                [
                    name,
                    info[bid].credit_code,
                    info[bid].region.name,
                    c.code,
                    _(rules.CLASS_NAMES[c.code]),
                    c.points,
                    "；".join(c.reasons) or None,
                ]
                for bid, name, c in rows
            ],
            sheet="信用风险分类",
        )
        return xlsx_response(content, f"企业信用风险分类_{today:%Y%m%d}.xlsx")
    page = Paginator(rows, settings.SHIAN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "enforcement/credit_list.html",
        {
            "page": page,
            "counts": counts,
            "want": want,
            "on": today,
            **list_query({"on": today.isoformat(), **({"class": want} if want else {})}),
            "names": rules.CLASS_NAMES,
            "total_business": businesses.count(),
        },
    )


def _credit_file(request: HttpRequest, pk: int) -> dict[str, Any]:
    business = business_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    cls = selectors.credit_classes([business.pk], on=today)[business.pk]
    events = list(business_events_for_user(user=request.user, business=business))
    cases = list(
        selectors.cases_for_user(request.user).filter(business=business).order_by("-lead_received_on")
    )
    listings = list(selectors.listings_for_user(request.user).filter(business=business))
    # The other evidence of 食品安全法第一百一十三条's file: inspections, rectifications, samples.
    since = rules.add_months(today, -36)
    inspections = list(
        inspection_queryset_for_user(user=request.user)
        .filter(business=business, inspected_on__gte=since)
        .order_by("-inspected_on")[:50]
    )
    rectifications = list(
        rectification_queryset_for_user(user=request.user)
        .filter(finding__inspection__business=business, ordered_on__gte=since)
        .order_by("-ordered_on")[:50]
    )
    samples = list(
        samples_for_user(request.user)
        .filter(business=business, sampled_on__gte=since)
        .order_by("-sampled_on")[:50]
    )
    return {
        "inspections": inspections,
        "rectifications": rectifications,
        "samples": samples,
        "business": business,
        "cls": cls,
        "class_name": rules.CLASS_NAMES[cls.code],
        "events": events,
        "cases": cases,
        "listings": listings,
        "today": today,
    }


@login_required
@require_GET
def credit_file(request: HttpRequest, pk: int) -> HttpResponse:
    require_cap(request.user, EnforcementCap.VIEW)
    return render(request, "enforcement/credit_file.html", _credit_file(request, pk))


@login_required
@require_GET
def credit_file_export(request: HttpRequest, pk: int) -> HttpResponse:
    require_cap(request.user, EnforcementCap.VIEW)
    ctx = _credit_file(request, pk)
    b = ctx["business"]
    rows: list[list[Any]] = [["信用风险分类", ctx["cls"].code, ctx["class_name"], f"{ctx['cls'].points} 分"]]
    rows += [
        [
            "信用记录",
            e.occurred_on.isoformat(),
            e.get_kind_display(),
            e.note + ("（已撤销）" if e.voided_at else ""),
        ]
        for e in ctx["events"]
    ]
    rows += [
        ["行政处罚案件", c.lead_received_on.isoformat(), c.number, f"{c.get_status_display()} {c.summary}"]
        for c in ctx["cases"]
    ]
    rows += [
        ["监督检查", i.inspected_on.isoformat(), i.get_result_display(), i.checklist]
        for i in ctx["inspections"]
    ]
    rows += [
        ["整改", r.ordered_on.isoformat(), r.get_status_display(), f"期限 {r.due}"]
        for r in ctx["rectifications"]
    ]
    rows += [
        [
            "监督抽检",
            x.sampled_on.isoformat() if x.sampled_on else "",
            x.get_conclusion_display(),
            x.food_name,
        ]
        for x in ctx["samples"]
    ]
    rows += [
        [
            "严重违法失信名单",
            (lst.listed_on or lst.proposed_on).isoformat(),
            lst.get_status_display(),
            lst.note,
        ]
        for lst in ctx["listings"]
    ]
    content = table_xlsx(
        title=f"食品安全信用档案：{b.name}",
        headers=("类别", "日期", "事项", "说明"),
        rows=rows,
        sheet="信用档案",
    )
    services.export_record(
        by=_actor(request),
        source=WEB,
        what=f"信用档案导出：{b.name}",
        rows=len(rows),
        filters={"business": str(b.pk)},
        region=b.region_id,
    )
    return xlsx_response(content, f"信用档案_{b.pk}_{ctx['today']:%Y%m%d}.xlsx")
