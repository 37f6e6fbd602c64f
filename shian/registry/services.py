"""The only code that writes the register. Each function: permission, scope, one transaction,
audit entries in that same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.audit import AuditEvent, audit_record, audit_record_many, audit_value, diff, model_event
from shian.core.bulk import allocate_ids, insert_rows
from shian.core.concurrency import check_version, state_version
from shian.core.models import AuditAction, User
from shian.core.permissions import Cap, require_cap
from shian.core.scoping import require_in_scope, scope_for

from .models import Business, BusinessEvent, BusinessEventKind, BusinessFoodCategory
from .rules import BusinessInput

# Fields of Business that a BusinessInput sets (region_code maps to region_id).
_MODEL_FIELDS = (
    "name",
    "credit_code",
    "production_licence",
    "business_licence",
    "business_type",
    "scale",
    "address",
    "legal_representative",
    "longitude",
    "latitude",
    "status",
    "opened_on",
    "licence_valid_until",
    "closed_on",
)
_model_values = attrgetter(*_MODEL_FIELDS)  # a BusinessInput's values of _MODEL_FIELDS, in order
OBJECT_TYPE = "registry.business"
# Above this many rows, inserts take the executemany path of shian.core.bulk.
_FAST_PATH = 50
_INSERT_FIELDS = ("id", *_MODEL_FIELDS, "region_id", "created_at", "updated_at")


def field_label(key: str) -> str:
    """A register field's name as its users read it (for a conflict's message)."""
    if key == "region":
        key = "region_code"
    try:
        return str(getattr(Business._meta.get_field(key), "verbose_name", key))
    except Exception:
        return {"categories": "食品类别", "region_code": "所属镇街"}.get(key, key)


def business_state(business: Business, categories: Sequence[str]) -> dict[str, Any]:
    """The audited state of a business: its fields and its category codes."""
    state = {name: audit_value(getattr(business, name)) for name in _MODEL_FIELDS}
    state["region"] = business.region_id
    state["categories"] = sorted(categories)
    return state


def _input_state(data: BusinessInput) -> dict[str, Any]:
    # Text and empty fields (most of them) are taken as they are: an import calls this per row.
    state = {
        name: v if v is None or type(v) is str else audit_value(v)
        for name, v in zip(_MODEL_FIELDS, _model_values(data), strict=True)
    }
    state["region"] = data.region_code
    state["categories"] = sorted(data.categories)
    return state


@dataclass(frozen=True)
class UpsertResult:
    created: int
    updated: int
    unchanged: int
    business_ids: list[int]


def _key_lookup(data: Sequence[BusinessInput]) -> dict[tuple[str, str], Business]:
    """Existing businesses matching any identifier of the inputs, by (field, code).

    The codes are looked up through the unique indexes with plain statements, and only the
    businesses found are loaded as models: an import of 100,000 new businesses loads none."""
    ids: dict[tuple[str, str], int] = {}
    table = connection.ops.quote_name(Business._meta.db_table)
    with connection.cursor() as cur:
        for fname in ("credit_code", "business_licence", "production_licence"):
            column = connection.ops.quote_name(str(getattr(Business._meta.get_field(fname), "column", fname)))
            codes = sorted({getattr(d, fname) for d in data if getattr(d, fname)})
            for i in range(0, len(codes), 900):  # SQLite allows 999 parameters per statement
                chunk = codes[i : i + 900]
                marks = ", ".join(["%s"] * len(chunk))
                # Names come from the model's metadata; the codes are parameters.
                cur.execute(f"SELECT {column}, id FROM {table} WHERE {column} IN ({marks})", chunk)  # noqa: S608
                for code, pk in cur.fetchall():
                    ids[(fname, code)] = pk
    if not ids:
        return {}
    objs = Business.objects.in_bulk(sorted(set(ids.values())))
    return {key: objs[pk] for key, pk in ids.items()}


class UpsertConflict(ValidationError):
    """Input rows that name two different existing businesses, or a business outside the actor's scope."""

    def __init__(self, problems: dict[int, str]) -> None:
        super().__init__("; ".join(f"#{i + 1}: {m}" for i, m in problems.items()))
        self.problems = problems


