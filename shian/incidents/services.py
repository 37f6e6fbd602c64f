"""Writes of incidents and drills: report an incident (graded by the rules in force on its onset),
record the reports sent upward and the escalations as figures change, close it with its cause; record
a drill. Audited in the same transaction; an incident at a registered business enters the
business-event ledger."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shian.core.audit import audit_record, model_event
from shian.core.models import AuditAction, FoodCategory, Region, RegionLevel, User
from shian.core.permissions import PublicCap, require_cap
from shian.core.scoping import require_in_scope
from shian.registry.models import Business, BusinessEventKind
from shian.registry.services import business_event_append

from . import rules
from .models import (
    INCIDENT_TRANSITIONS,
    Drill,
    Incident,
    IncidentStatus,
    IncidentStep,
    MonitoringResult,
    MonitoringTask,
)

LEVEL_ORDER = {"I": 4, "II": 3, "III": 2, "IV": 1, rules.BELOW_GRADING: 0}


def _state(i: Incident) -> dict[str, Any]:
    return {
        "code": i.code,
        "region": i.region_id,
        "business": i.business_id,
        "place": i.place,
        "onset_at": i.onset_at,
        "known_at": i.known_at,
        "ill": i.ill,
        "hospitalised": i.hospitalised,
        "deaths": i.deaths,
        "suspected_food": i.suspected_food,
        "level": i.level,
        "status": i.status,
        "cause": i.cause,
        "closed_on": i.closed_on,
        "sample_codes": i.sample_codes,
        "case_number": i.case_number,
    }


def _grade(ill: int, deaths: int, hospitalised: int, on: dt.date) -> tuple[str, str]:
    if hospitalised > ill:
        raise ValidationError({"hospitalised": _("住院人数不能超过发病人数")})
    try:
        edition = rules.edition_in_force(on)
        level = rules.grade(ill=ill, deaths=deaths, edition=edition)
    except LookupError as exc:
        raise ValidationError({"onset_at": str(exc)}) from None
    except ValueError as exc:
        raise ValidationError({"deaths": str(exc)}) from None
    return (level.code if level else rules.BELOW_GRADING), edition.id


def incident_report(
    *,
    actor: User,
    source: str,
    place: str,
    onset_at: dt.datetime,
    known_at: dt.datetime,
    ill: int,
    hospitalised: int = 0,
    deaths: int = 0,
    suspected_food: str = "",
    business: Business | None = None,
    region_code: str = "",
    now: dt.datetime | None = None,
) -> Incident:
    require_cap(actor, PublicCap.INCIDENT_RECORD)
    region = business.region_id if business else region_code
    if not region or not Region.objects.filter(pk=region).exclude(level=RegionLevel.DISTRICT).exists():
        raise ValidationError({"region_code": _("请选择事故发生的镇街")})
    require_in_scope(actor, region=region, business_type=business.business_type if business else None)
    if known_at < onset_at:
        raise ValidationError({"known_at": _("接报时间早于首例发病时间")})
    if now is not None and known_at > now:
        raise ValidationError({"known_at": _("接报时间晚于现在")})
    if not place.strip():
        raise ValidationError({"place": _("请填写发生地点")})
    level, edition = _grade(ill, deaths, hospitalised, onset_at.date())
    with transaction.atomic():
        incident = Incident(
            code=f"SG{onset_at:%Y%m%d}{secrets.token_hex(2).upper()}",
            region_id=region,
            business=business,
            place=place.strip()[:200],
            onset_at=onset_at,
            known_at=known_at,
            ill=ill,
            hospitalised=hospitalised,
            deaths=deaths,
            suspected_food=suspected_food.strip()[:200],
            level=level,
            rule_edition=edition,
            created_by=actor,
        )
        incident.full_clean()
        incident.save()
        IncidentStep.objects.create(
            incident=incident, kind=IncidentStep.Kind.REPORTED, at=known_at, note=f"发病{ill}人", by=actor
        )
        if business is not None:
            business_event_append(
                actor=actor,
                source=source,
                business=business,
                kind=BusinessEventKind.INCIDENT,
                occurred_on=onset_at.date(),
                origin_type="incidents.incident",
                origin_id=str(incident.pk),
                note=f"食品安全事故 {incident.code}，发病{ill}人"[:200],
            )
        audit_record(
            actor=actor,
            source=source,
            event=model_event(AuditAction.CREATE, incident, after=_state(incident), region=region),
        )
    return incident


def _require(actor: User, incident: Incident) -> None:
    require_in_scope(
        actor,
        region=incident.region_id,
        business_type=incident.business.business_type if incident.business else None,
    )
    require_cap(actor, PublicCap.INCIDENT_RECORD)


def incident_update(
    *,
    actor: User,
    source: str,
    incident: Incident,
    at: dt.datetime,
    ill: int,
    hospitalised: int,
    deaths: int,
    note: str = "",
) -> Incident:
    """New figures: regraded; a more serious level is recorded as an escalation."""
    _require(actor, incident)
    if incident.status == IncidentStatus.CLOSED:
        raise ValidationError({"ill": _("已结案的事故不能修改")})
    if at < incident.known_at:
        raise ValidationError({"at": _("时间早于接报时间")})
    level, edition = _grade(ill, deaths, hospitalised, incident.onset_at.date())
    with transaction.atomic():
        before = _state(incident)
        escalated = LEVEL_ORDER[level] > LEVEL_ORDER.get(incident.level, 0)
        incident.ill, incident.hospitalised, incident.deaths = ill, hospitalised, deaths
        incident.level, incident.rule_edition = level, edition
        if incident.status == IncidentStatus.REPORTED:
            incident.status = IncidentStatus.INVESTIGATING
        incident.full_clean()
        incident.save()
        kind = IncidentStep.Kind.ESCALATED if escalated else IncidentStep.Kind.UPDATE
        text = f"发病{ill}人，住院{hospitalised}人，死亡{deaths}人" + (f"；{note}" if note else "")
        IncidentStep.objects.create(incident=incident, kind=kind, at=at, note=text[:500], by=actor)
        audit_record(
            actor=actor,
            source=source,
            event=model_event(
                AuditAction.UPDATE, incident, before=before, after=_state(incident), region=incident.region_id
            ),
        )
    return incident


def incident_report_sent(
    *, actor: User, source: str, incident: Incident, clock: str, at: dt.datetime, note: str = ""
) -> IncidentStep:
    """A report sent upward (首报、续报) against one of the edition's clocks."""
    _require(actor, incident)
    edition = rules.edition_in_force(incident.onset_at.date())
    codes = {c.code for c in edition.clocks}
    if clock not in codes:
        raise ValidationError(
            {"clock": _("报告类别应为 %(value)s 之一") % {"value": "、".join(sorted(codes))}}
        )
    if at < incident.known_at:
        raise ValidationError({"at": _("报告时间早于接报时间")})
    with transaction.atomic():
        step = IncidentStep.objects.create(
            incident=incident,
            kind=IncidentStep.Kind.REPORT_SENT,
            clock=clock,
            at=at,
            note=note[:500],
            by=actor,
        )
        audit_record(
            actor=actor,
            source=source,
            event=model_event(
                AuditAction.CREATE, step, after={"clock": clock, "at": at}, region=incident.region_id
            ),
        )
    return step


