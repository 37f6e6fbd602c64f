"""Helpers shared by the trace tests."""

from __future__ import annotations

from shian.core.models import AuditEntry
from shian.trace.models import Capture, EventLot, Lot, LotEdge, TraceEvent


def written() -> tuple[int, int, int, int, int, int]:
    """What a capture writes, counted: events, lot nodes, edges, lot links, captures and audit
    entries (in that order), so a test can say that a refused capture wrote nothing at all."""
    return (
        TraceEvent.objects.count(),
        Lot.objects.count(),
        LotEdge.objects.count(),
        EventLot.objects.count(),
        Capture.objects.count(),
        AuditEntry.objects.count(),
    )
