"""The only code that writes cases, measures, transfers, publications, listings, bans, typical
cases and credit filings. Each function checks the actor's capability and scope, validates its
input with located Chinese messages (nothing is written when one fails), and records its audit
entry in the same transaction. Status changes go through the transition table in workflow.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.audit import AuditEvent, audit_record, diff, model_event, snapshot
from shian.core.calendar import WorkingCalendar
from shian.core.models import AuditAction, Region, User
from shian.core.permissions import EnforcementCap, require_cap
from shian.core.scoping import require_in_scope
from shian.registry.models import Business, BusinessEventKind
from shian.registry.services import business_event_append
from shian.sampling.models import DisposalStatus, DisposalStepKind, DisposalTask, Sample, Verdict
from shian.sampling.workflow import SampleStatus

from . import evidence_files, rules
from .models import (
    Ban,
    Band,
    Campaign,
    Case,
    CaseCampaign,
    CaseSource,
    CaseStep,
    CreditFiling,
    CreditKind,
    Evidence,
    Listing,
    ListingStatus,
    Measure,
    MeasureKind,
    PartyKind,
    PenaltyKind,
    PoliceAnswer,
    Publication,
    PublicationStatus,
    Transfer,
    TypicalCase,
)
from .workflow import TERM_RUNNING, CaseStatus, can_transition

S = CaseStatus
ORIGIN = "enforcement.case"
FACT_FIELDS = {
    "goods_value": "decimal",
    "sales_amount": "decimal",
    "illegal_income": "decimal",
    "violation_started": "date",
    "violation_ended": "date",
    "ill_persons": "int",
    "deaths": "int",
    "serious_poisoning_persons": "int",
    "false_information": "bool",
    "refused_inspection": "bool",
    "prior_criminal": "bool",
    "toxic_non_food": "bool",
    "serious_excess": "bool",
    "sick_meat": "bool",
    "special_food": "bool",
    "near_minors_or_elderly": "bool",
    "large_quantity": "bool",
}


def _today() -> dt.date:
    return timezone.localdate()


def _label(status: str) -> str:
    return str(S(status).label)


def _edition(on: dt.date, field: str) -> rules.Edition:
    try:
        return rules.edition_in_force(on)
    except rules.NoEditionInForce as exc:
        raise ValidationError({field: str(exc)}) from None


def clock_due(case_edition_date: dt.date, code: str, start: dt.date, *, extensions: int = 0) -> dt.date:
    """A clock's due date through the one working-day calendar (core.calendar)."""
    edition = rules.edition_in_force(case_edition_date)
    cal = WorkingCalendar()
    return rules.clock_due(
        edition.clock(code),
        start,
        add_working_days=lambda d, n: cal.deadline(d, n).due,
        is_workday=cal.is_workday,
        extensions=extensions,
    )


def _check_case(by: User, case: Case) -> None:
    require_cap(by, EnforcementCap.HANDLE)
    require_in_scope(
        by, region=case.region_id, business_type=case.business.business_type if case.business else None
    )


def _check_date(case: Case, on: dt.date, field: str = "on") -> None:
    if on < case.lead_received_on:
        raise ValidationError(
            {
                field: _("日期 %(on)s 早于本案发现线索日期 %(lead_received_on)s")
                % {"on": on, "lead_received_on": case.lead_received_on}
            }
        )
    if on > _today():
        raise ValidationError({field: _("日期 %(on)s 晚于今天，不能预先登记") % {"on": on}})
    last = case.steps.order_by("-on", "-id").values_list("on", flat=True).first()
    if last is not None and on < last:
        raise ValidationError(
            {field: _("日期 %(on)s 早于上一环节的日期 %(last)s") % {"on": on, "last": last}}
        )


def _next_number(year: int) -> str:
    """The next case number of the year (北辰市监案〔2022〕N号); a concurrent open that took it is
    retried by case_open."""
    prefix = f"北辰市监案〔{year}〕"
    taken = Case.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1}号"


def _record_step(case: Case, *, by: User | None, old: str, on: dt.date, note: str) -> None:
    CaseStep.objects.create(case=case, from_status=old, to_status=case.status, on=on, note=note[:300], by=by)


def _audit_change(by: User | None, source: str, obj: Any, before: dict[str, Any], region: str) -> None:
    after = snapshot(obj)
    b, a = diff(before, after)
    audit_record(
        actor=by, source=source, event=model_event(AuditAction.UPDATE, obj, before=b, after=a, region=region)
    )


# -- opening a case -----------------------------------------------------------------------------


