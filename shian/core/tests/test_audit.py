"""The audit chain: every write leaves an entry; the log is append-only in the database; any
alteration, removal or insertion is found by `shian audit verify`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from shian.core.audit import AuditEvent, audit_record, audit_verify
from shian.core.models import AuditEntry
from shian.registry.tests.factories import business_input, make_business

pytestmark = pytest.mark.django_db


def _disable_guard():
    """What an attacker with database access would do first: drop the append-only guard."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        else:
            cur.execute("DROP TRIGGER core_auditentry_no_update")
            cur.execute("DROP TRIGGER core_auditentry_no_delete")


def _three_entries():
    make_business(name="甲餐厅")
    make_business(name="乙超市", business_type="wholesale_retail")
    make_business(name="丙面馆")
    return list(AuditEntry.objects.order_by("seq"))


def test_chain_of_fresh_writes_is_whole():
    entries = _three_entries()
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[1].prev_hash == entries[0].entry_hash
    report = audit_verify()
    assert report.ok and report.checked == 3 and report.head_seq == 3


def test_update_and_delete_are_refused_by_the_database():
    _three_entries()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=2).update(object_repr="改过的")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=3).delete()
    assert AuditEntry.objects.get(seq=2).object_repr == "乙超市"


def test_altered_entry_is_found(capsys):
    _three_entries()
    _disable_guard()
    AuditEntry.objects.filter(seq=2).update(after={"name": "篡改"})
    report = audit_verify()
    assert not report.ok and report.broken_seq == 2 and "altered" in report.reason
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
    assert "#2" in capsys.readouterr().err


def test_removed_entry_in_the_middle_is_found():
    _three_entries()
    _disable_guard()
    AuditEntry.objects.filter(seq=2).delete()
    report = audit_verify()
    assert not report.ok and report.broken_seq == 2 and "missing" in report.reason


def test_removed_last_entry_is_found_through_the_head():
    _three_entries()
    _disable_guard()
    AuditEntry.objects.filter(seq=3).delete()
    report = audit_verify()
    assert not report.ok and report.broken_seq == 3


def test_rehashed_forgery_breaks_the_next_link():
    """Rewriting an entry and recomputing its own hash still breaks the link from the next entry."""
    from shian.core.audit import entry_hash

    _three_entries()
    _disable_guard()
    forged = AuditEntry.objects.get(seq=1)
    forged.object_repr = "伪造"
    forged.entry_hash = entry_hash(forged)
    AuditEntry.objects.filter(seq=1).update(object_repr="伪造", entry_hash=forged.entry_hash)
    report = audit_verify()
    assert not report.ok and report.broken_seq == 2


def test_verify_command_exit_zero_when_whole(capsys):
    _three_entries()
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out


def test_entries_must_be_written_inside_the_change_transaction():
    with pytest.raises(RuntimeError):
        # Outside any atomic block (pytest-django wraps tests in one, so leave it explicitly).
        from shian.core import audit

        real = connection.in_atomic_block
        try:
            connection.in_atomic_block = False
            audit.audit_record_many(
                actor=None,
                source="system",
                events=[AuditEvent(action="create", object_type="x", object_id="1")],
            )
        finally:
            connection.in_atomic_block = real


def test_failed_change_leaves_no_entry():
    before = AuditEntry.objects.count()
    with pytest.raises(ValueError), transaction.atomic():
        audit_record(
            actor=None, source="system", event=AuditEvent(action="create", object_type="t", object_id="1")
        )
        raise ValueError("the change failed after its entry was written")
    assert AuditEntry.objects.count() == before
    assert audit_verify().ok


def test_update_records_before_and_after():
    from shian.registry.services import business_bulk_upsert

    b = make_business(name="丁餐厅", address="旧地址1号")
    data = business_input(name="丁餐厅", credit_code=b.credit_code, address="新地址2号")
    business_bulk_upsert(actor=None, source="system", data=[data], check_permission=False)
    entry = AuditEntry.objects.filter(object_id=str(b.pk), action="update").get()
    assert entry.before == {"address": "旧地址1号"} and entry.after == {"address": "新地址2号"}


def test_large_batch_is_serialised_once_and_verifies_like_single_entries():
    """Above 50 events the chain takes the bulk path (each side serialised once, stored as that
    text): the entries read back as the same values, and verify recomputes the same hashes."""
    import datetime as dt
    from decimal import Decimal

    from shian.core.audit import audit_record_many, audit_value

    audit_record(
        actor=None, source="system", event=AuditEvent(action="create", object_type="t", object_id="0")
    )
    after = {
        "name": "北辰区“放心”餐厅\\n",
        "amount": Decimal("1.50"),
        "on": dt.date(2022, 3, 1),
        "nested": {"z": [1, "二"], "a": None},
    }
    events = [
        AuditEvent(action="update", object_type="t", object_id=str(i), before={"n": i}, after=after)
        for i in range(1, 61)
    ]
    with transaction.atomic():
        audit_record_many(actor=None, source="system", events=events)
    stored = list(AuditEntry.objects.order_by("seq"))
    assert len(stored) == 61
    assert stored[10].after == audit_value(after)
    assert stored[10].before == {"n": 10}
    assert stored[1].prev_hash == stored[0].entry_hash
    report = audit_verify()
    assert report.ok and report.checked == 61


_JSON_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])
    | st.sampled_from('\x00\x1f\x7f\u2028\u2029\ufeff"\\/'),
    max_size=12,
)
_JSON_NATIVE = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | _JSON_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_TEXT, inner, max_size=4),
    max_leaves=20,
)


@pytest.mark.django_db(databases=[])
@settings(max_examples=400, deadline=None)
@given(_JSON_NATIVE)
def test_fast_serialiser_writes_the_bytes_the_chain_has_always_hashed(value):
    """The hash covers compact, key-sorted JSON as the standard library writes it; the faster
    serialiser must write the same bytes for every value audit_value() can produce (control
    characters, quotes, non-BMP characters, key order), or old entries would stop verifying."""
    import json

    from shian.core.audit import _dumps

    assert _dumps(value) == json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def test_serialiser_falls_back_for_what_the_fast_one_refuses():
    """An integer beyond 64 bits is refused by orjson; the standard library writes it."""
    from shian.core.audit import _dumps

    assert _dumps({"b": 2**70, "a": [1]}) == '{"a":[1],"b":1180591620717411303424}'
