"""The audit chain: record entries inside the caller's transaction, and verify the chain.

Every service calls `audit_record` (or `audit_record_many`) inside its own `transaction.atomic()`,
so an entry exists exactly when the change it describes was committed (zulip's RealmAuditLog).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import orjson
from django.db import connection, connections, models, transaction
from django.utils import timezone

from .bulk import insert_rows
from .models import AuditAction, AuditChainHead, AuditEntry, AuditSource, User

GENESIS_HASH = "0" * 64
_ENTRY_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "action",
    "source",
    "object_type",
    "object_id",
    "object_repr",
    "region_code",
    "before",
    "after",
    "prev_hash",
    "entry_hash",
)


_PLAIN = (str, int, bool, type(None))


def audit_value(value: Any) -> Any:
    """A JSON-native form of a field value whose round trip through JSON storage is exact."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if isinstance(value, Decimal | float):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple | set | frozenset):
        # Plain items are taken as they are: a 100,000-row import calls this for every field.
        items = [v if type(v) in _PLAIN else audit_value(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, Mapping):
        return {str(k): v if type(v) in _PLAIN else audit_value(v) for k, v in value.items()}
    if isinstance(value, bool | int | str):  # subclasses (enums such as TextChoices members)
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Field values of a model instance for an audit entry (foreign keys by their key)."""
    names = list(fields) if fields is not None else [f.attname for f in instance._meta.concrete_fields]
    return {name: audit_value(getattr(instance, name)) for name in names}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


@dataclass
class AuditEvent:
    action: str
    object_type: str
    object_id: str
    object_repr: str = ""
    region_code: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # True when `before` and `after` already hold audit_value()'s JSON-native values (a service
    # that builds 100,000 states for an import makes them native once, not twice).
    native: bool = False


def model_event(
    action: str,
    obj: models.Model,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    region: str = "",
) -> AuditEvent:
    """An event about a saved model instance, named by its app label and primary key."""
    return AuditEvent(
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        region_code=region,
        before=before,
        after=after,
    )


_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _dumps(value: Any) -> str:
    """Compact, key-sorted JSON: the text an entry's hash covers and the text stored.

    For the audit's JSON-native values (str, int, bool, None, lists, dicts with str keys, which
    is all audit_value() makes) orjson writes byte for byte what
    json.dumps(ensure_ascii=False, sort_keys=True, separators=(",", ":")) writes, several
    times faster (test_audit checks the two agree); anything orjson refuses goes to json."""
    try:
        return orjson.dumps(value, option=_ORJSON_OPTIONS).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@functools.lru_cache(maxsize=256)
def _at_text(at: dt.datetime) -> str:
    # A batch stamps every entry with one time: formatted once, not once per entry.
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _canonical(entry: Any, before_json: str | None = None, after_json: str | None = None) -> bytes:
    """The bytes an entry's hash covers: its fields as one compact, key-sorted JSON array.

    A JSON array is its items' JSON joined by commas, so the before/after documents, when the
    caller has already serialised them (to store them), are spliced in rather than encoded twice.
    """
    head = [
        entry.seq,
        _at_text(entry.at),
        entry.actor_id,
        entry.actor_username,
        entry.action,
        entry.source,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        entry.region_code,
    ]
    parts = [
        _dumps(head)[1:-1],
        before_json if before_json is not None else _dumps(entry.before),
        after_json if after_json is not None else _dumps(entry.after),
        _dumps(entry.prev_hash),
    ]
    return ("[" + ",".join(parts) + "]").encode()


def entry_hash(entry: Any, before_json: str | None = None, after_json: str | None = None) -> str:
    return hashlib.sha256(entry.prev_hash.encode() + _canonical(entry, before_json, after_json)).hexdigest()


def audit_record_many(
    *, actor: User | None, source: str, events: Iterable[AuditEvent], batch_size: int = 2000
) -> int:
    """Append events to the chain. Must run inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit entries must be written in the transaction of the change they record")
    events = list(events)
    if not events:
        return 0
    if source not in AuditSource.values:
        raise ValueError(f"unknown audit source {source!r}")
    head = AuditChainHead.objects.select_for_update().get(pk=1)
    now = timezone.now()
    seq, prev = head.last_seq, head.last_hash
    entries: list[Any] = []
    actions = set(AuditAction.values)
    fast = len(events) > 50
    actor_id = actor.pk if actor is not None and actor.pk else None
    for event in events:
        if event.action not in actions:
            raise ValueError(f"unknown audit action {event.action!r}")
        seq += 1
        before, after = event.before, event.after
        if event.extra:
            after = {**(after or {}), **{f"@{k}": audit_value(v) for k, v in event.extra.items()}}
        if not event.native:
            before = audit_value(before) if before is not None else None
            after = audit_value(after) if after is not None else None
        # Large batches skip model instances: the hash reads attributes, the insert reads columns.
        entry = (SimpleNamespace if fast else AuditEntry)(
            seq=seq,
            at=now,
            actor_id=actor_id,
            actor_username=actor.get_username() if actor is not None and actor.pk else "system",
            action=event.action,
            source=source,
            object_type=event.object_type,
            object_id=str(event.object_id),
            object_repr=event.object_repr[:200],
            region_code=event.region_code or "",
            before=before,
            after=after,
            prev_hash=prev,
        )
        if fast:
            # Serialised once: the same text is hashed and stored (insert_rows takes it as JSON).
            entry.before = None if entry.before is None else _dumps(entry.before)
            entry.after = None if entry.after is None else _dumps(entry.after)
            entry.entry_hash = entry_hash(entry, entry.before or "null", entry.after or "null")
        else:
            entry.entry_hash = entry_hash(entry)
        prev = entry.entry_hash
        entries.append(entry)
    if fast:
        insert_rows(
            AuditEntry,
            _ENTRY_FIELDS,
            [[getattr(e, f) for f in _ENTRY_FIELDS] for e in entries],
            json_text=("before", "after"),
        )
    else:
        AuditEntry.objects.bulk_create(entries, batch_size=batch_size)
    head.last_seq, head.last_hash = seq, prev
    head.save(update_fields=["last_seq", "last_hash"])
    return len(entries)