def case_open(
    *,
    by: User,
    source: str,
    source_kind: str,
    summary: str,
    lead_received_on: dt.date,
    business: Business | None = None,
    region: Region | None = None,
    party_kind: str = PartyKind.BUSINESS,
    party_name: str = "",
    party_id_number: str = "",
    party_address: str = "",
    responsible_person: str = "",
    source_type: str = "",
    source_id: str = "",
    campaigns: Iterable[str] = (),
    basis_code: str = "",
) -> Case:
    """Open a case at the lead stage (线索). Its filing clock starts on `lead_received_on`."""
    require_cap(by, EnforcementCap.HANDLE)
    errors: dict[str, str] = {}
    if source_kind not in CaseSource.values:
        errors["source_kind"] = "请选择案件来源"
    if party_kind not in PartyKind.values:
        errors["party_kind"] = "请选择当事人类型"
    if party_kind == PartyKind.BUSINESS and business is None:
        errors["business"] = "在册主体的案件须选择当事人"
    if business is not None:
        region = business.region
        party_name = party_name.strip() or business.name
        responsible_person = responsible_person.strip() or business.legal_representative
    if region is None:
        errors["region"] = "请选择案件所在镇街"
    if not party_name.strip():
        errors["party_name"] = "请填写当事人名称或姓名"
    if not summary.strip():
        errors["summary"] = "请填写案由"
    if lead_received_on > _today():
        errors["lead_received_on"] = f"发现线索日期 {lead_received_on} 晚于今天"
    bad = [c for c in campaigns if c not in Campaign.values]
    if bad:
        errors["campaigns"] = f"未知的专项行动：{'、'.join(bad)}"
    edition = None
    try:
        edition = rules.edition_in_force(lead_received_on)
    except rules.NoEditionInForce as exc:
        errors["lead_received_on"] = str(exc)
    if basis_code and edition is not None and basis_code not in edition.bases:
        errors["basis_code"] = f"法律依据 {basis_code} 不在规则中"
    if errors:
        raise ValidationError(errors)
    assert region is not None and edition is not None  # noqa: S101 — errors raised above otherwise
    require_in_scope(by, region=region.code, business_type=business.business_type if business else None)
    with transaction.atomic():
        case = Case(
            number=_next_number(lead_received_on.year),
            region=region,
            business=business,
            party_kind=party_kind,
            party_name=party_name.strip()[:200],
            party_id_number=party_id_number.strip()[:30],
            party_address=party_address.strip()[:200],
            responsible_person=responsible_person.strip()[:50],
            source_kind=source_kind,
            source_type=source_type,
            source_id=str(source_id),
            summary=summary.strip()[:300],
            edition=edition.id,
            lead_received_on=lead_received_on,
            basis_code=basis_code,
            basis_article=edition.bases[basis_code].article if basis_code else "",
            opened_by=by,
        )
        # Field checks only: the service checked what the named constraints hold, and the database
        # enforces them (validating them here costs ~50 ms a call).
        case.full_clean(exclude=["number"], validate_constraints=False)
        for attempt in range(5):
            try:
                with transaction.atomic():  # a savepoint: a number taken meanwhile by another officer
                    case.save()
                break
            except IntegrityError:
                if attempt == 4 or Case.objects.filter(number=case.number).count() == 0:
                    raise
                case.number = _next_number(lead_received_on.year)
        CaseCampaign.objects.bulk_create(
            [CaseCampaign(case=case, campaign=c) for c in dict.fromkeys(campaigns)]
        )
        _record_step(case, by=by, old="", on=lead_received_on, note="登记线索")
        audit_record(
            actor=by,
            source=source,
            event=model_event(AuditAction.CREATE, case, after=snapshot(case), region=region.code),
        )
    return case


def case_facts_record(
    *,
    by: User,
    source: str,
    case: Case,
    facts: Mapping[str, Any],
    basis_code: str | None = None,
    listing_triggers: Sequence[str] | None = None,
    campaigns: Sequence[str] | None = None,
) -> Case:
    """Record what the investigation established (the facts the 情节严重 and criminal tests read),
    the legal basis and the serious-dishonesty triggers. Unknown or malformed facts are refused."""
    _check_case(by, case)
    if case.status in (S.CLOSED, S.NOT_FILED, S.DECIDED, S.EXECUTION):
        raise ValidationError(
            {"status": _("案件已%(value)s，不能再修改认定事实") % {"value": _label(case.status)}}
        )
    clean = _clean_facts(facts, case)
    edition = rules.edition_in_force(case.lead_received_on)
    errors: dict[str, str] = {}
    if basis_code and basis_code not in edition.bases:
        errors["basis_code"] = f"法律依据 {basis_code} 不在规则 {edition.id} 中"
    known = {t["code"] for t in edition.listing["trigger"]}
    if listing_triggers is not None and (bad := [t for t in listing_triggers if t not in known]):
        errors["listing_triggers"] = f"未知的严重违法失信情形：{'、'.join(bad)}"
    if campaigns is not None and (badc := [c for c in campaigns if c not in Campaign.values]):
        errors["campaigns"] = f"未知的专项行动：{'、'.join(badc)}"
    if errors:
        raise ValidationError(errors)
    before = snapshot(case)
    with transaction.atomic():
        case.facts = {**case.facts, **clean}
        if basis_code:
            case.basis_code = basis_code
            case.basis_article = edition.bases[basis_code].article
        if listing_triggers is not None:
            case.listing_triggers = list(dict.fromkeys(listing_triggers))
        case.save()
        if campaigns is not None:
            CaseCampaign.objects.filter(case=case).exclude(campaign__in=campaigns).delete()
            have = set(CaseCampaign.objects.filter(case=case).values_list("campaign", flat=True))
            CaseCampaign.objects.bulk_create(
                [CaseCampaign(case=case, campaign=c) for c in campaigns if c not in have]
            )
        _audit_change(by, source, case, before, case.region_id)
    return case


def _clean_facts(facts: Mapping[str, Any], case: Case) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for key, raw in facts.items():
        kind = FACT_FIELDS.get(key)
        if kind is None:
            errors[key] = f"未知的事实项 {key}"
            continue
        if raw in (None, ""):
            out[key] = None
            continue
        try:
            if kind == "decimal":
                value = Decimal(str(raw))
                if value < 0 or not value.is_finite():
                    raise InvalidOperation
                out[key] = str(value)
            elif kind == "int":
                n = int(raw)
                if n < 0 or n > 1_000_000:
                    raise ValueError
                out[key] = n
            elif kind == "bool":
                out[key] = raw in (True, "1", "true", "on", 1)
            else:
                day = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
                if day > _today():
                    errors[key] = f"日期 {day} 晚于今天"
                    continue
                out[key] = day.isoformat()
        except (InvalidOperation, ValueError, TypeError):
            errors[key] = (
                f"“{raw}”不是有效的{ {'decimal': '金额', 'int': '人数', 'date': '日期', 'bool': '是否'}[kind] }"
            )
    start, end = (
        out.get("violation_started") or case.facts.get("violation_started"),
        out.get("violation_ended") or case.facts.get("violation_ended"),
    )
    if start and end and end < start:
        errors["violation_ended"] = f"违法行为结束日期 {end} 早于开始日期 {start}"
    if errors:
        raise ValidationError(errors)
    return out