def incident_close(
    *,
    actor: User,
    source: str,
    incident: Incident,
    closed_on: dt.date,
    cause: str,
    sample_codes: str = "",
    case_number: str = "",
) -> Incident:
    _require(actor, incident)
    if IncidentStatus.CLOSED not in INCIDENT_TRANSITIONS[incident.status]:
        raise ValidationError({"closed_on": _("该事故已结案")})
    if not cause.strip():
        raise ValidationError({"cause": _("结案应写明事故原因（食品安全法第一百零七条）")})
    if closed_on < incident.onset_at.date():
        raise ValidationError({"closed_on": _("结案日期早于发病日期")})
    with transaction.atomic():
        before = _state(incident)
        incident.status = IncidentStatus.CLOSED
        incident.closed_on = closed_on
        incident.cause = cause.strip()[:500]
        incident.sample_codes = sample_codes.strip()[:400]
        incident.case_number = case_number.strip()[:60]
        incident.save()
        IncidentStep.objects.create(
            incident=incident,
            kind=IncidentStep.Kind.CLOSED,
            at=dt.datetime.combine(closed_on, dt.time(18, 0), tzinfo=incident.known_at.tzinfo),
            note=incident.cause,
            by=actor,
        )
        audit_record(
            actor=actor,
            source=source,
            event=model_event(
                AuditAction.UPDATE, incident, before=before, after=_state(incident), region=incident.region_id
            ),
        )
    return incident


