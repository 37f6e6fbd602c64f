"""What sampling owes each person: a lab's reports due on the samples sent to it; a town's and the
office's open disposal tasks (the overdue ones apart) and samples with a deadline of the bureau's
past (never the business's own windows to apply for a re-test or object). The business page's link
to its samples."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, Min, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core.models import Role
from shian.core.permissions import Cap, has_cap
from shian.core.related import RelatedLink
from shian.core.todo import KeyFigure, TodoItem

from . import selectors
from .models import DisposalStatus, SampleDeadline, Verdict

LAB_REPORT = "lab_report"


def sampling_todo(user: Any, today: dt.date) -> list[TodoItem]:
    items: list[TodoItem] = []
    role = getattr(user, "role", "")
    if role == Role.LAB and has_cap(user, Cap.SAMPLING_RESULTS):
        open_reports = SampleDeadline.objects.filter(
            code=LAB_REPORT, met_on__isnull=True, sample__in=selectors.samples_for_user(user)
        )
        late = open_reports.filter(due__lt=today)
        items.append(
            TodoItem(
                module="sampling",
                key="lab_reports_overdue",
                title=_("Test reports past their deadline"),
                url=reverse("sampling:sample_list") + "?overdue=1",
                count=late.count(),
                due=late.aggregate(d=Min("due"))["d"],
                overdue=True,
                priority=10,
            )
        )
        items.append(
            TodoItem(
                module="sampling",
                key="lab_reports_due",
                title=_("Samples awaiting your test report"),
                url=reverse("sampling:sample_list") + "?status=delivered",
                count=open_reports.filter(due__gte=today).count(),
                due=open_reports.filter(due__gte=today).aggregate(d=Min("due"))["d"],
                priority=20,
            )
        )
        return items
    if role in (Role.TOWN_OFFICER, Role.DISTRICT_OFFICER, Role.DISTRICT_ADMIN) and has_cap(
        user, Cap.SAMPLING_MANAGE
    ):
        tasks = selectors.disposal_tasks_for_user(user).filter(status=DisposalStatus.OPEN)
        late_tasks = tasks.filter(due__lt=today)
        items.append(
            TodoItem(
                module="sampling",
                key="disposals_overdue",
                title=_("Disposal of unqualified food past its deadline"),
                url=reverse("sampling:unqualified_list") + "?disposal=overdue",
                count=late_tasks.count(),
                due=late_tasks.aggregate(d=Min("due"))["d"],
                overdue=True,
                priority=10,
            )
        )
        items.append(
            TodoItem(
                module="sampling",
                key="disposals_open",
                title=_("Disposal tasks of unqualified food to complete"),
                url=reverse("sampling:unqualified_list") + "?disposal=open",
                count=tasks.filter(due__gte=today).count(),
                due=tasks.filter(due__gte=today).aggregate(d=Min("due"))["d"],
                priority=30,
            )
        )
        late_samples = selectors.samples_for_user(user).filter(
            Exists(selectors.overdue_deadlines(today).filter(sample=OuterRef("pk")))
        )
        items.append(
            TodoItem(
                module="sampling",
                key="samples_overdue",
                title=_("Samples with a deadline of the bureau past"),
                url=reverse("sampling:sample_list") + "?overdue=1",
                count=late_samples.count(),
                overdue=True,
                priority=35,
            )
        )
    return items


def sampling_figures(user: Any, today: dt.date) -> list[KeyFigure]:
    """A lab's samples awaiting its report (the late ones apart); a town's and the office's open
    disposal tasks of unqualified food (the late ones apart)."""
    role = getattr(user, "role", "")
    if role == Role.LAB and has_cap(user, Cap.SAMPLING_RESULTS):
        open_reports = SampleDeadline.objects.filter(
            code=LAB_REPORT, met_on__isnull=True, sample__in=selectors.samples_for_user(user)
        )
        late = open_reports.filter(due__lt=today).count()
        return [
            KeyFigure(
                module="sampling",
                key="samples_due",
                label=_("Samples awaiting your report"),
                value=open_reports.count(),
                url=reverse("sampling:sample_list") + "?status=delivered",
                priority=10,
            ),
            KeyFigure(
                module="sampling",
                key="reports_late",
                label=_("Reports past their deadline"),
                value=late,
                url=reverse("sampling:sample_list") + "?overdue=1",
                alert=bool(late),
                priority=11,
            ),
        ]
    if role in (Role.TOWN_OFFICER, Role.DISTRICT_OFFICER, Role.DISTRICT_ADMIN) and has_cap(
        user, Cap.SAMPLING_MANAGE
    ):
        tasks = selectors.disposal_tasks_for_user(user).filter(status=DisposalStatus.OPEN)
        late = tasks.filter(due__lt=today).count()
        return [
            KeyFigure(
                module="sampling",
                key="disposals_open",
                label=_("Disposal tasks open"),
                value=tasks.count(),
                url=reverse("sampling:unqualified_list") + "?disposal=open",
                detail=_("%(n)s past their deadline") % {"n": late} if late else "",
                alert=bool(late),
                priority=20,
            )
        ]
    return []


def sampling_related(user: Any, business: Any) -> list[RelatedLink]:
    """The business page's link to its samples (count, how many unqualified)."""
    if not has_cap(user, Cap.SAMPLING_VIEW):
        return []
    qs = selectors.samples_for_user(user).filter(business_id=business.pk)
    count = qs.count()
    bad = qs.filter(conclusion=Verdict.UNQUALIFIED).count() if count else 0
    return [
        RelatedLink(
            module="sampling",
            key="samples",
            title=_("Samples"),
            url=reverse("sampling:sample_list") + f"?business={business.pk}",
            count=count,
            detail=(_("%(n)s unqualified") % {"n": f"{bad:,}"}) if bad else "",
            status="chip-bad" if bad else "",
            order=30,
        )
    ]