def business_match(
    data: Sequence[BusinessInput], *, user: User | None
) -> tuple[list[Business | None], dict[int, str]]:
    """The existing business each input refers to (by credit code, then licences), and per-input
    problems: codes that point at two different businesses, or at one the user may not change."""
    found = _key_lookup(data)
    scope = scope_for(user) if user is not None else None
    matches: list[Business | None] = []
    problems: dict[int, str] = {}
    for i, d in enumerate(data):
        if scope is not None and not scope.allows_region(d.region_code):
            problems[i] = "所属镇街不在您的辖区内"
            matches.append(None)
            continue
        hits = {
            found[(f, getattr(d, f))].pk: found[(f, getattr(d, f))]
            for f in ("credit_code", "business_licence", "production_licence")
            if getattr(d, f) and (f, getattr(d, f)) in found
        }
        if len(hits) > 1:
            problems[i] = "统一社会信用代码与许可证编号分别属于登记簿中不同的经营主体"
            matches.append(None)
            continue
        match = next(iter(hits.values()), None)
        if (
            match is not None
            and scope is not None
            and not (
                scope.allows_region(match.region_id)
                and (scope.business_types is None or match.business_type in scope.business_types)
            )
        ):
            # Do not disclose where the business is registered: the same words as any conflict.
            problems[i] = "该代码已被登记簿中的其他经营主体使用"
            matches.append(None)
            continue
        matches.append(match)
    return matches, problems


def business_bulk_upsert(
    *,
    actor: User | None,
    source: str,
    data: Sequence[BusinessInput],
    check_permission: bool = True,
    matches: Sequence[Business | None] | None = None,
) -> UpsertResult:
    """Create or update many businesses in one transaction; unchanged ones are left alone.

    The importer, the demo generator and the single-record services all come through here, so the
    register has one write path. Inputs must already be valid (registry.rules.clean_business).
    `matches`: the caller already ran `business_match` on `data` inside the caller's own open
    transaction (the importer, which checks and writes in one); otherwise they are found here.
    """
    if check_permission:
        require_cap(actor, Cap.REGISTER_CHANGE)
    if matches is not None and (
        not transaction.get_connection().in_atomic_block or len(matches) != len(data)
    ):
        raise ValueError("matches must come from business_match in the caller's open transaction")
    with transaction.atomic():
        if matches is None:
            matches, problems = business_match(data, user=actor if check_permission else None)
            if problems:
                raise UpsertConflict(problems)
        existing_ids = [m.pk for m in matches if m is not None]
        current_categories: dict[int, list[str]] = {}
        for i in range(0, len(existing_ids), 900):
            for bid, code in BusinessFoodCategory.objects.filter(
                business_id__in=existing_ids[i : i + 900]
            ).values_list("business_id", "category_id"):
                current_categories.setdefault(bid, []).append(code)

        new_inputs: list[BusinessInput] = []
        updates: list[tuple[Business, BusinessInput, dict[str, Any], dict[str, Any]]] = []
        unchanged_ids: list[int] = []
        for d, match in zip(data, matches, strict=True):
            if match is None:
                new_inputs.append(d)
                continue
            before = business_state(match, current_categories.get(match.pk, []))
            after = _input_state(d)
            if before == after:
                unchanged_ids.append(match.pk)
                continue
            for f in _MODEL_FIELDS:
                setattr(match, f, getattr(d, f))
            match.region_id = d.region_code
            updates.append((match, d, before, after))

        now = timezone.now()
        if len(new_inputs) > _FAST_PATH:
            new_ids = allocate_ids(Business, len(new_inputs))
            insert_rows(
                Business,
                _INSERT_FIELDS,
                [
                    [pk, *(getattr(d, f) for f in _MODEL_FIELDS), d.region_code, now, now]
                    for pk, d in zip(new_ids, new_inputs, strict=True)
                ],
            )
        else:
            objs = [
                Business(region_id=d.region_code, **{f: getattr(d, f) for f in _MODEL_FIELDS})
                for d in new_inputs
            ]
            Business.objects.bulk_create(objs, batch_size=1000)
            new_ids = [o.pk for o in objs]
        for u in updates:
            u[0].updated_at = now  # bulk_update does not apply auto_now
        if updates:
            Business.objects.bulk_update(
                [u[0] for u in updates], [*_MODEL_FIELDS, "region", "updated_at"], batch_size=1000
            )
        # Categories: replace the set of every created or changed business.
        changed_ids = [u[0].pk for u in updates]
        for i in range(0, len(changed_ids), 900):
            BusinessFoodCategory.objects.filter(business_id__in=changed_ids[i : i + 900]).delete()
        links = [
            (pk, c)
            for pk, d in [*zip(new_ids, new_inputs, strict=True), *((u[0].pk, u[1]) for u in updates)]
            for c in d.categories
        ]
        if len(links) > _FAST_PATH:
            insert_rows(BusinessFoodCategory, ["business_id", "category_id"], links)
        else:
            BusinessFoodCategory.objects.bulk_create(
                [BusinessFoodCategory(business_id=pk, category_id=c) for pk, c in links], batch_size=2000
            )

        events = [
            AuditEvent(
                action=AuditAction.CREATE,
                object_type=OBJECT_TYPE,
                object_id=str(pk),
                object_repr=d.name,
                region_code=d.region_code,
                after=_input_state(d),
                native=True,
            )
            for pk, d in zip(new_ids, new_inputs, strict=True)
        ]
        for b, _d, before, after in updates:
            old, new = diff(before, after)
            events.append(
                AuditEvent(
                    action=AuditAction.UPDATE,
                    object_type=OBJECT_TYPE,
                    object_id=str(b.pk),
                    object_repr=b.name,
                    region_code=b.region_id,
                    before=old,
                    after=new,
                    native=True,
                )
            )
        audit_record_many(actor=actor, source=source, events=events)
    ids = [*new_ids, *(u[0].pk for u in updates), *unchanged_ids]
    return UpsertResult(
        created=len(new_inputs), updated=len(updates), unchanged=len(unchanged_ids), business_ids=ids
    )


