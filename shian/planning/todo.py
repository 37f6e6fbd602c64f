"""What the annual plan owes each person: the office's approvals (reports and figures submitted to
it) and late items (reports not in, supervision notices unanswered past their date); a unit's or a
town's reports due and notices to answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Min
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core.models import Role
from shian.core.permissions import Cap, has_cap
from shian.core.todo import KeyFigure, TodoItem

from . import selectors
from .models import FigureStatus, NoticeStatus, ReportedFigure, ReportStatus

# A report is listed as due this many days before its date.
REPORT_NOTICE_DAYS = 30


def planning_todo(user: Any, today: dt.date) -> list[TodoItem]:
    if not has_cap(user, Cap.PLAN_VIEW):
        return []
    try:
        plan = selectors.plan_for_year(year=today.year)
    except Http404:
        return []
    items: list[TodoItem] = []
    reports = selectors.reports_for_user(user=user, plan=plan)
    notices = selectors.notices_for_user(user=user, plan=plan)
    reports_url = reverse("planning:reports", args=[plan.year])
    notices_url = reverse("planning:notices", args=[plan.year])
    not_in = reports.filter(status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED])
    if has_cap(user, Cap.PLAN_MANAGE):
        waiting = reports.filter(status=ReportStatus.SUBMITTED)
        items.append(
            TodoItem(
                module="planning",
                key="reports_to_decide",
                title=_("Reports submitted to you: accept or return"),
                url=reports_url,
                count=waiting.count(),
                priority=20,
            )
        )
        figures = ReportedFigure.objects.filter(
            selectors.unit_q(user), target__task__plan=plan, status=FigureStatus.SUBMITTED
        )
        items.append(
            TodoItem(
                module="planning",
                key="figures_to_check",
                title=_("Reported figures to check"),
                url=reverse("planning:overview", args=[plan.year]),
                count=figures.count(),
                priority=25,
            )
        )
        late = not_in.filter(due__lt=today)
        items.append(
            TodoItem(
                module="planning",
                key="reports_late",
                title=_("Reports from units and towns not in by their date"),
                url=reports_url,
                count=late.count(),
                due=late.aggregate(d=Min("due"))["d"],
                overdue=True,
                priority=30,
            )
        )
        unanswered = notices.filter(status=NoticeStatus.ISSUED, response_due__lt=today)
        items.append(
            TodoItem(
                module="planning",
                key="notices_unanswered",
                title=_("Supervision notices unanswered past their date"),
                url=notices_url + "?status=overdue",
                count=unanswered.count(),
                due=unanswered.aggregate(d=Min("response_due"))["d"],
                overdue=True,
                priority=35,
            )
        )
    elif has_cap(user, Cap.PLAN_REPORT):
        due = not_in.filter(due__lte=today + dt.timedelta(days=REPORT_NOTICE_DAYS))
        first = due.aggregate(d=Min("due"))["d"]
        items.append(
            TodoItem(
                module="planning",
                key="reports_due",
                title=_("Your progress reports due"),
                url=reports_url,
                count=due.count(),
                due=first,
                overdue=bool(first and first < today),
                priority=20,
            )
        )
        to_answer = notices.filter(status=NoticeStatus.ISSUED)
        first_notice = to_answer.aggregate(d=Min("response_due"))["d"]
        items.append(
            TodoItem(
                module="planning",
                key="notices_to_answer",
                title=_("Supervision notices to answer"),
                url=notices_url + "?status=issued",
                count=to_answer.count(),
                due=first_notice,
                overdue=bool(first_notice and first_notice < today),
                priority=15,
            )
        )
    return items


def planning_figures(user: Any, today: dt.date) -> list[KeyFigure]:
    """The office's reports waiting for its decision and those late; a town's reports due and its
    place in the latest published food-safety index (shown whether or not this year's plan is
    loaded)."""
    if not has_cap(user, Cap.PLAN_VIEW):
        return []
    out = _town_index(user)
    try:
        plan = selectors.plan_for_year(year=today.year)
    except Http404:
        return out
    reports = selectors.reports_for_user(user=user, plan=plan)
    reports_url = reverse("planning:reports", args=[plan.year])
    not_in = reports.filter(status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED])
    if has_cap(user, Cap.PLAN_MANAGE):
        late = not_in.filter(due__lt=today).count()
        return [
            KeyFigure(
                module="planning",
                key="reports_to_decide",
                label=_("Reports awaiting your approval"),
                value=reports.filter(status=ReportStatus.SUBMITTED).count(),
                url=reports_url,
                priority=20,
            ),
            KeyFigure(
                module="planning",
                key="reports_late",
                label=_("Reports late"),
                value=late,
                url=reports_url,
                alert=bool(late),
                priority=21,
            ),
        ]
    if not has_cap(user, Cap.PLAN_REPORT):
        return out
    due = not_in.filter(due__lte=today + dt.timedelta(days=REPORT_NOTICE_DAYS))
    return [
        KeyFigure(
            module="planning",
            key="reports_due",
            label=_("Your reports due within 30 days"),
            value=due.count(),
            url=reports_url,
            alert=due.filter(due__lt=today).exists(),
            priority=25,
        ),
        *out,
    ]


def _town_index(user: Any) -> list[KeyFigure]:
    """A town officer's town in the latest published food-safety index: score and rank."""
    if getattr(user, "role", "") != Role.TOWN_OFFICER or not user.region_id:
        return []
    from shian.metrics import selectors as index_selectors  # the index reads the plan: import late

    published = index_selectors.index_trend_for_user(user=user, region=user.region_id)
    last = published[-1] if published else None
    if last is None:
        detail = _("No index published yet")
    elif last.rank:
        detail = _("%(year)s Q%(quarter)s, rank %(rank)s") % {
            "year": last.year,
            "quarter": last.quarter,
            "rank": last.rank,
        }
    else:
        detail = ""
    return [
        KeyFigure(
            module="planning",
            key="town_index",
            label=_("Your town's food-safety index"),
            value=None if last is None or last.score is None else f"{last.score:.1f}",
            url=reverse("metrics:town", args=[user.region_id]),
            detail=detail,
            priority=26,
        )
    ]
