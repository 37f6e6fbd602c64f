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
