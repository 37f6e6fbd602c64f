"""Inspections as the tests need them: a draft with its answers, and a submitted record."""

from __future__ import annotations

import datetime as dt

from shian.core.models import AuditSource
from shian.inspections import services
from shian.inspections.models import Inspection

ALL = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]


def draft(business, on: dt.date, team, findings: dict[str, str]) -> Inspection:
    """A draft whose items in `findings` fail with those notes and whose other items pass."""
    i = services.inspection_create(
        actor=None, source=AuditSource.SYSTEM, business=business, inspected_on=on, inspectors=team
    )
    services.inspection_record_answers(
        actor=None,
        source=AuditSource.SYSTEM,
        inspection=i,
        answers={c: ("fail" if c in findings else "pass") for c in ALL},
        findings=findings,
    )
    return i


def submitted(business, on: dt.date, team, fail=("C1",), note: str = "问题") -> Inspection:
    """A signed, submitted inspection failing the items `fail`, each noted `note`."""
    i = draft(business, on, team, dict.fromkeys(fail, note))
    services.inspection_sign(actor=None, source=AuditSource.SYSTEM, inspection=i, signed_by="负责人")
    return services.inspection_submit(actor=None, source=AuditSource.SYSTEM, inspection=i)
