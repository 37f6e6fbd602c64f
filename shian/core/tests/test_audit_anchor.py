"""`shian audit anchor` and `verify --anchor`: a head kept outside the database proves that nothing
before it was rewritten, even by someone who rehashed the whole chain; verify reads one snapshot
bounded by the head, so entries a writer appends meanwhile never read as a break."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from shian.core.audit import audit_anchor, audit_verify, entry_hash
from shian.core.models import AuditChainHead, AuditEntry
from shian.registry.tests.factories import make_business

from .test_audit import _disable_guard, _three_entries

pytestmark = pytest.mark.django_db


def test_anchor_prints_the_head_and_records_itself(capsys):
    _three_entries()
    call_command("audit", "anchor")
    out = capsys.readouterr().out
    head3 = AuditEntry.objects.get(seq=3).entry_hash
    assert f"#3 {head3}" in out
    recorded = AuditEntry.objects.get(seq=4)
    assert recorded.object_type == "core.auditanchor" and recorded.after == {"seq": 3, "hash": head3}


def test_verify_with_the_anchor_passes_and_with_an_unknown_hash_fails(capsys):
    _three_entries()
    _seq, anchor = audit_anchor()
    make_business(name="丁酒家")  # the chain goes on after the anchor
    assert audit_verify(anchor=anchor).ok
    call_command("audit", "verify", "--anchor", anchor)
    report = audit_verify(anchor="f" * 64)
    assert not report.ok and "anchor" in report.reason
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify", "--anchor", "not-a-hash")
    assert exc.value.code == 2


def test_a_chain_rewritten_and_rehashed_end_to_end_is_caught_only_by_the_anchor():
    _three_entries()
    _seq, anchor = audit_anchor()
    _disable_guard()
    # The forger rewrites entry 1 and recomputes every later link and the head: the chain alone
    # is whole again.
    prev = "0" * 64
    for entry in AuditEntry.objects.order_by("seq"):
        if entry.seq == 1:
            entry.object_repr = "伪造"
        entry.prev_hash = prev
        entry.entry_hash = entry_hash(entry)
        AuditEntry.objects.filter(pk=entry.pk).update(
            object_repr=entry.object_repr, prev_hash=entry.prev_hash, entry_hash=entry.entry_hash
        )
        prev = entry.entry_hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    assert audit_verify().ok
    report = audit_verify(anchor=anchor)
    assert not report.ok and "rewritten" in report.reason


def test_an_entry_appended_after_the_head_was_read_is_left_to_the_next_run():
    """What verify sees while a writer commits: the head it read, and perhaps an entry beyond it
    (PostgreSQL's READ COMMITTED shows rows committed after the first statement). The walk stops at
    the head it read, so a busy server never reads as a broken chain."""
    _three_entries()
    head = AuditChainHead.objects.get(pk=1)
    ahead = AuditEntry.objects.get(seq=3)
    ahead.pk, ahead.seq, ahead.prev_hash = None, 4, head.last_hash
    ahead.entry_hash = entry_hash(ahead)
    ahead.save()  # the head still says #3, as if its update were not visible yet
    report = audit_verify()
    assert report.ok and report.checked == 3
