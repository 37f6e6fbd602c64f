"""What a case handler owes: leads waiting for the filing decision, cases in hand, seizures about
to expire, transfers waiting for the police, and for the district publications due (45号令: 20
working days) and listings to decide. One aggregate query over the cases in the person's scope
(the home page's query budget)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Min, Q
from django.urls import reverse

from shian.core.permissions import EnforcementCap, has_cap
from shian.core.todo import TodoItem

from . import selectors
from .models import ListingStatus, PoliceAnswer, PublicationStatus
from .workflow import OPEN_STATUSES, CaseStatus


def enforcement_todo(user: Any, today: dt.date) -> list[TodoItem]:
    if not has_cap(user, EnforcementCap.HANDLE):
        return []
    soon = Q(measures__lifted_on__isnull=True, measures__due_on__lte=today + dt.timedelta(days=7))
    pub_due = Q(publication__status=PublicationStatus.DUE)
    n = selectors.cases_for_user(user).aggregate(
        leads=Count("id", filter=Q(status=CaseStatus.LEAD), distinct=True),
        open=Count("id", filter=Q(status__in=sorted(OPEN_STATUSES - {CaseStatus.LEAD})), distinct=True),
        seizures=Count("measures", filter=soon, distinct=True),
        seizure_due=Min("measures__due_on", filter=soon),
        transfers=Count("transfers", filter=Q(transfers__answer=PoliceAnswer.PENDING), distinct=True),
        publications=Count("publication", filter=pub_due, distinct=True),
        publication_due=Min("publication__due_on", filter=pub_due),
        listings=Count("listings", filter=Q(listings__status=ListingStatus.PROPOSED), distinct=True),
    )
    url = reverse("enforcement:case_list")
    items = [
        TodoItem(
            module="enforcement",
            key="leads_to_file",
            title="待决定是否立案的线索",
            url=f"{url}?status=lead",
            count=n["leads"],
            detail="自发现线索之日起十五个工作日内决定（行政处罚程序规定第十八条）",
            priority=10,
        ),
        TodoItem(
            module="enforcement", key="open_cases", title="在办案件", url=url, count=n["open"], priority=40
        ),
        TodoItem(
            module="enforcement",
            key="seizures_expiring",
            title="七日内到期的查封扣押",
            url=f"{url}?status=investigation",
            count=n["seizures"],
            due=n["seizure_due"],
            overdue=bool(n["seizure_due"] and n["seizure_due"] < today),
            priority=5,
        ),
        TodoItem(
            module="enforcement",
            key="transfers_pending",
            title="待公安机关答复的移送案件",
            url=f"{url}?status=transferred",
            count=n["transfers"],
        ),
    ]
    if has_cap(user, EnforcementCap.PUBLISH):
        first = n["publication_due"]
        items.append(
            TodoItem(
                module="enforcement",
                key="publications_due",
                title="待公示的行政处罚决定",
                url=reverse("enforcement:publication_list") + "?status=due",
                count=n["publications"],
                due=first,
                overdue=bool(first and first < today),
                detail="自作出决定之日起二十个工作日内公示（45号令第九条）",
                priority=8,
            )
        )
        items.append(
            TodoItem(
                module="enforcement",
                key="listings_proposed",
                title="待决定的严重违法失信名单建议",
                url=reverse("enforcement:listing_list"),
                count=n["listings"],
            )
        )
    return items
