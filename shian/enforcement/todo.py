"""What a case handler owes: leads waiting for the filing decision, cases near the end of their
term, publications due (45号令: 20 working days), seizures about to expire, transfers waiting for
the police, listings to decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from shian.core.permissions import EnforcementCap, has_cap
from shian.core.todo import TodoItem

from . import selectors
from .models import ListingStatus, PoliceAnswer, PublicationStatus
from .workflow import OPEN_STATUSES, CaseStatus


def enforcement_todo(user: Any, today: dt.date) -> list[TodoItem]:
    items: list[TodoItem] = []
    if not has_cap(user, EnforcementCap.HANDLE):
        return items
    cases = selectors.cases_for_user(user)
    url = reverse("enforcement:case_list")
    leads = cases.filter(status=CaseStatus.LEAD).order_by("lead_received_on")
    items.append(
        TodoItem(
            module="enforcement",
            key="leads_to_file",
            title="待决定是否立案的线索",
            url=f"{url}?status=lead",
            count=leads.count(),
            detail="自发现线索之日起十五个工作日内决定（行政处罚程序规定第十八条）",
            priority=10,
        )
    )
    open_cases = cases.filter(status__in=OPEN_STATUSES - {CaseStatus.LEAD}).count()
    items.append(
        TodoItem(
            module="enforcement", key="open_cases", title="在办案件", url=url, count=open_cases, priority=40
        )
    )
    measures = selectors.measures_for_user(user).filter(lifted_on__isnull=True)
    soon = measures.filter(due_on__lte=today + dt.timedelta(days=7))
    first = soon.order_by("due_on").values_list("due_on", flat=True).first()
    items.append(
        TodoItem(
            module="enforcement",
            key="seizures_expiring",
            title="七日内到期的查封扣押",
            url=f"{url}?measures=1",
            count=soon.count(),
            due=first,
            overdue=bool(first and first < today),
            priority=5,
        )
    )
    transfers = selectors.transfers_for_user(user).filter(answer=PoliceAnswer.PENDING).count()
    items.append(
        TodoItem(
            module="enforcement",
            key="transfers_pending",
            title="待公安机关答复的移送案件",
            url=f"{url}?status=transferred",
            count=transfers,
        )
    )
    if has_cap(user, EnforcementCap.PUBLISH):
        due = selectors.publications_for_user(user).filter(status=PublicationStatus.DUE)
        first_due = due.order_by("due_on").values_list("due_on", flat=True).first()
        items.append(
            TodoItem(
                module="enforcement",
                key="publications_due",
                title="待公示的行政处罚决定",
                url=reverse("enforcement:publication_list") + "?status=due",
                count=due.count(),
                due=first_due,
                overdue=bool(first_due and first_due < today),
                detail="自作出决定之日起二十个工作日内公示（45号令第九条）",
                priority=8,
            )
        )
        proposed = selectors.listings_for_user(user).filter(status=ListingStatus.PROPOSED).count()
        items.append(
            TodoItem(
                module="enforcement",
                key="listings_proposed",
                title="待决定的严重违法失信名单建议",
                url=reverse("enforcement:listing_list"),
                count=proposed,
            )
        )
    return items
