"""The life of a complaint and of a report as transition tables (one service validates and records
every change). Complaints (投诉) and reports (举报) are separate flows (《暂行办法》第七条)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("已登记，待受理决定")
    ACCEPTED = "accepted", _("已受理")
    MEDIATING = "mediating", _("调解中")
    MEDIATED = "mediated", _("调解成功")
    MEDIATION_ENDED = "mediation_ended", _("终止调解")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    VERIFYING = "verifying", _("核查中")
    CASE_OPENED = "case_opened", _("已立案")
    NOT_OPENED = "not_opened", _("不予立案")
    CLOSED = "closed", _("已办结")


S = ComplaintStatus

# A complaint: an acceptance decision within 7 working days (第十四条), mediation (第十六条) that
# ends in an agreement or is ended (第二十一条), the parties told, closed.
COMPLAINT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.ACCEPTED, S.NOT_ACCEPTED}),
    S.ACCEPTED: frozenset({S.MEDIATING, S.MEDIATION_ENDED}),
    S.MEDIATING: frozenset({S.MEDIATED, S.MEDIATION_ENDED}),
    S.MEDIATED: frozenset({S.CLOSED}),
    S.MEDIATION_ENDED: frozenset({S.CLOSED}),
    S.NOT_ACCEPTED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}

# A report: the lead verified and a decision whether to open a case (第三十一条第一款), a real-name
# reporter told within 5 working days (第三十一条第二款), closed; a report outside the office's
# competence is not accepted and the reporter told where to go (第二十九条).
REPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.VERIFYING, S.NOT_ACCEPTED}),
    S.VERIFYING: frozenset({S.CASE_OPENED, S.NOT_OPENED}),
    S.CASE_OPENED: frozenset({S.CLOSED}),
    S.NOT_OPENED: frozenset({S.CLOSED}),
    S.NOT_ACCEPTED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}

# The clock event (data/clocks.toml start_event) a status starts, and the clocks a status ends.
EVENT_ON_ENTRY: dict[str, str] = {
    S.ACCEPTED: "accepted",
    S.MEDIATION_ENDED: "mediation_ended",
    S.CASE_OPENED: "case_decided",
    S.NOT_OPENED: "case_decided",
}
CLOCKS_ENDED_BY: dict[str, tuple[str, ...]] = {
    S.ACCEPTED: ("accept_decision",),
    S.NOT_ACCEPTED: ("accept_decision",),
    S.MEDIATED: ("mediation",),
    S.MEDIATION_ENDED: ("mediation",),
    S.CASE_OPENED: ("report_case_decision",),
    S.NOT_OPENED: ("report_case_decision",),
}
# Closing tells the person the outcome: it ends the notice clocks still running.
NOTICE_CLOCKS = ("mediation_end_notice", "report_reply")

# What the public tracking page shows: status only, in the words a resident understands.
PUBLIC_STATUS: dict[str, str] = {
    S.RECEIVED: "已收到，等待受理",
    S.ACCEPTED: "已受理，正在处理",
    S.MEDIATING: "正在调解",
    S.MEDIATED: "已调解",
    S.MEDIATION_ENDED: "调解已终止",
    S.NOT_ACCEPTED: "不予受理（已书面告知）",
    S.VERIFYING: "正在核查",
    S.CASE_OPENED: "已立案查处",
    S.NOT_OPENED: "经核查不予立案",
    S.CLOSED: "已办结",
}


def transitions_for(kind: str) -> dict[str, frozenset[str]]:
    return COMPLAINT_TRANSITIONS if kind == "complaint" else REPORT_TRANSITIONS


def can_transition(kind: str, current: str, new: str) -> bool:
    return new in transitions_for(kind).get(current, frozenset())
