"""What the schools module owes each person: the office and the education liaison the
certificates expiring or expired and the meal providers without one; a canteen's business
account today's accompanied meals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core.calendar import WorkingCalendar
from shian.core.permissions import PortalCap, SchoolCap, has_cap
from shian.core.todo import TodoItem, count_union

from . import rules, selectors
from .models import AccompaniedMeal


def schools_todo(user: Any, today: dt.date) -> list[TodoItem]:
    items: list[TodoItem] = []
    if has_cap(user, PortalCap.USE):
        try:
            rule = rules.meal_rule_in_force(today)
        except LookupError:
            return items
        if not rules.meal_days(start=today, end=today, rule=rule, is_workday=WorkingCalendar().is_workday):
            return items
        for school in selectors.schools_of_business_account(user=user):
            if school.level not in rule.levels:
                continue
            done = set(AccompaniedMeal.objects.filter(school=school, on=today).values_list("meal", flat=True))
            missing = [m for m in school.meals if m not in done]
            if missing:
                items.append(
                    TodoItem(
                        module="schools",
                        key="accompanied_meals_today",
                        title=_("Today's accompanied meals to record"),
                        url=reverse("schools:meals", args=[school.pk]),
                        count=len(missing),
                        due=today,
                        detail=school.name,
                        action=_("Record"),
                    )
                )
        return items
    if has_cap(user, SchoolCap.MANAGE):
        counts = count_union(
            [
                ("expiring", selectors.certificates_for_user(user=user, state="expiring", today=today)),
                ("uncertified", selectors.meal_providers_without_certificate(user=user, on=today)),
            ]
        )
        items.append(
            TodoItem(
                module="schools",
                key="certificates_expiring",
                title=_("Management-system certificates expiring"),
                url=reverse("schools:certificates") + "?state=expiring",
                count=counts["expiring"],
            )
        )
        items.append(
            TodoItem(
                module="schools",
                key="meal_providers_uncertified",
                title=_("Off-campus meal providers without a valid HACCP or ISO 22000 certificate"),
                url=reverse("schools:certificates") + "?state=uncertified",
                count=counts["uncertified"],
            )
        )
    return items