def drill_record(
    *,
    actor: User,
    source: str,
    region_code: str,
    held_on: dt.date,
    title: str,
    plan: str,
    participants: int,
    scenario: str = "",
    units: str = "",
    findings: str = "",
    today: dt.date | None = None,
) -> Drill:
    require_cap(actor, PublicCap.INCIDENT_RECORD)
    require_in_scope(actor, region=region_code)
    if today is not None and held_on > today:
        raise ValidationError({"held_on": _("演练日期晚于今天：演练举行后再记录")})
    if participants < 1:
        raise ValidationError({"participants": _("参演人数至少1人")})
    with transaction.atomic():
        drill = Drill(
            region_id=region_code,
            held_on=held_on,
            title=title.strip()[:200],
            plan=plan.strip()[:200],
            scenario=scenario.strip()[:500],
            participants=participants,
            units=units.strip()[:500],
            findings=findings.strip(),
            created_by=actor,
        )
        drill.full_clean()
        drill.save()
        audit_record(
            actor=actor,
            source=source,
            event=model_event(
                AuditAction.CREATE,
                drill,
                after={"held_on": held_on, "title": drill.title, "participants": participants},
                region=region_code,
            ),
        )
    return drill


def monitoring_task_create(
    *, actor: User, source: str, year: int, title: str, category: str, hazard: str, planned: int, unit: str
) -> MonitoringTask:
    require_cap(actor, PublicCap.ROUTE)  # the district takes the city's monitoring plan
    if planned < 1:
        raise ValidationError({"planned": _("计划样本数至少为1")})
    if not FoodCategory.objects.filter(pk=category).exists():
        raise ValidationError({"category": _("食品类别 %(category)s 不存在") % {"category": category}})
    with transaction.atomic():
        task = MonitoringTask.objects.create(
            year=year,
            title=title.strip()[:200],
            category_id=category,
            hazard=hazard.strip()[:100],
            planned=planned,
            unit=unit.strip()[:100],
        )
        audit_record(
            actor=actor,
            source=source,
            event=model_event(AuditAction.CREATE, task, after={"title": task.title, "planned": planned}),
        )
    return task


def monitoring_result_record(
    *,
    actor: User,
    source: str,
    task: MonitoringTask,
    sampled_on: dt.date,
    region_code: str,
    food_name: str,
    value: Decimal | None,
    result_unit: str = "",
    abnormal: bool = False,
    note: str = "",
) -> MonitoringResult:
    require_cap(actor, PublicCap.INCIDENT_RECORD)
    require_in_scope(actor, region=region_code)
    if sampled_on.year != task.year:
        raise ValidationError(
            {"sampled_on": _("采样日期不在监测任务的年度（%(year)s）内") % {"year": task.year}}
        )
    if abnormal and not note.strip():
        raise ValidationError(
            {"note": _("异常结果应写明研判意见（计划任务十四：强化风险监测结果的研判、运用）")}
        )
    with transaction.atomic():
        result = MonitoringResult.objects.create(
            task=task,
            sampled_on=sampled_on,
            region_id=region_code,
            food_name=food_name.strip()[:100],
            value=value,
            result_unit=result_unit.strip()[:20],
            abnormal=abnormal,
            note=note.strip()[:300],
        )
        audit_record(
            actor=actor,
            source=source,
            event=model_event(
                AuditAction.CREATE, result, after={"task": task.pk, "abnormal": abnormal}, region=region_code
            ),
        )
    return result