def case_facts(case: Case, prior: Sequence[tuple[dt.date, str]] = ()) -> rules.CaseFacts:
    """The stored facts as the rules read them."""
    f = case.facts

    def dec(k: str) -> Decimal | None:
        return Decimal(f[k]) if f.get(k) not in (None, "") else None

    def day(k: str) -> dt.date | None:
        return dt.date.fromisoformat(f[k]) if f.get(k) else None

    return rules.CaseFacts(
        goods_value=dec("goods_value"),
        violation_started=day("violation_started"),
        violation_ended=day("violation_ended"),
        ill_persons=int(f.get("ill_persons") or 0),
        deaths=int(f.get("deaths") or 0),
        false_information=bool(f.get("false_information")),
        refused_inspection=bool(f.get("refused_inspection")),
        prior_penalties=tuple(prior),
        prior_criminal=bool(f.get("prior_criminal")),
        basis_code=case.basis_code,
        sales_amount=dec("sales_amount"),
        illegal_income=dec("illegal_income"),
        toxic_non_food=bool(f.get("toxic_non_food")),
        serious_excess=bool(f.get("serious_excess")),
        sick_meat=bool(f.get("sick_meat")),
        special_food=bool(f.get("special_food")),
        near_minors_or_elderly=bool(f.get("near_minors_or_elderly")),
        large_quantity=bool(f.get("large_quantity")),
        serious_poisoning_persons=int(f.get("serious_poisoning_persons") or 0),
    )


def prior_penalties(case: Case) -> list[tuple[dt.date, str]]:
    """Earlier decisions against the same party (by business, else by name): (date, basis)."""
    qs = Case.objects.filter(decided_on__isnull=False).exclude(pk=case.pk)
    qs = qs.filter(business=case.business) if case.business_id else qs.filter(party_name=case.party_name)
    return [(d, b) for d, b in qs.values_list("decided_on", "basis_code") if d is not None]


# -- status changes -----------------------------------------------------------------------------


def case_transition(
    *,
    by: User,
    source: str,
    case: Case,
    to: str,
    on: dt.date,
    note: str = "",
    hearing_on: dt.date | None = None,
    police_unit: str = "",
    documents: str = "",
) -> Case:
    """Move a case along the transition table (every status but 决定, which case_decide sets)."""
    _check_case(by, case)
    if to == S.DECIDED:
        raise ValidationError({"to": _("作出处罚决定请填写决定书（处罚种类、金额、法律依据）")})
    if to not in S.values or not can_transition(case.status, to):
        target = _label(to) if to in S.values else to
        raise ValidationError(
            {
                "to": _("案件处于“%(value)s”，不能转为“%(target)s”")
                % {"value": _label(case.status), "target": target}
            }
        )
    _check_date(case, on)
    note = note.strip()
    errors: dict[str, str] = {}
    if to in (S.NOT_FILED, S.DISMISSED) and not note:
        errors["note"] = "请写明不予立案或不予处罚的理由"
    if to in (S.FILED, S.NOTICE) and not case.basis_code:
        errors["basis_code"] = "请先确定法律依据（认定事实一栏）"
    if to == S.HEARING:
        if hearing_on is None:
            errors["hearing_on"] = "请填写听证日期"
        else:
            earliest = clock_due(case.lead_received_on, "hearing_notice", on)
            if hearing_on < earliest:
                errors["hearing_on"] = (
                    f"听证应在通知后七个工作日以后举行，最早 {earliest}（行政处罚法第六十四条）"
                )
    last_transfer = case.transfers.order_by("-transferred_on", "-id").first()
    if to == S.TRANSFERRED and (not police_unit.strip() or not documents.strip()):
        errors["police_unit"] = "请填写接收的公安机关和移送材料"
    if case.status == S.TRANSFERRED and last_transfer is not None:
        if to == S.CLOSED and last_transfer.answer != PoliceAnswer.ACCEPTED:
            errors["to"] = "公安机关尚未立案，不能结案"
        if to == S.INVESTIGATION and last_transfer.answer not in (
            PoliceAnswer.DECLINED,
            PoliceAnswer.RETURNED,
        ):
            errors["to"] = "公安机关尚未答复不予立案或退回，不能恢复调查"
    if errors:
        raise ValidationError(errors)
    before = snapshot(case)
    old = case.status
    with transaction.atomic():
        case.status = to
        if to == S.FILED:
            case.filed_on = on
        elif to == S.NOTICE:
            case.notice_served_on = on
        elif to == S.HEARING:
            case.hearing_notified_on = on
            case.hearing_on = hearing_on
        elif to == S.EXECUTION:
            case.decision_served_on = on
        elif to in (S.CLOSED, S.NOT_FILED):
            case.closed_on = on
        # Field checks only: the database enforces the named constraints (and they cost ~50 ms here).
        case.full_clean(validate_constraints=False)
        case.save()
        if to == S.TRANSFERRED:
            edition = rules.edition_in_force(case.lead_received_on)
            met = [
                t.code
                for t in rules.criminal_tests(case_facts(case, prior_penalties(case)), on=on, edition=edition)
                if t.met
            ]
            transfer = Transfer.objects.create(
                case=case,
                region_id=case.region_id,
                transferred_on=on,
                police_unit=police_unit.strip()[:100],
                documents=documents.strip(),
                tests_met=met,
            )
            audit_record(
                actor=by,
                source=source,
                event=model_event(
                    AuditAction.CREATE, transfer, after=snapshot(transfer), region=case.region_id
                ),
            )
        _record_step(case, by=by, old=old, on=on, note=note)
        _audit_change(by, source, case, before, case.region_id)
    return case


def case_extend(
    *,
    by: User,
    source: str,
    case: Case,
    clock: str,
    on: dt.date,
    reason: str,
    extended_to: dt.date | None = None,
) -> Case:
    """Extend the filing clock (once, 15 working days) or the case term (once by the head, 30 days;
    beyond that only to a date the heads set in collective discussion)."""
    _check_case(by, case)
    _check_date(case, on)
    if not reason.strip():
        raise ValidationError({"reason": _("请写明延长理由和批准人")})
    before = snapshot(case)
    if clock == "filing_decision":
        if case.status != S.LEAD:
            raise ValidationError({"clock": _("只有线索核查阶段可以延长立案期限")})
        if case.filing_extensions >= 1:
            raise ValidationError({"clock": _("立案期限只能延长一次（十五个工作日）")})
        case.filing_extensions += 1
    elif clock == "case_term":
        if case.status not in TERM_RUNNING:
            raise ValidationError({"clock": _("办案期限只在立案至作出决定之间延长")})
        if case.term_extensions >= 1:
            if extended_to is None or extended_to <= on:
                raise ValidationError({"extended_to": _("再次延长须经集体讨论，并填写延长至的日期")})
            case.term_extended_to = extended_to
        else:
            case.term_extensions += 1
    else:
        raise ValidationError({"clock": _("期限 %(clock)s 不能延长") % {"clock": clock}})
    with transaction.atomic():
        case.save()
        CaseStep.objects.create(
            case=case,
            from_status=case.status,
            to_status=case.status,
            on=on,
            note=f"延长期限：{reason.strip()}"[:300],
            by=by,
        )
        _audit_change(by, source, case, before, case.region_id)
    return case