def business_create(*, actor: User, source: str, data: BusinessInput) -> Business:
    """Register a new business. A code already on the register is refused before anything is
    written (creating is not a back door to editing someone else's record)."""
    require_cap(actor, Cap.REGISTER_CHANGE)
    for fname in ("credit_code", "production_licence", "business_licence"):
        code = getattr(data, fname)
        if code and Business.objects.filter(**{fname: code}).exists():
            raise ValidationError({fname: _("该代码已在登记簿中登记，请在原记录上修改")})
    result = business_bulk_upsert(actor=actor, source=source, data=[data])
    return Business.objects.get(pk=result.business_ids[0])


def business_version(business: Business) -> str:
    """The version an edit of this business is made from (core.concurrency)."""
    categories = BusinessFoodCategory.objects.filter(business=business).values_list("category_id", flat=True)
    return state_version(business_state(business, list(categories)))


def business_update(
    *, actor: User, source: str, business: Business, data: BusinessInput, expected_version: str | None = None
) -> Business:
    """Update one business the actor can see. Its codes may change but must not collide. The old
    and the new town must both be the actor's. With `expected_version` (the form's or the API
    client's), a record changed since is refused with both values (core.concurrency)."""
    require_cap(actor, Cap.REGISTER_CHANGE)
    require_in_scope(actor, region=business.region_id, business_type=business.business_type)
    require_in_scope(actor, region=data.region_code, business_type=data.business_type)
    with transaction.atomic():
        locked = Business.objects.select_for_update().get(pk=business.pk)
        categories = list(
            BusinessFoodCategory.objects.filter(business=locked).values_list("category_id", flat=True)
        )
        before = business_state(locked, categories)
        after = _input_state(data)
        check_version(expected=expected_version, current=before, yours=after, label=field_label)
        if before == after:
            return locked
        for fname in ("credit_code", "production_licence", "business_licence"):
            code = getattr(data, fname)
            if code and Business.objects.filter(**{fname: code}).exclude(pk=locked.pk).exists():
                raise ValidationError({fname: _("该代码已被登记簿中的其他经营主体使用")})
        for f in _MODEL_FIELDS:
            setattr(locked, f, getattr(data, f))
        locked.region_id = data.region_code
        locked.full_clean(exclude=["food_categories"])
        locked.save()
        BusinessFoodCategory.objects.filter(business=locked).delete()
        BusinessFoodCategory.objects.bulk_create(
            [BusinessFoodCategory(business=locked, category_id=c) for c in data.categories]
        )
        old, new = diff(before, after)
        audit_record_many(
            actor=actor,
            source=source,
            events=[
                AuditEvent(
                    action=AuditAction.UPDATE,
                    object_type=OBJECT_TYPE,
                    object_id=str(locked.pk),
                    object_repr=locked.name,
                    region_code=locked.region_id,
                    before=old,
                    after=new,
                )
            ],
        )
    return locked


