"""The case's life as a transition table (DESIGN.md: one table per workflow, one service that
validates and records every change). A lead (线索) is filed (立案) or not within its clock; a filed
case is investigated (调查取证), the party is told of the intended penalty (告知) and may ask for a
hearing (听证); the decision (决定) is executed (执行) and the case closed (结案). A case that meets
a criminal threshold is transferred to the police (移送公安) and comes back if the police decline."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseStatus(models.TextChoices):
    LEAD = "lead", _("线索核查")
    NOT_FILED = "not_filed", _("不予立案")
    FILED = "filed", _("已立案")
    INVESTIGATION = "investigation", _("调查取证")
    NOTICE = "notice", _("已告知（陈述申辩期）")
    HEARING = "hearing", _("听证")
    DECIDED = "decided", _("已作出处罚决定")
    EXECUTION = "execution", _("执行中")
    TRANSFERRED = "transferred", _("已移送公安机关")
    DISMISSED = "dismissed", _("不予行政处罚／撤销立案")
    CLOSED = "closed", pgettext_lazy("case", "已结案")


S = CaseStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.LEAD: frozenset({S.FILED, S.NOT_FILED, S.TRANSFERRED}),
    S.FILED: frozenset({S.INVESTIGATION, S.TRANSFERRED}),
    S.INVESTIGATION: frozenset({S.NOTICE, S.TRANSFERRED, S.DISMISSED}),
    S.NOTICE: frozenset({S.HEARING, S.DECIDED, S.INVESTIGATION}),
    S.HEARING: frozenset({S.DECIDED, S.INVESTIGATION}),
    # Only through case_decide: the decision carries its basis, kinds and amount.
    S.DECIDED: frozenset({S.EXECUTION}),
    S.EXECUTION: frozenset({S.CLOSED}),
    # The police accept (the administrative case closes) or decline/return it (back to investigation).
    S.TRANSFERRED: frozenset({S.INVESTIGATION, S.CLOSED}),
    S.DISMISSED: frozenset({S.CLOSED}),
    S.NOT_FILED: frozenset(),
    S.CLOSED: frozenset(),
}

OPEN_STATUSES = frozenset(set(S.values) - {S.NOT_FILED, S.CLOSED})
# Statuses under the case term (立案 to 决定): the 90-day clock runs.
TERM_RUNNING = frozenset({S.FILED, S.INVESTIGATION, S.NOTICE, S.HEARING})


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())