def _parse_amount(raw: Any, field: str) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise ValidationError({field: _("“%(raw)s”不是有效的金额") % {"raw": raw}}) from None
    if not value.is_finite() or value <= 0 or value >= Decimal("1e12"):
        raise ValidationError({field: _("金额 %(raw)s 应大于零") % {"raw": raw}})
    return value.quantize(Decimal("0.01"))


def case_decide(
    *,
    by: User,
    source: str,
    case: Case,
    on: dt.date,
    decision_number: str,
    kinds: Sequence[str],
    fine_amount: Any = None,
    band: str = "",
    confiscated_amount: Any = None,
    restriction_months: int = 0,
    collective_discussion_on: dt.date | None = None,
    decision_text: str = "",
    prison_sentence: bool = False,
) -> Case:
    """The penalty decision (处罚决定). Refused, with the field named, when the legal basis is
    missing, the fine is outside its basis's range or band, a 重大 decision lacks its collective
    discussion, or the party's statement period has not run out. On success: the business-event
    ledger gets the penalty (and the revocation), the publication is scheduled (45号令), bans are
    recorded (法第一百三十五条) and a listing proposed when its triggers hold (44号令)."""
    _check_case(by, case)
    if not can_transition(case.status, S.DECIDED):
        raise ValidationError(
            {"to": _("案件处于“%(value)s”，须先告知当事人才能作出决定") % {"value": _label(case.status)}}
        )
    _check_date(case, on)
    edition = rules.edition_in_force(case.lead_received_on)
    kinds_set = frozenset(kinds)
    errors: dict[str, str] = {}
    if not case.basis_code:
        errors["basis_code"] = "处罚决定缺少法律依据"
    if not kinds_set:
        errors["kinds"] = "请选择处罚种类"
    elif bad := sorted(kinds_set - set(PenaltyKind.values)):
        errors["kinds"] = f"未知的处罚种类：{'、'.join(bad)}"
    if not decision_number.strip():
        errors["decision_number"] = "请填写处罚决定书文号"
    amount = None
    try:
        amount = _parse_amount(fine_amount, "fine_amount")
        confiscated = _parse_amount(confiscated_amount, "confiscated_amount")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        confiscated = None
    if PenaltyKind.FINE in kinds_set:
        if amount is None:
            errors.setdefault("fine_amount", "处以罚款须填写罚款金额")
        elif band not in Band.values:
            errors["band"] = "请选择裁量档次"
        elif case.basis_code in edition.bases:
            goods = case_facts(case).goods_value
            problem = rules.fine_problem(edition.bases[case.basis_code], goods, amount, band)
            if problem:
                errors["fine_amount"] = problem
    elif amount is not None:
        errors["fine_amount"] = "未选择罚款，不应填写罚款金额"
    if PenaltyKind.CONFISCATION in kinds_set and confiscated is None:
        errors.setdefault("confiscated_amount", "没收须填写没收金额")
    if rules.needs_collective_discussion(kinds=kinds_set, band=band, edition=edition):
        if collective_discussion_on is None:
            errors["collective_discussion_on"] = (
                f"该决定须经负责人集体讨论（{edition.decision['collective_source']}），请填写集体讨论日期"
            )
        elif case.filed_on and not case.filed_on <= collective_discussion_on <= on:
            errors["collective_discussion_on"] = "集体讨论日期应在立案之后、决定之前"
    if case.status == S.NOTICE and case.notice_served_on:
        earliest = clock_due(case.lead_received_on, "hearing_request", case.notice_served_on)
        if on <= earliest:
            errors["on"] = (
                f"陈述申辩和要求听证的期限至 {earliest} 届满，届满后方可作出决定（{edition.decision['statement_source']}）"
            )
    if case.status == S.HEARING and case.hearing_on and on < case.hearing_on:
        errors["on"] = f"听证定于 {case.hearing_on}，决定不能早于听证"
    if not 0 <= int(restriction_months) <= 1200:
        errors["restriction_months"] = "限制期限应在 0–1200 个月之间"
    if errors:
        raise ValidationError(errors)
    before = snapshot(case)
    old = case.status
    with transaction.atomic():
        case.status = S.DECIDED
        case.decided_on = on
        case.decision_number = decision_number.strip()[:60]
        case.penalty_kinds = sorted(kinds_set)
        case.fine_amount = amount
        case.band = band if PenaltyKind.FINE in kinds_set else ""
        case.confiscated_amount = confiscated
        case.restriction_months = int(restriction_months)
        case.collective_discussion_on = collective_discussion_on
        case.decision_text = decision_text.strip()
        # Field checks only: the database enforces the named constraints (and they cost ~50 ms here).
        case.full_clean(validate_constraints=False)
        case.save()
        _record_step(case, by=by, old=old, on=on, note=f"处罚决定 {case.decision_number}")
        _audit_change(by, source, case, before, case.region_id)
        _decision_effects(by=by, source=source, case=case, edition=edition, prison_sentence=prison_sentence)
    return case