def business_delete(*, actor: User, source: str, business: Business) -> None:
    """Remove a record entered by mistake. A business that stops trading is closed, not deleted."""
    require_cap(actor, Cap.REGISTER_CHANGE)
    if not scope_for(actor).allows_region(business.region_id):
        raise Http404
    with transaction.atomic():
        categories = list(
            BusinessFoodCategory.objects.filter(business=business).values_list("category_id", flat=True)
        )
        before = business_state(business, categories)
        pk, name, region = business.pk, business.name, business.region_id
        business.delete()
        audit_record_many(
            actor=actor,
            source=source,
            events=[
                AuditEvent(
                    action=AuditAction.DELETE,
                    object_type=OBJECT_TYPE,
                    object_id=str(pk),
                    object_repr=name,
                    region_code=region,
                    before=before,
                )
            ],
        )


# --- The business-event ledger -------------------------------------------------------------------

EVENT_OBJECT_TYPE = "registry.businessevent"


def _event_state(event: BusinessEvent) -> dict[str, Any]:
    return {
        "business": event.business_id,
        "kind": event.kind,
        "occurred_on": event.occurred_on,
        "note": event.note,
        "origin_type": event.origin_type,
        "origin_id": event.origin_id,
    }


def _event_clean(*, kind: str, occurred_on: Any, note: str) -> None:
    errors: dict[str, str] = {}
    if kind not in BusinessEventKind.values:
        errors["kind"] = _("Unknown event kind “%(kind)s”.") % {"kind": kind}
    if not isinstance(occurred_on, dt.date):
        errors["occurred_on"] = _("Enter the date the event happened.")
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = _("The event cannot happen in the future (%(day)s).") % {
            "day": occurred_on.isoformat()
        }
    if len(note) > 200:
        errors["note"] = _("At most 200 characters.")
    if errors:
        raise ValidationError(errors)


def business_event_append(
    *,
    actor: User | None,
    source: str,
    business: Business,
    kind: str,
    occurred_on: dt.date,
    origin_type: str = "",
    origin_id: str = "",
    note: str = "",
) -> BusinessEvent:
    """Append an event caused by another record (an unqualified sample, a penalty decision …).

    Called by an evidence module's service inside its own transaction, after that service has
    checked the actor's right to the record that caused the event; this function does not check
    again (a lab recording results may not see the register, yet its result is the evidence).
    Idempotent per origin: a second call for the same origin returns the existing entry."""
    _event_clean(kind=kind, occurred_on=occurred_on, note=note)
    with transaction.atomic():
        if origin_type:
            existing = BusinessEvent.objects.filter(
                business=business, kind=kind, origin_type=origin_type, origin_id=str(origin_id)
            ).first()
            if existing is not None:
                return existing
        event = BusinessEvent.objects.create(
            business=business,
            region_id=business.region_id,
            kind=kind,
            occurred_on=occurred_on,
            note=note,
            origin_type=origin_type,
            origin_id=str(origin_id),
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            source=source,
            event=model_event(
                AuditAction.CREATE, event, after=_event_state(event), region=business.region_id
            ),
        )
    return event


def business_event_record(
    *, actor: User, source: str, business: Business, kind: str, occurred_on: dt.date, note: str = ""
) -> BusinessEvent:
    """An officer's own entry (an incident they attended, an inspection obstructed): capability and
    scope are checked here; a business outside the officer's scope is not found."""
    require_cap(actor, Cap.EVENT_RECORD)
    if not scope_for(actor).allows_region(business.region_id):
        raise Http404
    if not note.strip():
        raise ValidationError({"note": _("Say what happened.")})
    return business_event_append(
        actor=actor, source=source, business=business, kind=kind, occurred_on=occurred_on, note=note
    )


