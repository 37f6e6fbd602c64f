"""The home dashboard: the user's jurisdiction and the register at a glance."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shian.core.models import RegionLevel, Role
from shian.core.permissions import Cap, has_cap
from shian.core.scoping import regions_for
from shian.core.todo import figures_for, todo_for
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


# Whose home is it: each role's home opens with its own to-do and key figures; the office (and
# whoever only reads) keeps the district overview beneath, a town officer their town's facts.
HOME_KIND: dict[str, str] = {
    Role.INSPECTOR: "inspector",
    Role.TOWN_OFFICER: "town",
    Role.LAB: "lab",
    Role.BUSINESS: "business",
    Role.DISTRICT_OFFICER: "office",
    Role.DISTRICT_ADMIN: "office",
    Role.DEPARTMENT_LIAISON: "office",
}
HOME_TITLES = {
    "inspector": gettext_lazy("My inspections"),
    "town": gettext_lazy("My town"),
    "lab": gettext_lazy("My laboratory"),
    "business": gettext_lazy("My business"),
    "office": gettext_lazy("District overview"),
    "overview": gettext_lazy("Overview"),
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    kind = HOME_KIND.get(str(getattr(user, "role", "")), "overview")
    today = timezone.localdate()
    context: dict[str, Any] = {
        "kind": kind,
        "heading": HOME_TITLES[kind],
        # What this person owes today and how things stand, from every module (core.todo).
        "todo": todo_for(user, today=today),
        "figures": figures_for(user, today=today),
        "can_view_register": has_cap(user, Cap.REGISTER_VIEW) and kind in ("office", "overview", "town"),
    }
    if kind in ("inspector", "lab", "business"):
        return render(request, "web/home.html", context)
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
    return render(request, "web/home.html", context)
