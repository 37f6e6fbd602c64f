"""The home dashboard: the user's jurisdiction and the register at a glance."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.models import RegionLevel
from shian.core.permissions import Cap, has_cap
from shian.core.scoping import regions_for
from shian.core.todo import todo_for
from shian.registry.models import BusinessStatus, BusinessType
from shian.registry.selectors import business_counts_for_user, business_queryset_for_user


def _jurisdiction(user: Any, active_by_region: dict[str, int]) -> dict[str, Any]:
    """The district (when the whole of it is in scope) and the towns and streets the user sees."""
    regions = list(regions_for(user).select_related("parent").order_by("code"))
    district = next((r for r in regions if r.level == RegionLevel.DISTRICT), None)
    townships = [r for r in regions if r.level != RegionLevel.DISTRICT]
    levels: dict[str, int] = {}
    for r in townships:
        levels[r.level] = levels.get(r.level, 0) + 1
    level_counts = [
        {"level": level, "label": label, "count": levels[level]}
        for level, label in RegionLevel.choices
        if level in levels
    ]
    rows = [{"region": r, "active": active_by_region.get(r.code, 0)} for r in townships]
    population = district.population if district else sum(r.population for r in townships)
    return {
        "district": district,
        "townships": rows,
        "level_counts": level_counts,
        "population": population,
        "any_estimate": any(r.population_is_estimate for r in townships),
    }


def _chart_data(counts: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    type_labels = dict(BusinessType.choices)
    return {
        "text": {"empty": _("No active businesses yet"), "series": _("Active businesses")},
        "by_region": {
            "labels": [row["region__name"] for row in counts["by_region"]],
            "values": [row["n"] for row in counts["by_region"]],
        },
        "by_type": [
            {"name": str(type_labels.get(row["business_type"], row["business_type"])), "value": row["n"]}
            for row in counts["by_type"]
        ],
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {"can_view_register": has_cap(user, Cap.REGISTER_VIEW)}
    active_by_region: dict[str, int] = {}
    if context["can_view_register"]:
        counts = business_counts_for_user(user=user)
        active_by_region = {row["region_id"]: row["n"] for row in counts["by_region"]}
        by_status = dict(
            business_queryset_for_user(user=user).order_by().values_list("status").annotate(n=Count("id"))
        )
        context["status_counts"] = [
            {"status": value, "label": label, "count": by_status.get(value, 0)}
            for value, label in BusinessStatus.choices
        ]
        context["total"] = sum(by_status.values())
        context["active"] = by_status.get(BusinessStatus.ACTIVE, 0)
        context["chart_data"] = _chart_data(counts)
    context["jurisdiction"] = _jurisdiction(user, active_by_region)
    # What this person owes today, gathered from every module's todo.py (core.todo).
    context["todo"] = todo_for(user, today=timezone.localdate())
    return render(request, "web/home.html", context)