def business_event_void(
    *, actor: User | None, source: str, event: BusinessEvent, reason: str
) -> BusinessEvent:
    """Void an entry (a re-test overturned the result, an entry made in error). The entry stays in
    the ledger with its reason; readers skip it from then on."""
    if actor is not None:
        require_cap(actor, Cap.EVENT_RECORD)
        if not scope_for(actor).allows_region(event.region_id):
            raise Http404
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for voiding the event.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("At most 200 characters.")})
    if event.voided_at is not None:
        raise ValidationError({"reason": _("This event has already been voided.")})
    with transaction.atomic():
        event.voided_at = timezone.now()
        event.void_reason = reason
        event.save(update_fields=["voided_at", "void_reason"])
        audit_record(
            actor=actor,
            source=source,
            event=model_event(
                AuditAction.UPDATE,
                event,
                before={"voided": False},
                after={"voided": True, "void_reason": reason},
                region=event.region_id,
            ),
        )
    return event


# -- licence applications ------------------------------------------------------------------------
# 受理 → 审查 → 准予 / 不予许可 / 撤回 (workflow.py); the clock from rules.licensing_edition; every
# named person checked against the bans in force (法第一百三十五条) on acceptance and before 准予.

APPLICATION_OBJECT = "registry.licenceapplication"


@dataclass(frozen=True)
class PersonInput:
    role: str
    name: str
    id_number: str


def _application_state(app: Any) -> dict[str, Any]:
    fields = (
        "kind",
        "status",
        "category",
        "business_id",
        "applicant_name",
        "credit_code",
        "business_type",
        "region_id",
        "received_on",
        "due_on",
        "decided_on",
        "reason",
        "licence_number",
        "licence_valid_until",
        "checked_on",
    )
    state = {f: audit_value(getattr(app, f)) for f in fields}
    state["ban_blocks"] = [b["case_number"] for b in app.ban_blocks]
    return state


def application_ban_check(app: Any, on: dt.date) -> list[dict[str, Any]]:
    """The bans in force on `on` on the persons the application names, as stored on it."""
    from . import personchecks, rules

    persons = [rules.NamedPerson(name=p.name, id_key=p.id_key) for p in app.persons.all()]
    found = rules.bans_blocking(persons, personchecks.bans_for(persons, on=on), on=on)
    return [
        {
            "person": p.name,
            "case_id": b.case_id,
            "case_number": b.case_number,
            "case_region": b.case_region,
            "decided_on": b.decided_on.isoformat(),
            "until": b.until.isoformat() if b.until else None,
        }
        for p, b in found
    ]


def ban_block_message(block: dict[str, Any], *, full: bool) -> str:
    """The block in words. `full` when the reader may see the case; otherwise its number only."""
    if not full:
        return _("%(person)s 受从业禁止（食品安全法第一百三十五条），见案件 %(case)s") % {
            "person": block["person"],
            "case": block["case_number"],
        }
    until = block["until"] or _("终身")
    return _(
        "%(person)s 受从业禁止（食品安全法第一百三十五条）：案件 %(case)s，%(decided)s 作出决定，"
        "禁止期限至 %(until)s"
    ) % {
        "person": block["person"],
        "case": block["case_number"],
        "decided": block["decided_on"],
        "until": until,
    }


