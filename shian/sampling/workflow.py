"""The sample's life as a transition table (DESIGN.md: one table per workflow, one service that
validates and records every change). Pure Python: the service in services.py consults it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SampleStatus(models.TextChoices):
    TASK = "task", _("Task")
    SAMPLED = "sampled", _("Sampled on site")
    DELIVERED = "delivered", _("Delivered to the lab")
    TESTED = "tested", _("Tested")
    JUDGED_QUALIFIED = "qualified", _("Judged qualified")
    JUDGED_UNQUALIFIED = "unqualified", _("Judged unqualified")
    NOTIFIED = "notified", _("Business notified")
    RETEST = "retest", _("Re-test (复检) under way")
    OBJECTION = "objection", _("Objection (异议) under review")
    DISPOSAL = "disposal", _("Verification and disposal (核查处置)")
    CLOSED = "closed", pgettext_lazy("sample", "Closed")
    CANCELLED = "cancelled", _("Cancelled")


S = SampleStatus

# status -> statuses it may move to. A qualified sample closes; an unqualified one is notified,
# may go through re-test or objection (each may return to notified with the final result, or to
# closed when the re-test clears it), and is closed only through disposal.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.TASK: frozenset({S.SAMPLED, S.CANCELLED}),
    S.SAMPLED: frozenset({S.DELIVERED, S.CANCELLED}),
    S.DELIVERED: frozenset({S.TESTED}),
    S.TESTED: frozenset({S.JUDGED_QUALIFIED, S.JUDGED_UNQUALIFIED}),
    S.JUDGED_QUALIFIED: frozenset({S.CLOSED}),
    S.JUDGED_UNQUALIFIED: frozenset({S.NOTIFIED}),
    S.NOTIFIED: frozenset({S.RETEST, S.OBJECTION, S.DISPOSAL}),
    S.RETEST: frozenset({S.DISPOSAL, S.CLOSED}),
    S.OBJECTION: frozenset({S.DISPOSAL, S.CLOSED}),
    S.DISPOSAL: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}

# The deadline (data/deadlines.toml code) that starts when a sample enters a status.
DEADLINE_ON_ENTRY: dict[str, tuple[str, ...]] = {
    S.SAMPLED: ("delivery",),
    S.DELIVERED: ("lab_report",),
    S.JUDGED_UNQUALIFIED: ("notify",),
    S.NOTIFIED: ("retest_application", "objection", "disposal"),
    S.RETEST: ("retest_acceptance",),
}


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


# -- quick tests (快检) -----------------------------------------------------------------------------


class QuickTestStatus(models.TextChoices):
    TESTED = "tested", _("已检测")
    NOTIFIED = "notified", _("已告知经营者（异议期内）")
    OBJECTION = "objection", _("已提出异议，待复检")
    CONFIRMED = "confirmed", _("阳性确认，待监督抽检")
    OVERTURNED = "overturned", _("复检推翻")
    CLOSED = "closed", _("已结案")


Q = QuickTestStatus

# A negative closes at once. A positive is told to the operator, whose objection window (4 clock
# hours, 食品安全法第八十八条第二款) either expires (confirmed) or holds an objection, settled by a
# laboratory re-test: confirmed or overturned. A confirmed positive closes only once its follow-up
# supervisory sample exists; an overturned one closes with its measures lifted.
QUICK_TEST_TRANSITIONS: dict[str, frozenset[str]] = {
    Q.TESTED: frozenset({Q.NOTIFIED, Q.CLOSED}),
    Q.NOTIFIED: frozenset({Q.OBJECTION, Q.CONFIRMED}),
    Q.OBJECTION: frozenset({Q.CONFIRMED, Q.OVERTURNED}),
    Q.CONFIRMED: frozenset({Q.CLOSED}),
    Q.OVERTURNED: frozenset({Q.CLOSED}),
    Q.CLOSED: frozenset(),
}


def quick_test_can_transition(current: str, new: str) -> bool:
    return new in QUICK_TEST_TRANSITIONS.get(current, frozenset())
