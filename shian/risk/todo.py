"""What the risk module owes each person: an inspector's planned visits due this month (the year's
plan) and the visits random draws assigned them, each with "开始检查"; the office's count of
planned visits overdue in the district. The business page's link to its risk grade."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core.models import Role
from shian.core.permissions import Cap, has_cap
from shian.core.related import RelatedLink
from shian.core.todo import KeyFigure, TodoItem

from . import selectors

# Visits listed one by one on the home page; the rest are behind one counted line ("my visits").
VISITS_LISTED = 6
# Draws looked back on for visits still to make (a draw's results are due within weeks).
DRAWS_LOOKBACK_DAYS = 120


def month_end(today: dt.date) -> dt.date:
    return today.replace(day=calendar.monthrange(today.year, today.month)[1])


def start_url(business_id: int, inspectors: tuple[int, ...] = (), **extra: str) -> str:
    """The start-an-inspection page for a business, with the visit's inspectors preselected."""
    query: list[tuple[str, str]] = [("business", str(business_id))]
    query += [("with", str(i)) for i in inspectors]
    query += [(k, v) for k, v in extra.items() if v]
    return reverse("inspections:start") + "?" + urlencode(query)


def _visits(user: Any, today: dt.date) -> list[Any]:
    """The person's planned visits due by the end of the month or of the week, whichever is later,
    read once per request: the to-do and the key figures share them (reading the cached plan is
    the home page's largest cost). Kept on the user object, which lives as long as the request."""
    memo = user.__dict__.setdefault("_risk_visits", {})
    if today not in memo:
        horizon = max(month_end(today), today + dt.timedelta(days=6 - today.weekday()))
        memo[today] = selectors.planned_visits_for_user(user=user, today=today, horizon=horizon)
    return memo[today]


def _overdue(user: Any, today: dt.date) -> int:
    """How many planned visits in the person's scope are late, read once per request (as above)."""
    memo = user.__dict__.setdefault("_risk_overdue", {})
    if today not in memo:
        memo[today] = selectors.planned_visits_overdue_for_user(user=user, today=today)
    return int(memo[today])


def risk_todo(user: Any, today: dt.date) -> list[TodoItem]:
    items: list[TodoItem] = []
    if getattr(user, "role", "") == Role.INSPECTOR and has_cap(user, Cap.INSPECTION_RECORD):
        visits = [v for v in _visits(user, today) if v.due <= month_end(today)]
        drawn = selectors.drawn_visits_for_user(
            user=user, since=today - dt.timedelta(days=DRAWS_LOOKBACK_DAYS)
        )
        names = selectors.business_names(
            business_ids=[v.business_id for v in visits[:VISITS_LISTED]]
            + [b for _d, b, _w in drawn[:VISITS_LISTED]]
        )
        for d, bid, who in drawn[:VISITS_LISTED]:
            items.append(
                TodoItem(
                    module="risk",
                    key=f"draw-{d.code}-{bid}",
                    title=_("Random draw visit: %(business)s") % {"business": names.get(bid, "")},
                    url=start_url(bid, who, kind="random", draw=d.code),
                    due=d.results_due,
                    overdue=d.results_due < today,
                    detail=d.title,
                    action=_("Start inspection"),
                    priority=15,
                )
            )
        for v in visits[:VISITS_LISTED]:
            items.append(
                TodoItem(
                    module="risk",
                    key=f"visit-{v.business_id}-{v.due:%Y%m%d}",
                    title=_("Planned visit: %(business)s") % {"business": names.get(v.business_id, "")},
                    url=start_url(
                        v.business_id, v.inspectors, **({"full_check": "1"} if v.full_check else {})
                    ),
                    due=v.due,
                    overdue=v.due < today,
                    detail=_("Full checklist") if v.full_check else "",
                    action=_("Start inspection"),
                    priority=25,
                )
            )
        rest = len(visits) + len(drawn) - min(len(visits), VISITS_LISTED) - min(len(drawn), VISITS_LISTED)
        if rest > 0:
            items.append(
                TodoItem(
                    module="risk",
                    key="visits_more",
                    title=_("More visits due this month"),
                    url=reverse("risk:my_visits"),
                    count=rest,
                    priority=90,
                )
            )
    if getattr(user, "role", "") in (Role.DISTRICT_OFFICER, Role.TOWN_OFFICER) and has_cap(
        user, Cap.RISK_VIEW
    ):
        late = _overdue(user, today)
        items.append(
            TodoItem(
                module="risk",
                key="plan_overdue",
                title=_("Planned inspections past their due date"),
                url=reverse("risk:plan", args=[today.year]),
                count=late,
                overdue=True,
                priority=45,
            )
        )
    return items


def risk_figures(user: Any, today: dt.date) -> list[KeyFigure]:
    """An inspector's visits due today and this week (the overdue ones counted in both); a town's
    and the office's planned inspections past their date."""
    role = getattr(user, "role", "")
    if role == Role.INSPECTOR and has_cap(user, Cap.INSPECTION_RECORD):
        week_end = today + dt.timedelta(days=6 - today.weekday())
        visits = [v for v in _visits(user, today) if v.due <= week_end]
        late = sum(1 for v in visits if v.due < today)
        return [
            KeyFigure(
                module="risk",
                key="visits_today",
                label=_("Visits due today"),
                value=sum(1 for v in visits if v.due <= today),
                url=reverse("risk:my_visits"),
                detail=_("%(n)s of them overdue") % {"n": late} if late else "",
                alert=bool(late),
                priority=10,
            ),
            KeyFigure(
                module="risk",
                key="visits_week",
                label=_("Visits due this week"),
                value=len(visits),
                url=reverse("risk:my_visits"),
                priority=11,
            ),
        ]
    if role in (Role.DISTRICT_OFFICER, Role.TOWN_OFFICER) and has_cap(user, Cap.RISK_VIEW):
        late = _overdue(user, today)
        return [
            KeyFigure(
                module="risk",
                key="plan_overdue",
                label=_("Planned inspections overdue"),
                value=late,
                url=reverse("risk:plan", args=[today.year]),
                alert=bool(late),
                priority=40,
            )
        ]
    return []


def risk_related(user: Any, business: Any) -> list[RelatedLink]:
    """The business page's link to its risk grade."""
    if not has_cap(user, Cap.RISK_VIEW):
        return []
    grade = selectors.grade_queryset_for_user(user=user).filter(business_id=business.pk).first()
    if grade is None:
        return [
            RelatedLink(
                module="risk",
                key="grade",
                title=_("Risk grade"),
                url="",
                detail=_("Not graded yet"),
                order=10,
            )
        ]
    return [
        RelatedLink(
            module="risk",
            key="grade",
            title=_("Risk grade"),
            url=reverse("risk:grade_detail", args=[business.pk]),
            detail=_("Grade %(grade)s, graded on %(on)s")
            % {"grade": grade.grade, "on": f"{grade.graded_on:%Y-%m-%d}"},
            status={"A": "chip-good", "B": "chip-neutral", "C": "chip-warn", "D": "chip-bad"}.get(
                grade.grade, ""
            ),
            order=10,
        )
    ]