def application_submit(
    *,
    actor: User,
    source: str,
    kind: str,
    category: str,
    received_on: dt.date,
    persons: Sequence[PersonInput],
    business: Business | None = None,
    applicant_name: str = "",
    credit_code: str = "",
    address: str = "",
    region_code: str = "",
    business_type: str = "",
) -> Any:
    """Accept (受理) an application: the applicant (a business in scope, or for 新办 a new one by
    name, code, address, town and type), the persons it names, the category. The decision's due
    date is counted in working days from acceptance; the persons are checked against the bans in
    force that day. Bad input: every problem named, nothing written."""
    from shian.core.calendar import WorkingCalendar
    from shian.core.models import Region
    from shian.core.rules import CodeError, validate_credit_code

    from . import personchecks, rules
    from .models import (
        ApplicationKind,
        ApplicationPerson,
        ApplicationStep,
        LicenceApplication,
        LicenceCategory,
        PersonRole,
    )
    from .models import BusinessType as BT

    require_cap(actor, Cap.REGISTER_CHANGE)
    errors: dict[str, str] = {}
    if kind not in ApplicationKind.values:
        errors["kind"] = _("请选择申请类型（新办、延续或变更）")
    if category not in LicenceCategory.values:
        errors["category"] = _("请选择许可类别")
    if business is not None:
        require_in_scope(actor, region=business.region_id, business_type=business.business_type)
        applicant_name, credit_code = business.name, business.credit_code or ""
        address, region_code, business_type = business.address, business.region_id, business.business_type
    else:
        if kind != ApplicationKind.NEW:
            errors["business"] = _("延续、变更须选择登记簿中的经营主体")
        if not applicant_name.strip():
            errors["applicant_name"] = _("请填写申请人名称")
        if credit_code.strip():
            try:
                credit_code = validate_credit_code(credit_code)
            except CodeError as e:
                errors["credit_code"] = str(e)
        if business_type not in BT.values:
            errors["business_type"] = _("请选择主体业态")
        if not Region.objects.filter(code=region_code).exists():
            errors["region_code"] = _("请选择所属镇街")
        elif not scope_for(actor).allows_region(region_code):
            errors["region_code"] = _("该镇街不在您的辖区内")
    if not isinstance(received_on, dt.date) or received_on > timezone.localdate():
        errors["received_on"] = _("受理日期不能晚于今天")
    elif received_on < rules.LICENSING_EDITIONS[0].valid_from:
        errors["received_on"] = _("受理日期早于许可规则的施行日期")
    if not persons:
        errors["persons"] = _("请至少填写一名法定代表人或负责人")
    for i, p in enumerate(persons, start=1):
        if p.role not in PersonRole.values:
            errors[f"persons[{i}].role"] = _("第 %(n)d 名人员：请选择身份") % {"n": i}
        if not p.name.strip():
            errors[f"persons[{i}].name"] = _("第 %(n)d 名人员：请填写姓名") % {"n": i}
        if len(personchecks.normalise_id(p.id_number)) not in (15, 18):
            errors[f"persons[{i}].id_number"] = _("第 %(n)d 名人员：身份证件号码应为18位") % {"n": i}
    if errors:
        raise ValidationError(errors)
    edition = rules.licensing_edition(received_on)
    cal = WorkingCalendar()
    due = cal.deadline(received_on, edition.decision_working_days)
    with transaction.atomic():
        app = LicenceApplication.objects.create(
            kind=kind,
            category=category,
            business=business,
            applicant_name=applicant_name.strip()[:200],
            credit_code=credit_code or "",
            address=address.strip()[:200],
            business_type=business_type,
            region_id=region_code,
            received_on=received_on,
            due_on=due.due,
            due_provisional=due.provisional,
        )
        ApplicationPerson.objects.bulk_create(
            ApplicationPerson(
                application=app,
                role=p.role,
                name=p.name.strip()[:50],
                id_key=personchecks.person_key(p.id_number),
                id_masked=rules.mask_id(personchecks.normalise_id(p.id_number)),
            )
            for p in persons
        )
        app.ban_blocks = application_ban_check(app, received_on)
        app.checked_on = received_on
        app.save(update_fields=["ban_blocks", "checked_on"])
        note = _("%(n)d 个工作日内作出决定（%(source)s）") % {
            "n": edition.decision_working_days,
            "source": edition.decision_source,
        }
        ApplicationStep.objects.create(
            application=app, from_status="", to_status=app.status, on=received_on, note=note[:300], by=actor
        )
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.CREATE,
                object_type=APPLICATION_OBJECT,
                object_id=str(app.pk),
                object_repr=app.applicant_name,
                region_code=app.region_id,
                after=_application_state(app),
                extra={"persons": [{"role": p.role, "name": p.name.strip()} for p in persons]},
            ),
        )
    return app