def _decision_effects(
    *, by: User, source: str, case: Case, edition: rules.Edition, prison_sentence: bool
) -> None:
    kinds = frozenset(case.penalty_kinds)
    on = case.decided_on
    assert on is not None  # noqa: S101 — set by case_decide just before
    if case.business_id:
        business_event_append(
            actor=by,
            source=source,
            business=case.business,  # type: ignore[arg-type]  # business_id set
            kind=BusinessEventKind.PENALTY_DECISION,
            occurred_on=on,
            origin_type=ORIGIN,
            origin_id=str(case.pk),
            note=f"{case.decision_number} {case.basis_article}"[:200],
        )
        if PenaltyKind.LICENCE_REVOCATION in kinds:
            business_event_append(
                actor=by,
                source=source,
                business=case.business,  # type: ignore[arg-type]
                kind=BusinessEventKind.LICENCE_REVOKED,
                occurred_on=on,
                origin_type=ORIGIN,
                origin_id=str(case.pk),
                note=case.decision_number[:200],
            )
    term = rules.publication_term(
        kinds=kinds,
        fine=case.fine_amount,
        published_on=on,
        restriction_months=case.restriction_months,
        edition=edition,
    )
    if term.published:
        publication = Publication.objects.create(
            case=case,
            region_id=case.region_id,
            due_on=clock_due(case.lead_received_on, "publication", on),
            light=term.light,
            summary=publication_summary(case),
        )
        audit_record(
            actor=by,
            source=source,
            event=model_event(
                AuditAction.CREATE, publication, after=snapshot(publication), region=case.region_id
            ),
        )
    if kinds & {PenaltyKind.LICENCE_REVOCATION, PenaltyKind.BAN} and case.responsible_person:
        until = rules.ban_until(decided_on=on, prison_sentence=prison_sentence, edition=edition)
        ban = Ban.objects.create(
            case=case,
            region_id=case.region_id,
            person_name=case.responsible_person,
            id_number=case.party_id_number if case.party_kind == PartyKind.PERSON else "",
            decided_on=on,
            until=until,
            lifetime=until is None,
        )
        audit_record(
            actor=by,
            source=source,
            event=model_event(AuditAction.CREATE, ban, after=snapshot(ban), region=case.region_id),
        )
    proposal = rules.listing_proposal(
        triggers=case.listing_triggers, kinds=kinds, band=case.band, edition=edition
    )
    if proposal.proposed and case.business_id:
        listing = Listing.objects.create(
            case=case,
            business_id=case.business_id,
            region_id=case.region_id,
            triggers=list(proposal.triggers),
            proposed_on=on,
            note=proposal.text[:300],
        )
        audit_record(
            actor=by,
            source=source,
            event=model_event(AuditAction.CREATE, listing, after=snapshot(listing), region=case.region_id),
        )


def publication_summary(case: Case) -> dict[str, str]:
    """The 行政处罚信息摘要 (45号令第四条) with a natural person's name and number masked (第六条)."""
    person = case.party_kind == PartyKind.PERSON
    kinds = "、".join(str(PenaltyKind(k).label) for k in case.penalty_kinds)
    if case.fine_amount:
        kinds += f"；罚款 {case.fine_amount} 元"
    return {
        "decision_number": case.decision_number,
        "party": rules.mask_person_name(case.party_name) if person else case.party_name,
        "credit_code": (case.business.credit_code or "") if case.business_id else "",  # type: ignore[union-attr]
        "id_number": rules.mask_id_number(case.party_id_number) if person else "",
        "legal_representative": rules.mask_person_name(case.responsible_person)
        if case.responsible_person
        else "",
        "violation": case.summary,
        "basis": case.basis_article,
        "penalty": kinds,
        "authority": "天津市北辰区市场监督管理局",
        "decided_on": case.decided_on.isoformat() if case.decided_on else "",
    }


# -- evidence, measures, transfers ---------------------------------------------------------------


def evidence_add(
    *,
    by: User,
    source: str,
    case: Case,
    title: str,
    kind: str,
    collected_on: dt.date,
    reference: str = "",
    file: tuple[str, bytes] | None = None,
) -> Evidence:
    """Record a piece of evidence, with its file when one is given (a photo, PDF, Word or Excel
    file: enforcement.evidence_files judges it by content against the settings' kinds and size).
    A refused file leaves nothing: no row, no stored file, no audit entry."""
    _check_case(by, case)
    if case.status in (S.CLOSED, S.NOT_FILED):
        raise ValidationError({"status": _("案件已结，不能再添加证据")})
    if not title.strip() or not kind.strip():
        raise ValidationError({"title": _("请填写证据名称和种类")})
    if collected_on < case.lead_received_on or collected_on > _today():
        raise ValidationError(
            {
                "collected_on": _(
                    "取得日期 %(collected_on)s 应在发现线索日期 %(lead_received_on)s 与今天之间"
                )
                % {"collected_on": collected_on, "lead_received_on": case.lead_received_on}
            }
        )
    stored: dict[str, Any] = {}
    if file is not None:
        name = os.path.basename(file[0].replace("\\", "/"))[:200] or "证据文件"
        file_kind = evidence_files.judge(
            name=name,
            data=file[1],
            max_bytes=settings.SHIAN_EVIDENCE_MAX_BYTES,
            kinds=settings.SHIAN_EVIDENCE_KINDS,
        )
        digest = hashlib.sha256(file[1]).hexdigest()
        stored = {
            "file_name": name,
            "file_kind": file_kind,
            "file_size": len(file[1]),
            "sha256": digest,
            "data": file[1],
        }
    with transaction.atomic():
        path = ""
        if stored:
            # Content-addressed: the same file twice is stored once; a file left by a rolled-back
            # transaction is harmless and reused.
            path = f"evidence/{stored['sha256'][:2]}/{stored['sha256']}.{stored['file_kind']}"
            if not default_storage.exists(path):
                path = default_storage.save(path, ContentFile(stored["data"]))
        ev = Evidence.objects.create(
            case=case,
            title=title.strip()[:200],
            kind=kind.strip()[:40],
            collected_on=collected_on,
            reference=reference.strip()[:200],
            by=by,
            file=path,
            file_name=stored.get("file_name", ""),
            file_kind=stored.get("file_kind", ""),
            file_size=stored.get("file_size"),
            sha256=stored.get("sha256", ""),
        )
        audit_record(
            actor=by,
            source=source,
            event=model_event(AuditAction.CREATE, ev, after=snapshot(ev), region=case.region_id),
        )
    return ev


def evidence_file_download(*, by: User, source: str, evidence: Evidence) -> None:
    """Record who downloaded an evidence file (a case's files hold parties' data)."""
    with transaction.atomic():
        audit_record(
            actor=by,
            source=source,
            event=model_event(
                AuditAction.EXPORT,
                evidence,
                after={"file_name": evidence.file_name, "sha256": evidence.sha256},
                region=evidence.case.region_id,
            ),
        )