def audit_record(*, actor: User | None, source: str, event: AuditEvent) -> None:
    audit_record_many(actor=actor, source=source, events=[event])


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    reason: str = ""


def _iter_entries(
    chunk: int = 5000, *, upto: int | None = None, using: str = "default"
) -> Iterator[AuditEntry]:
    last = 0
    while True:
        qs = AuditEntry.objects.using(using).filter(seq__gt=last)
        if upto is not None:
            qs = qs.filter(seq__lte=upto)
        batch = list(qs.order_by("seq")[:chunk])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq


@contextlib.contextmanager
def read_snapshot(using: str = "default") -> Iterator[None]:
    """One consistent read of the database that never blocks a writer: a deferred read transaction
    on SQLite (WAL: readers and the writer go on side by side; Django's own atomic() would take the
    write lock at BEGIN IMMEDIATE), REPEATABLE READ READ ONLY on PostgreSQL. Inside an atomic block
    already (a test) it reads in that transaction."""
    conn = connections[using]
    if conn.in_atomic_block:
        yield
        return
    conn.ensure_connection()
    begin = "BEGIN DEFERRED" if conn.vendor == "sqlite" else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    with conn.cursor() as cur:
        cur.execute(begin)
    try:
        yield
    finally:
        with conn.cursor() as cur:
            cur.execute("ROLLBACK")


def audit_verify(*, anchor: str | None = None, using: str = "default") -> ChainReport:
    """Walk the chain from the first entry, in one snapshot that does not block writers; report the
    first entry that was altered, removed or inserted out of order, or a head that does not match
    the last entry. With `anchor` (a chain head printed by `shian audit anchor` and kept outside the
    database), the chain must also pass through that hash: nothing up to it was rewritten."""
    with read_snapshot(using):
        head = AuditChainHead.objects.using(using).get(pk=1)
        prev, expected, checked = GENESIS_HASH, 1, 0
        anchor_seen = anchor is None
        # Entries appended after the head was read belong to a later verification.
        for entry in _iter_entries(upto=head.last_seq, using=using):
            if entry.seq != expected:
                return ChainReport(
                    False,
                    checked,
                    head.last_seq,
                    head.last_hash,
                    expected,
                    f"entry #{expected} is missing (next present is #{entry.seq})",
                )
            if entry.prev_hash != prev:
                return ChainReport(
                    False,
                    checked,
                    head.last_seq,
                    head.last_hash,
                    entry.seq,
                    f"entry #{entry.seq} does not link to entry #{entry.seq - 1}",
                )
            if entry_hash(entry) != entry.entry_hash:
                return ChainReport(
                    False,
                    checked,
                    head.last_seq,
                    head.last_hash,
                    entry.seq,
                    f"entry #{entry.seq} was altered after it was written",
                )
            prev = entry.entry_hash
            if not anchor_seen and entry.entry_hash == anchor:
                anchor_seen = True
            expected += 1
            checked += 1
        if not anchor_seen:
            return ChainReport(
                False,
                checked,
                head.last_seq,
                head.last_hash,
                None,
                f"the anchor {anchor} is not in the chain: entries up to it were rewritten or removed",
            )
        if head.last_seq != checked or head.last_hash != prev:
            return ChainReport(
                False,
                checked,
                head.last_seq,
                head.last_hash,
                checked + 1,
                f"the chain ends at #{checked} but its head says #{head.last_seq}: "
                "entries at the end were removed",
            )
        return ChainReport(True, checked, head.last_seq, head.last_hash)


def audit_anchor(*, actor: User | None = None, source: str = AuditSource.COMMAND) -> tuple[int, str]:
    """The chain's head (sequence, hash) to keep outside the database (printed, filed on paper or
    in another system). The anchoring is itself recorded in the chain, after the head it names."""
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().get(pk=1)
        seq, value = head.last_seq, head.last_hash
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                AuditAction.GENERATE,
                "core.auditanchor",
                str(seq),
                f"#{seq} {value[:12]}",
                after={"seq": seq, "hash": value},
            ),
        )
    return seq, value