def _grant_licence(*, actor: User, source: str, app: Any, on: dt.date) -> Business:
    """Write the granted licence onto the business through the register's write path (新办 without
    a business creates it), returning the business."""
    from . import rules
    from .models import ApplicationKind, LicenceCategory

    production = app.category == LicenceCategory.PRODUCTION
    business = app.business
    current_until = business.licence_valid_until if business else None
    until = rules.licence_valid_until(
        granted_on=on, current_until=current_until, renewal=app.kind == ApplicationKind.RENEWAL
    )
    field = "production_licence" if production else "business_licence"
    number = getattr(business, field, None) if business else None
    if not number:
        number = rules.business_licence_number(
            business_type=app.business_type,
            region_code=app.region_id,
            serial=900000 + app.pk % 100000,
            production=production,
        )
    if app.kind == ApplicationKind.CHANGE and current_until:
        until = current_until  # 变更 keeps the licence's term
    if business is None:
        data = BusinessInput(
            name=app.applicant_name,
            credit_code=app.credit_code or None,
            business_type=app.business_type,
            region_code=app.region_id,
            address=app.address,
            legal_representative=next(
                (p.name for p in app.persons.all() if p.role == "legal_representative"), ""
            ),
            opened_on=on,
            licence_valid_until=until,
        )
        setattr(data, field, number)
        return business_create(actor=actor, source=source, data=data)
    categories = list(
        BusinessFoodCategory.objects.filter(business=business).values_list("category_id", flat=True)
    )
    values: dict[str, Any] = {f: getattr(business, f) for f in _MODEL_FIELDS}
    values.update({field: number, "licence_valid_until": until})
    data = BusinessInput(region_code=business.region_id, categories=categories, **values)
    return business_update(actor=actor, source=source, business=business, data=data)


def application_transition(
    *, actor: User, source: str, application: Any, target: str, on: dt.date, reason: str = ""
) -> Any:
    """Move an application along its one transition table. 准予 re-checks the named persons against
    the bans in force on `on`: a banned person blocks the grant (the check is recorded and audited,
    nothing else changes). 准予 writes the licence onto the business in the same transaction."""
    from . import workflow
    from .models import ApplicationStep, LicenceApplication

    require_cap(actor, Cap.REGISTER_CHANGE)
    require_in_scope(actor, region=application.region_id, business_type=application.business_type)
    reason = (reason or "").strip()
    with transaction.atomic():
        app = LicenceApplication.objects.select_for_update().get(pk=application.pk)
        if not workflow.allowed(app.status, target):
            raise ValidationError({"target": _("当前状态不能办理此操作")})
        if target in workflow.NEEDS_REASON and not reason:
            raise ValidationError({"reason": _("不予许可或撤回须写明理由")})
        if not isinstance(on, dt.date) or on < app.received_on or on > timezone.localdate():
            raise ValidationError({"on": _("日期应在受理日期与今天之间")})
        before = _application_state(app)
        if target == workflow.GRANTED:
            blocks = application_ban_check(app, on)
            if blocks:
                app.ban_blocks, app.checked_on = blocks, on
                app.save(update_fields=["ban_blocks", "checked_on"])
                audit_record(
                    actor=actor,
                    source=source,
                    event=AuditEvent(
                        action=AuditAction.UPDATE,
                        object_type=APPLICATION_OBJECT,
                        object_id=str(app.pk),
                        object_repr=app.applicant_name,
                        region_code=app.region_id,
                        before=before,
                        after=_application_state(app),
                        extra={"refused_transition": target, "reason": "ban"},
                    ),
                )
                blocked = True
            else:
                app.ban_blocks, app.checked_on = [], on
                blocked = False
        else:
            blocked = False
        if not blocked:
            if target == workflow.GRANTED:
                business = _grant_licence(actor=actor, source=source, app=app, on=on)
                app.business = business
                production = app.category == "production"
                app.licence_number = (
                    business.production_licence if production else business.business_licence
                ) or ""
                app.licence_valid_until = business.licence_valid_until
            app.status = target
            if target in (workflow.GRANTED, workflow.REFUSED, workflow.WITHDRAWN):
                app.decided_on = on
            app.reason = reason[:300]
            app.save()
            ApplicationStep.objects.create(
                application=app,
                from_status=before["status"],
                to_status=target,
                on=on,
                note=reason[:300],
                by=actor,
            )
            audit_record(
                actor=actor,
                source=source,
                event=AuditEvent(
                    action=AuditAction.UPDATE,
                    object_type=APPLICATION_OBJECT,
                    object_id=str(app.pk),
                    object_repr=app.applicant_name,
                    region_code=app.region_id,
                    before=before,
                    after=_application_state(app),
                ),
            )
    if blocked:
        # Outside the block: the check's record above is committed, the grant is refused.
        raise ValidationError({"target": "；".join(ban_block_message(b, full=False) for b in app.ban_blocks)})
    return app