def measure_take(*, by: User, source: str, case: Case, kind: str, items: str, taken_on: dt.date) -> Measure:
    """查封、扣押 with its 30-day term (实施条例第六十一条)."""
    _check_case(by, case)
    if case.status not in (S.LEAD, S.FILED, S.INVESTIGATION):
        raise ValidationError({"status": _("只有在核查和调查阶段可以采取查封、扣押")})
    if kind not in MeasureKind.values:
        raise ValidationError({"kind": _("请选择查封或扣押")})
    if not items.strip():
        raise ValidationError({"items": _("请填写查封、扣押的物品")})
    _check_date(case, taken_on, "taken_on")
    with transaction.atomic():
        m = Measure.objects.create(
            case=case,
            region_id=case.region_id,
            kind=kind,
            items=items.strip()[:300],
            taken_on=taken_on,
            due_on=clock_due(case.lead_received_on, "seizure", taken_on),
        )
        audit_record(
            actor=by,
            source=source,
            event=model_event(AuditAction.CREATE, m, after=snapshot(m), region=case.region_id),
        )
    return m


def measure_extend(*, by: User, source: str, measure: Measure, on: dt.date) -> Measure:
    """One extension of at most 45 days, before the term runs out (实施条例第六十一条)."""
    _check_case(by, measure.case)
    if measure.lifted_on or measure.extended:
        raise ValidationError({"measure": _("该措施已解除或已延长过，不能再延长（实施条例第六十一条）")})
    if on > measure.due_on:
        raise ValidationError({"on": _("期限已于 %(due_on)s 届满，不能再延长") % {"due_on": measure.due_on}})
    before = snapshot(measure)
    with transaction.atomic():
        measure.extended = True
        measure.due_on = clock_due(measure.case.lead_received_on, "seizure", measure.taken_on, extensions=1)
        measure.save()
        _audit_change(by, source, measure, before, measure.region_id)
    return measure


def measure_lift(*, by: User, source: str, measure: Measure, on: dt.date) -> Measure:
    _check_case(by, measure.case)
    if measure.lifted_on:
        raise ValidationError({"measure": _("该措施已解除")})
    if on < measure.taken_on or on > _today():
        raise ValidationError(
            {
                "on": _("解除日期 %(on)s 应在采取日期 %(taken_on)s 与今天之间")
                % {"on": on, "taken_on": measure.taken_on}
            }
        )
    before = snapshot(measure)
    with transaction.atomic():
        measure.lifted_on = on
        measure.save()
        _audit_change(by, source, measure, before, measure.region_id)
    return measure


def transfer_answer(
    *, by: User, source: str, transfer: Transfer, answer: str, on: dt.date, note: str = ""
) -> Transfer:
    """The police's answer to a transfer (立案, 不予立案, 退回)."""
    _check_case(by, transfer.case)
    if transfer.answer != PoliceAnswer.PENDING:
        raise ValidationError({"answer": _("该移送已有答复")})
    if answer not in PoliceAnswer.values or answer == PoliceAnswer.PENDING:
        raise ValidationError({"answer": _("请选择公安机关的答复")})
    if on < transfer.transferred_on or on > _today():
        raise ValidationError(
            {
                "on": _("答复日期 %(on)s 应在移送日期 %(transferred_on)s 与今天之间")
                % {"on": on, "transferred_on": transfer.transferred_on}
            }
        )
    before = snapshot(transfer)
    with transaction.atomic():
        transfer.answer = answer
        transfer.answered_on = on
        transfer.answer_note = note.strip()[:300]
        transfer.save()
        _audit_change(by, source, transfer, before, transfer.region_id)
    return transfer


# -- publication (45号令) -------------------------------------------------------------------------


def publication_publish(*, by: User, source: str, publication: Publication, on: dt.date) -> Publication:
    require_cap(by, EnforcementCap.PUBLISH)
    require_in_scope(by, region=publication.region_id)
    if publication.status != PublicationStatus.DUE:
        raise ValidationError({"status": _("该决定已公示或已撤回")})
    case = publication.case
    assert case.decided_on is not None  # noqa: S101 — a publication exists only for a decision
    if on < case.decided_on or on > _today():
        raise ValidationError(
            {
                "on": _("公示日期 %(on)s 应在决定日期 %(decided_on)s 与今天之间")
                % {"on": on, "decided_on": case.decided_on}
            }
        )
    edition = rules.edition_in_force(case.lead_received_on)
    term = rules.publication_term(
        kinds=frozenset(case.penalty_kinds),
        fine=case.fine_amount,
        published_on=on,
        restriction_months=case.restriction_months,
        edition=edition,
    )
    before = snapshot(publication)
    with transaction.atomic():
        publication.status = PublicationStatus.PUBLISHED
        publication.published_on = on
        publication.ends_on = term.ends
        publication.early_from = term.early_from
        publication.summary = publication_summary(case)
        publication.save()
        _audit_change(by, source, publication, before, publication.region_id)
    return publication


