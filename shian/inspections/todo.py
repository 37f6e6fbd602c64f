"""What inspections owe each person: an inspector's unfinished drafts and the rectification orders
from their own visits to follow up; a town officer's and the office's overdue orders in scope.
(Planned and drawn visits come from the risk module, which makes the plan and the draws.)"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core.calendar import WorkingCalendar
from shian.core.models import Role
from shian.core.permissions import Cap, has_cap
from shian.core.related import RelatedLink
from shian.core.todo import KeyFigure, TodoItem

from . import selectors
from .models import RectificationStatus

# Single drafts listed one by one (each with its own link); more are behind one counted line.
DRAFTS_LISTED = 5
# Orders due within this many working days are listed to follow up (the list's own filter).
SOON_WORKING_DAYS = 5


def inspections_todo(user: Any, today: dt.date) -> list[TodoItem]:
    items: list[TodoItem] = []
    if has_cap(user, Cap.INSPECTION_RECORD):
        drafts = selectors.drafts_for_user(user=user)
        first = list(drafts[: DRAFTS_LISTED + 1])
        if len(first) > DRAFTS_LISTED:
            items.append(
                TodoItem(
                    module="inspections",
                    key="drafts",
                    title=_("Inspection records not yet submitted"),
                    url=reverse("inspections:list")
                    + "?"
                    + urlencode({"status": "draft", "inspector": user.pk}),
                    count=drafts.count(),
                    due=first[0].inspected_on,
                    priority=20,
                )
            )
        else:
            items.extend(
                TodoItem(
                    module="inspections",
                    key=f"draft-{d.pk}",
                    title=_("Finish the inspection record: %(business)s") % {"business": d.business.name},
                    url=reverse("inspections:form", args=[d.pk]),
                    detail=f"{d.inspected_on:%Y-%m-%d} · {d.get_kind_display()}",
                    action=_("Continue"),
                    priority=20,
                )
                for d in first
            )
        mine = selectors.rectifications_to_follow_for_user(user=user)
        late = mine.filter(due__lt=today)
        soon = mine.filter(due__gte=today, due__lte=WorkingCalendar().deadline(today, SOON_WORKING_DAYS).due)
        first_late = late.order_by("due").values_list("due", flat=True).first()
        items.append(
            TodoItem(
                module="inspections",
                key="rectifications_overdue_mine",
                title=_("Rectification orders from your inspections past their deadline"),
                url=reverse("inspections:rectifications") + "?overdue=1",
                count=late.count(),
                due=first_late,
                overdue=True,
                priority=10,
            )
        )
        first_soon = soon.order_by("due").values_list("due", flat=True).first()
        items.append(
            TodoItem(
                module="inspections",
                key="rectifications_due_mine",
                title=_("Rectification orders from your inspections due within five working days: follow up"),
                url=reverse("inspections:rectifications") + f"?status=open&due_within={SOON_WORKING_DAYS}",
                count=soon.count(),
                due=first_soon,
                priority=30,
            )
        )
    if getattr(user, "role", "") in (
        Role.TOWN_OFFICER,
        Role.DISTRICT_OFFICER,
        Role.DISTRICT_ADMIN,
    ) and has_cap(user, Cap.INSPECTION_VIEW):
        late_all = selectors.rectification_queryset_for_user(user=user).filter(
            status=RectificationStatus.OPEN, due__lt=today
        )
        items.append(
            TodoItem(
                module="inspections",
                key="rectifications_overdue",
                title=_("Rectification orders past their deadline"),
                url=reverse("inspections:rectifications") + "?overdue=1",
                count=late_all.count(),
                due=late_all.order_by("due").values_list("due", flat=True).first(),
                overdue=True,
                priority=40,
            )
        )
    return items


def inspections_figures(user: Any, today: dt.date) -> list[KeyFigure]:
    """An inspector's unsubmitted records and the orders from their visits still open; a town's
    and the office's orders past their deadline."""
    out: list[KeyFigure] = []
    if getattr(user, "role", "") == Role.INSPECTOR and has_cap(user, Cap.INSPECTION_RECORD):
        mine = selectors.rectifications_to_follow_for_user(user=user)
        out.append(
            KeyFigure(
                module="inspections",
                key="drafts",
                label=_("Records not yet submitted"),
                value=selectors.drafts_for_user(user=user).count(),
                url=reverse("inspections:list") + "?" + urlencode({"status": "draft", "inspector": user.pk}),
                priority=20,
            )
        )
        late = mine.filter(due__lt=today).count()
        out.append(
            KeyFigure(
                module="inspections",
                key="rectifications_to_follow",
                label=_("Rectification orders to follow up"),
                value=mine.count(),
                url=reverse("inspections:rectifications") + "?status=open",
                detail=_("%(n)s past their deadline") % {"n": late} if late else "",
                alert=bool(late),
                priority=21,
            )
        )
    elif getattr(user, "role", "") in (
        Role.TOWN_OFFICER,
        Role.DISTRICT_OFFICER,
        Role.DISTRICT_ADMIN,
    ) and has_cap(user, Cap.INSPECTION_VIEW):
        late = (
            selectors.rectification_queryset_for_user(user=user)
            .filter(status=RectificationStatus.OPEN, due__lt=today)
            .count()
        )
        out.append(
            KeyFigure(
                module="inspections",
                key="rectifications_overdue",
                label=_("Rectification orders overdue"),
                value=late,
                url=reverse("inspections:rectifications") + "?overdue=1",
                alert=bool(late),
                priority=30,
            )
        )
    return out


def inspections_related(user: Any, business: Any) -> list[RelatedLink]:
    """The business page's link to its inspections (count and latest result)."""
    if not has_cap(user, Cap.INSPECTION_VIEW):
        return []
    links: list[RelatedLink] = []
    if has_cap(user, Cap.INSPECTION_RECORD) and business.status == "active":
        links.append(
            RelatedLink(
                module="inspections",
                key="start",
                title=_("Start inspection"),
                url=reverse("inspections:start") + f"?business={business.pk}",
                action=True,
            )
        )
    count, latest = selectors.business_inspection_summary_for_user(user=user, business_id=business.pk)
    detail, status = "", ""
    if latest is not None:
        detail = f"{latest.inspected_on:%Y-%m-%d} {latest.get_result_display()}"
        status = {"pass": "chip-good", "basic": "chip-warn", "fail": "chip-bad"}.get(latest.result, "")
    return [
        *links,
        RelatedLink(
            module="inspections",
            key="inspections",
            title=_("Inspections"),
            url=reverse("inspections:list") + f"?business={business.pk}",
            count=count,
            detail=detail,
            status=status,
            order=20,
        ),
    ]
