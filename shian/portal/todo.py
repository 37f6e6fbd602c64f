"""What the portal owes each person: a business its open rectification orders, the year's
self-inspection report and its licence's renewal; an inspector the businesses' reports awaiting
review; the office the self-inspection reports to review and those not filed by the due date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core.permissions import PortalCap, has_cap
from shian.core.todo import KeyFigure, TodoItem, count_union
from shian.inspections.models import RectificationStatus

from . import rules, selectors
from .models import ReviewStatus


def _business_items(user: Any, today: dt.date) -> list[TodoItem]:
    try:
        business = selectors.own_business(user=user)
    except Http404:
        return []
    items: list[TodoItem] = []
    open_orders = [
        r
        for r in selectors.own_rectifications(user=user).filter(status=RectificationStatus.OPEN)
        if not getattr(r, "report_pending", False)
    ]
    if open_orders:
        items.append(
            TodoItem(
                module="portal",
                key="rectifications_to_report",
                title=_("Rectification orders to report on"),
                url=reverse("portal:home") + "#rectifications",
                count=len(open_orders),
                due=min(r.due for r in open_orders),
                overdue=any(r.due < today for r in open_orders),
            )
        )
    licence = selectors.licence_state(business=business, today=today)
    if licence.state in ("expired", "expiring"):
        items.append(
            TodoItem(
                module="portal",
                key="licence_renewal",
                title=_("Licence renewal"),
                url=reverse("portal:home") + "#licence",
                due=business.licence_valid_until,
                overdue=licence.state == "expired",
                detail=licence.message,
            )
        )
    if selectors.self_inspection_owed(business=business, today=today):
        year = today.year - 1 if today.month == 1 else today.year
        filed = (
            selectors.own_self_inspections(user=user).filter(year=year).exclude(status=ReviewStatus.RETURNED)
        )
        if not filed.exists():
            due = rules.self_inspection_due(year=year, rule=rules.self_inspection_rule_in_force(today))
            items.append(
                TodoItem(
                    module="portal",
                    key="self_inspection_report",
                    title=_("Yearly self-inspection report"),
                    url=reverse("portal:self_inspection_new"),
                    due=due,
                    overdue=today > due,
                    action=_("File"),
                )
            )
    return items


def portal_todo(user: Any, today: dt.date) -> list[TodoItem]:
    if has_cap(user, PortalCap.USE):
        return _business_items(user, today)
    # The staff's counts in one query (a UNION ALL of the keys behind each item): the home page
    # asks every module, so each module keeps to one round trip.
    parts: list[tuple[str, QuerySet[Any]]] = []
    if has_cap(user, PortalCap.REVIEW_RECTIFICATION):
        parts.append(
            ("reports", selectors.rectification_reports_for_user(user=user, status=ReviewStatus.SUBMITTED))
        )
    last_year = today.year - 1
    if has_cap(user, PortalCap.MANAGE):
        parts += [
            ("self", selectors.self_inspections_for_user(user=user, status=ReviewStatus.SUBMITTED)),
            ("accounts", selectors.account_requests_for_user(user=user, status="pending")),
            ("late", selectors.self_inspection_missing_for_user(user=user, year=last_year, today=today)),
        ]
    if not parts:
        return []
    counts = count_union(parts)
    items: list[TodoItem] = []
    if has_cap(user, PortalCap.REVIEW_RECTIFICATION):
        items.append(
            TodoItem(
                module="portal",
                key="rectification_reports_to_review",
                title=_("Businesses' rectification reports to review"),
                url=reverse("portal:review_rectifications"),
                count=counts["reports"],
            )
        )
    if has_cap(user, PortalCap.MANAGE):
        items += [
            TodoItem(
                module="portal",
                key="self_inspections_to_review",
                title=_("Self-inspection reports to review"),
                url=reverse("portal:review_self_inspections"),
                count=counts["self"],
            ),
            TodoItem(
                module="portal",
                key="account_requests_to_verify",
                title=_("Business account requests to verify"),
                url=reverse("portal:review_accounts"),
                count=counts["accounts"],
            ),
            TodoItem(
                module="portal",
                key="self_inspections_late",
                title=_("Special-food producers late with last year's self-inspection report"),
                url=reverse("portal:review_self_inspections") + f"?year={last_year}",
                count=counts["late"],
                overdue=True,
            ),
        ]
    return items


def portal_figures(user: Any, today: dt.date) -> list[KeyFigure]:
    """A business's open rectification orders and its licence's date."""
    if not has_cap(user, PortalCap.USE):
        return []
    try:
        business = selectors.own_business(user=user)
    except Http404:
        return []
    open_orders = selectors.own_rectifications(user=user).filter(status=RectificationStatus.OPEN)
    late = open_orders.filter(due__lt=today).count()
    licence = selectors.licence_state(business=business, today=today)
    return [
        KeyFigure(
            module="portal",
            key="rectifications_open",
            label=_("Rectification orders open"),
            value=open_orders.count(),
            url=reverse("portal:home") + "#rectifications",
            detail=_("%(n)s past their deadline") % {"n": late} if late else "",
            alert=bool(late),
            priority=10,
        ),
        KeyFigure(
            module="portal",
            key="licence_valid_until",
            label=_("Licence valid until"),
            value=f"{business.licence_valid_until:%Y-%m-%d}" if business.licence_valid_until else None,
            url=reverse("portal:home") + "#licence",
            detail=licence.message if licence.state in ("expired", "expiring") else "",
            alert=licence.state in ("expired", "expiring"),
            priority=20,
        ),
    ]