def publication_withdraw(
    *,
    by: User,
    source: str,
    publication: Publication,
    on: dt.date,
    reason: str,
    early: bool = False,
    conditions: rules.Conditions | None = None,
) -> Publication:
    """Stop a publication early on application (第十四条: its period and conditions checked), or
    withdraw it because the decision was changed or revoked (第十一条)."""
    require_cap(by, EnforcementCap.PUBLISH)
    require_in_scope(by, region=publication.region_id)
    if publication.status != PublicationStatus.PUBLISHED:
        raise ValidationError({"status": _("该决定不在公示中")})
    assert publication.published_on is not None  # noqa: S101 — set on publishing
    if on < publication.published_on or on > _today():
        raise ValidationError(
            {
                "on": _("日期 %(on)s 应在公示日期 %(published_on)s 与今天之间")
                % {"on": on, "published_on": publication.published_on}
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": _("请写明撤下理由")})
    case = publication.case
    edition = rules.edition_in_force(case.lead_received_on)
    if early:
        term = rules.publication_term(
            kinds=frozenset(case.penalty_kinds),
            fine=case.fine_amount,
            published_on=publication.published_on,
            restriction_months=case.restriction_months,
            edition=edition,
        )
        problems = rules.early_withdrawal_problems(
            term=term,
            conditions=conditions or rules.Conditions(False, False, False, False),
            on=on,
            source=edition.publication["source_early"],
        )
        if problems:
            raise ValidationError({"conditions": problems})
    before = snapshot(publication)
    with transaction.atomic():
        publication.status = PublicationStatus.EARLY if early else PublicationStatus.WITHDRAWN
        publication.withdrawn_on = on
        publication.withdraw_reason = reason.strip()[:300]
        publication.save()
        _audit_change(by, source, publication, before, publication.region_id)
    return publication


def publications_expire(*, today: dt.date, source: str, by: User | None = None) -> int:
    """Take down every publication whose term has run out (第十三条): run daily."""
    n = 0
    with transaction.atomic():
        for p in Publication.objects.filter(
            status=PublicationStatus.PUBLISHED, ends_on__lte=today
        ).select_for_update():
            before = snapshot(p)
            p.status = PublicationStatus.EXPIRED
            p.withdrawn_on = p.ends_on
            p.withdraw_reason = "公示期满（《市场监督管理行政处罚信息公示规定》第十三条）"
            p.save()
            _audit_change(by, source, p, before, p.region_id)
            n += 1
    return n


# -- the serious-dishonesty list (44号令) --------------------------------------------------------


def listing_decide(
    *, by: User, source: str, listing: Listing, on: dt.date, list_it: bool, note: str = ""
) -> Listing:
    require_cap(by, EnforcementCap.PUBLISH)
    require_in_scope(by, region=listing.region_id)
    if listing.status != ListingStatus.PROPOSED:
        raise ValidationError({"status": _("该列入建议已作出决定")})
    if on < listing.proposed_on or on > _today():
        raise ValidationError(
            {
                "on": _("决定日期 %(on)s 应在提出日期 %(proposed_on)s 与今天之间")
                % {"on": on, "proposed_on": listing.proposed_on}
            }
        )
    if not list_it and not note.strip():
        raise ValidationError({"note": _("决定不列入请写明理由")})
    case = listing.case
    edition = rules.edition_in_force(case.lead_received_on)
    before = snapshot(listing)
    with transaction.atomic():
        listing.decided_on = on
        listing.note = note.strip()[:300] or listing.note
        if list_it:
            restriction_ends = (
                rules.add_months(on, case.restriction_months) if case.restriction_months else None
            )
            listing.status = ListingStatus.LISTED
            listing.listed_on = on
            listing.ends_on = rules.listing_term_ends(
                listed_on=on, restriction_ends=restriction_ends, edition=edition
            )
            business_event_append(
                actor=by,
                source=source,
                business=listing.business,
                kind=BusinessEventKind.SERIOUS_DISHONESTY_LISTED,
                occurred_on=on,
                origin_type="enforcement.listing",
                origin_id=str(listing.pk),
                note=case.number[:200],
            )
        else:
            listing.status = ListingStatus.REJECTED
        listing.save()
        _audit_change(by, source, listing, before, listing.region_id)
    return listing


def listing_repair(
    *,
    by: User,
    source: str,
    listing: Listing,
    on: dt.date,
    conditions: rules.Conditions,
    applied_on: dt.date | None = None,
) -> Listing:
    """Early removal on application (信用修复): after a year on the list, conditions met, no
    restriction running (44号令, M). The ledger's listing entry stays: the credit file shows both."""
    require_cap(by, EnforcementCap.PUBLISH)
    require_in_scope(by, region=listing.region_id)
    if listing.status != ListingStatus.LISTED or listing.listed_on is None:
        raise ValidationError({"status": _("该主体不在名单中")})
    if on > _today():
        raise ValidationError({"on": _("日期 %(on)s 晚于今天") % {"on": on}})
    case = listing.case
    edition = rules.edition_in_force(case.lead_received_on)
    restriction_running = bool(case.restriction_months) and on < rules.add_months(
        case.decided_on or listing.listed_on, case.restriction_months
    )
    problems = rules.repair_problems(
        listed_on=listing.listed_on,
        on=on,
        conditions=conditions,
        restriction_running=restriction_running,
        edition=edition,
    )
    if problems:
        raise ValidationError({"conditions": problems})
    before = snapshot(listing)
    with transaction.atomic():
        listing.status = ListingStatus.REPAIRED
        listing.repair_applied_on = applied_on or on
        listing.removed_on = on
        listing.save()
        _audit_change(by, source, listing, before, listing.region_id)
    return listing


def listings_expire(*, today: dt.date, source: str, by: User | None = None) -> int:
    n = 0
    with transaction.atomic():
        for lst in Listing.objects.filter(
            status=ListingStatus.LISTED, ends_on__lte=today
        ).select_for_update():
            before = snapshot(lst)
            lst.status = ListingStatus.EXPIRED
            lst.removed_on = lst.ends_on
            lst.save()
            _audit_change(by, source, lst, before, lst.region_id)
            n += 1
    return n


# -- typical cases and credit filings -------------------------------------------------------------


def typical_case_publish(
    *, by: User, source: str, case: Case, title: str, text: str, on: dt.date
) -> TypicalCase:
    """A closed, decided case published as a typical case of the quarter `on` falls in; a natural
    person's name is masked in the text."""
    require_cap(by, EnforcementCap.PUBLISH)
    require_in_scope(by, region=case.region_id)
    if case.status != S.CLOSED or case.decided_on is None:
        raise ValidationError({"case": _("只有已作出处罚决定并结案的案件可以作为典型案例发布")})
    if TypicalCase.objects.filter(case=case).exists():
        raise ValidationError({"case": _("该案件已作为典型案例发布")})
    if not title.strip() or not text.strip():
        raise ValidationError({"title": _("请填写标题和案情")})
    if on < case.closed_on or on > _today():  # type: ignore[operator]  # closed cases have closed_on
        raise ValidationError(
            {
                "on": _("发布日期 %(on)s 应在结案日期 %(closed_on)s 与今天之间")
                % {"on": on, "closed_on": case.closed_on}
            }
        )
    if case.party_kind == PartyKind.PERSON:
        text = text.replace(case.party_name, rules.mask_person_name(case.party_name))
    if case.responsible_person:
        text = text.replace(case.responsible_person, rules.mask_person_name(case.responsible_person))
    year, quarter = rules.quarter_of(on)
    with transaction.atomic():
        tc = TypicalCase.objects.create(
            case=case,
            region_id=case.region_id,
            year=year,
            quarter=quarter,
            title=title.strip()[:200],
            text=text.strip(),
            published_on=on,
        )
        audit_record(
            actor=by,
            source=source,
            event=model_event(AuditAction.CREATE, tc, after=snapshot(tc), region=case.region_id),
        )
    return tc


def credit_filing_record(
    *, by: User, source: str, cases: Iterable[Case], on: dt.date, batch: str
) -> list[CreditFiling]:
    """Record that the penalty information of these decided cases was filed to the national
    enterprise credit information system in `batch` (the export's name). Already filed ones are
    skipped, so a batch may be sent again."""
    require_cap(by, EnforcementCap.PUBLISH)
    out = []
    with transaction.atomic():
        for case in cases:
            require_in_scope(by, region=case.region_id)
            if case.decided_on is None or case.decided_on > on:
                raise ValidationError({"cases": _("%(number)s 尚未作出处罚决定") % {"number": case.number}})
            filing = _file(
                by=by,
                source=source,
                key={"case": case, "kind": CreditKind.PENALTY},
                business_id=case.business_id,
                region=case.region_id,
                on=on,
                batch=batch,
                payload=publication_summary(case),
            )
            if filing is not None:
                out.append(filing)
    return out


def _file(
    *,
    by: User | None,
    source: str,
    key: dict[str, Any],
    business_id: int | None,
    region: str,
    on: dt.date,
    batch: str,
    payload: dict[str, Any],
) -> CreditFiling | None:
    """One filing, audited; None when that record of that kind was filed before."""
    filing, created = CreditFiling.objects.get_or_create(
        **key,
        defaults={
            "business_id": business_id,
            "region_id": region,
            "filed_on": on,
            "batch": batch[:40],
            "payload": payload,
            "by": by,
        },
    )
    if not created:
        return None
    audit_record(
        actor=by,
        source=source,
        event=model_event(AuditAction.EXPORT, filing, after=snapshot(filing), region=region),
    )
    return filing


def sampling_filing_summary(sample: Sample) -> dict[str, str]:
    """The unqualified sampling result as filed (食品安全抽样检验管理办法 第四十九条: the results
    are made public; plan task 二十一: filed to the national system)."""
    bad = [i for i in sample.items.all() if i.verdict == Verdict.UNQUALIFIED]
    judged = sample.history.filter(to_status=SampleStatus.JUDGED_UNQUALIFIED).order_by("-on").first()
    business = sample.business
    return {
        "sample_code": sample.code,
        "party": business.name if business else "",
        "credit_code": (business.credit_code or "") if business else "",
        "food_name": sample.food_name,
        "manufacturer": sample.manufacturer,
        "batch": sample.batch,
        "sampled_on": sample.sampled_on.isoformat() if sample.sampled_on else "",
        "unqualified_items": "；".join(f"{i.item}：{i.result}（{i.limit_text}）" for i in bad),
        "lab": sample.lab_name or (sample.lab.name if sample.lab_id else ""),  # type: ignore[union-attr]
        "judged_on": judged.on.isoformat() if judged else "",
        "authority": "天津市北辰区市场监督管理局",
    }


def disposal_filing_summary(task: DisposalTask) -> dict[str, str]:
    """The verification and disposal (核查处置) of an unqualified sample as filed."""
    business = task.business or task.sample.business
    done = [
        f"{DisposalStepKind(st.kind).label}（{st.done_on.isoformat()}）"
        for st in task.steps.order_by("id")
        if st.done_on and not st.not_applicable
    ]
    return {
        "sample_code": task.sample.code,
        "party": business.name if business else "",
        "credit_code": (business.credit_code or "") if business else "",
        "food_name": task.sample.food_name,
        "measures": "；".join(done),
        "opened_on": task.opened_on.isoformat(),
        "closed_on": task.closed_on.isoformat() if task.closed_on else "",
        "authority": "天津市北辰区市场监督管理局",
    }


def credit_filing_record_samples(
    *, by: User, source: str, samples: Iterable[Sample], on: dt.date, batch: str
) -> list[CreditFiling]:
    """Record that these unqualified sampling results were filed in `batch`; filed ones are skipped."""
    require_cap(by, EnforcementCap.PUBLISH)
    out = []
    with transaction.atomic():
        for sample in samples:
            require_in_scope(by, region=sample.region_id)
            if sample.conclusion != Verdict.UNQUALIFIED:
                raise ValidationError({"samples": _("样品 %(code)s 不是不合格样品") % {"code": sample.code}})
            filing = _file(
                by=by,
                source=source,
                key={"sample": sample, "kind": CreditKind.SAMPLING},
                business_id=sample.business_id,
                region=sample.region_id,
                on=on,
                batch=batch,
                payload=sampling_filing_summary(sample),
            )
            if filing is not None:
                out.append(filing)
    return out


def credit_filing_record_disposals(
    *, by: User, source: str, tasks: Iterable[DisposalTask], on: dt.date, batch: str
) -> list[CreditFiling]:
    """Record that these closed disposal tasks were filed in `batch`; filed ones are skipped."""
    require_cap(by, EnforcementCap.PUBLISH)
    out = []
    with transaction.atomic():
        for task in tasks:
            require_in_scope(by, region=task.region_id)
            if task.status != DisposalStatus.CLOSED or task.closed_on is None or task.closed_on > on:
                raise ValidationError(
                    {"disposals": _("样品 %(code)s 的核查处置尚未办结") % {"code": task.sample.code}}
                )
            filing = _file(
                by=by,
                source=source,
                key={"disposal": task, "kind": CreditKind.DISPOSAL},
                business_id=task.business_id or task.sample.business_id,
                region=task.region_id,
                on=on,
                batch=batch,
                payload=disposal_filing_summary(task),
            )
            if filing is not None:
                out.append(filing)
    return out


def export_record(
    *, by: User, source: str, what: str, rows: int, filters: Mapping[str, str], region: str = ""
) -> None:
    """An export of cases or of a credit file (they hold parties' data): who, what, how many rows,
    with which filters — in its own short transaction after the file is built."""
    with transaction.atomic():
        audit_record(
            actor=by,
            source=source,
            event=AuditEvent(
                action=AuditAction.EXPORT,
                object_type="enforcement.export",
                object_id=uuid.uuid4().hex[:12],
                object_repr=f"{what}（{rows}条）",
                region_code=region or (getattr(by, "region_id", None) or ""),
                after={"filters": dict(filters), "rows": rows},
            ),
        )
