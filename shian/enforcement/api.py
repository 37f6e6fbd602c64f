"""Enforcement cases and credit under /api/v1/enforcement/: the same services and selectors as the
pages. A refused input answers 422 with the field named (shian.api's ValidationError handler)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from shian.core.concurrency import row_version, versioned_operation
from shian.core.lists import MAX_OFFSET
from shian.core.models import AuditSource, User
from shian.core.permissions import EnforcementCap, require_cap
from shian.core.scoping import regions_for, scope_for
from shian.registry.selectors import (
    business_events_for_user,
    business_get_for_user,
    business_queryset_for_user,
)

from . import exports, rules, selectors, services
from .editing import case_for_edit
from .models import Case, CreditFiling

router = Router(tags=["enforcement"])
API = AuditSource.API


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 — guaranteed by the API's auth
    return request.user


class ClockOut(Schema):
    code: str
    name: str
    start: dt.date
    due: dt.date
    alert: str
    running: bool
    source: str
    verification: str


class TestOut(Schema):
    code: str
    met: bool
    text: str
    source: str


class CaseOut(Schema):
    id: int
    number: str
    status: str
    region: str
    business_id: int | None
    party_kind: str
    party_name: str
    source_kind: str
    source_type: str
    source_id: str
    summary: str
    lead_received_on: dt.date
    filed_on: dt.date | None
    decided_on: dt.date | None
    closed_on: dt.date | None
    basis_code: str
    basis_article: str
    campaigns: list[str]
    penalty_kinds: list[str]
    fine_amount: Decimal | None
    band: str
    decision_number: str


class CaseDetailOut(CaseOut):
    version: str = ""  # send it back with an edit: a record changed since is a 409 (core.concurrency)
    clocks: list[ClockOut]
    aggravation: list[TestOut]
    criminal: list[TestOut]
    third_penalty: TestOut


def _case_out(c: Case) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "status": c.status,
        "region": c.region_id,
        "business_id": c.business_id,
        "party_kind": c.party_kind,
        "party_name": c.party_name,
        "source_kind": c.source_kind,
        "source_type": c.source_type,
        "source_id": c.source_id,
        "summary": c.summary,
        "lead_received_on": c.lead_received_on,
        "filed_on": c.filed_on,
        "decided_on": c.decided_on,
        "closed_on": c.closed_on,
        "basis_code": c.basis_code,
        "basis_article": c.basis_article,
        "campaigns": sorted(x.campaign for x in c.campaigns.all()),
        "penalty_kinds": list(c.penalty_kinds),
        "fine_amount": c.fine_amount,
        "band": c.band,
        "decision_number": c.decision_number,
    }


def _test(t: rules.Test) -> dict[str, Any]:
    return {"code": t.code, "met": t.met, "text": t.text, "source": t.source}


def _detail(c: Case) -> dict[str, Any]:
    today = timezone.localdate()
    on = c.decided_on or today
    third = selectors.case_third_penalty(c, on=on)
    return {
        **_case_out(c),
        "version": row_version(c),
        "clocks": [vars(x) for x in selectors.case_clocks(c, today=today)],
        "aggravation": [_test(t) for t in selectors.case_aggravation(c, on=on)],
        "criminal": [_test(t) for t in selectors.case_criminal(c, on=on)],
        "third_penalty": {"code": "134", "met": third.met, "text": third.text, "source": third.source},
    }


class CaseFilters(Schema):
    status: str = Field("", max_length=20)
    campaign: str = Field("", max_length=20)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


@router.get("/cases", response=list[CaseOut], summary="Cases in the user's scope")
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    require_cap(request.user, EnforcementCap.VIEW)
    qs = (
        selectors.cases_for_user(request.user)
        .prefetch_related("campaigns")
        .order_by("-lead_received_on", "-id")
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.campaign:
        qs = qs.filter(campaigns__campaign=filters.campaign)
    return [_case_out(c) for c in qs[filters.offset : filters.offset + filters.limit]]


class CaseIn(Schema):
    source_kind: str = Field(max_length=20)
    summary: str = Field(max_length=300)
    lead_received_on: dt.date
    business_id: int | None = Field(None, ge=1, le=2**62)
    region: str = ""
    party_kind: str = "business"
    party_name: str = ""
    party_id_number: str = ""
    responsible_person: str = ""
    source_type: str = ""
    source_id: str = ""
    campaigns: list[str] = []
    basis_code: str = ""


@router.post("/cases", response={201: CaseDetailOut}, summary="Open a case at the lead stage")
def case_open(request: HttpRequest, payload: CaseIn) -> Any:
    require_cap(request.user, EnforcementCap.HANDLE)
    business = None
    if payload.business_id is not None:
        business = business_queryset_for_user(user=request.user).filter(pk=payload.business_id).first()
        if business is None:
            raise Http404
    region = None
    if business is None and payload.region:
        region = regions_for(request.user).filter(pk=payload.region).first()
        if region is None:
            raise Http404
    case = services.case_open(
        by=_actor(request),
        source=API,
        source_kind=payload.source_kind,
        summary=payload.summary,
        lead_received_on=payload.lead_received_on,
        business=business,
        region=region,
        party_kind=payload.party_kind,
        party_name=payload.party_name,
        party_id_number=payload.party_id_number,
        responsible_person=payload.responsible_person,
        source_type=payload.source_type[:40],
        source_id=payload.source_id[:40],
        campaigns=payload.campaigns,
        basis_code=payload.basis_code,
    )
    return Status(201, _detail(case))


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="A case with its clocks and tests")
def case_get(request: HttpRequest, case_id: int) -> Any:
    require_cap(request.user, EnforcementCap.VIEW)
    return _detail(selectors.case_get_for_user(user=request.user, pk=case_id))


class TransitionIn(Schema):
    to: str
    on: dt.date
    note: str = ""
    hearing_on: dt.date | None = None
    police_unit: str = ""
    documents: str = ""


@router.post("/cases/{case_id}/transition", response=CaseDetailOut, summary="Move a case to its next status")
@versioned_operation
def case_transition(request: HttpRequest, case_id: int, payload: TransitionIn) -> Any:
    case = case_for_edit(request, case_id)
    services.case_transition(
        by=_actor(request),
        source=API,
        case=case,
        to=payload.to,
        on=payload.on,
        note=payload.note,
        hearing_on=payload.hearing_on,
        police_unit=payload.police_unit,
        documents=payload.documents,
    )
    return _detail(case)


class FactsIn(Schema):
    facts: dict[str, Any] = {}
    basis_code: str | None = None
    listing_triggers: list[str] | None = None
    campaigns: list[str] | None = None


@router.post("/cases/{case_id}/facts", response=CaseDetailOut, summary="Record the facts and legal basis")
@versioned_operation
def case_facts(request: HttpRequest, case_id: int, payload: FactsIn) -> Any:
    case = case_for_edit(request, case_id)
    services.case_facts_record(
        by=_actor(request),
        source=API,
        case=case,
        facts=payload.facts,
        basis_code=payload.basis_code,
        listing_triggers=payload.listing_triggers,
        campaigns=payload.campaigns,
    )
    return _detail(case)


class DecisionIn(Schema):
    on: dt.date
    decision_number: str
    kinds: list[str]
    fine_amount: str = ""
    band: str = ""
    confiscated_amount: str = ""
    restriction_months: int = 0
    collective_discussion_on: dt.date | None = None
    decision_text: str = ""
    prison_sentence: bool = False


@router.post("/cases/{case_id}/decision", response=CaseDetailOut, summary="Record the penalty decision")
@versioned_operation
def case_decide(request: HttpRequest, case_id: int, payload: DecisionIn) -> Any:
    case = case_for_edit(request, case_id)
    services.case_decide(
        by=_actor(request),
        source=API,
        case=case,
        on=payload.on,
        decision_number=payload.decision_number,
        kinds=payload.kinds,
        fine_amount=payload.fine_amount,
        band=payload.band,
        confiscated_amount=payload.confiscated_amount,
        restriction_months=payload.restriction_months,
        collective_discussion_on=payload.collective_discussion_on,
        decision_text=payload.decision_text,
        prison_sentence=payload.prison_sentence,
    )
    return _detail(case)


class CreditOut(Schema):
    business_id: int
    name: str
    credit_class: str
    class_name: str
    points: int
    reasons: list[str]
    source: str
    events: list[dict[str, Any]]
    cases: list[CaseOut]


@router.get(
    "/credit/{business_id}", response=CreditOut, summary="A business's credit file and credit-risk class"
)
def credit_file(request: HttpRequest, business_id: int) -> Any:
    require_cap(request.user, EnforcementCap.VIEW)
    business = business_get_for_user(user=request.user, pk=business_id)
    today = timezone.localdate()
    cls = selectors.credit_classes([business.pk], on=today)[business.pk]
    events = business_events_for_user(user=request.user, business=business)
    cases = selectors.cases_for_user(request.user).filter(business=business).prefetch_related("campaigns")
    return {
        "business_id": business.pk,
        "name": business.name,
        "credit_class": cls.code,
        "class_name": rules.CLASS_NAMES[cls.code],
        "points": cls.points,
        "reasons": list(cls.reasons),
        "source": cls.source,
        "events": [
            {
                "on": e.occurred_on.isoformat(),
                "kind": e.kind,
                "note": e.note,
                "voided": e.voided_at is not None,
            }
            for e in events
        ],
        "cases": [_case_out(c) for c in cases],
    }


class BanOut(Schema):
    person_name: str
    decided_on: dt.date
    until: dt.date | None
    lifetime: bool
    case_id: int


@router.get(
    "/bans", response=list[BanOut], summary="Bans in force for a person named in a licence application"
)
def ban_check(request: HttpRequest, name: str = "", id_number: str = "") -> Any:
    require_cap(request.user, EnforcementCap.VIEW)
    if not name.strip() and not id_number.strip():
        return []
    bans = selectors.bans_matching(name=name[:50], id_number=id_number[:30], on=timezone.localdate())
    return [
        {
            "person_name": b.person_name,
            "decided_on": b.decided_on,
            "until": b.until,
            "lifetime": b.lifetime,
            "case_id": b.case_id,
        }
        for b in bans
    ]


@router.get(
    "/filings",
    summary="Credit information filed to the national credit system: penalties, unqualified sampling results, disposals",
)
def filings(request: HttpRequest) -> Any:
    require_cap(request.user, EnforcementCap.VIEW)
    qs = (
        scope_for(request.user)
        .apply(CreditFiling.objects.all(), region_field="region", type_field="business__business_type")
        .order_by("filed_on", "id")[:50000]
    )
    return {"layout": exports.FILING_LAYOUT, "records": exports.filing_records(qs)}
