"""Navigation shown on every page: the modules that exist, and those still to come."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shian.core.permissions import (
    Cap,
    EnforcementCap,
    PortalCap,
    PublicCap,
    SchoolCap,
    TraceCap,
    UnitCap,
    capabilities,
)

# (label, url name or None when the module is not built yet, capability needed)
MODULES: list[tuple[Any, str | None, str | None]] = [
    (_("Overview"), "home", None),
    (_("My business"), "portal:home", PortalCap.USE),
    (_("Register"), "registry:business_list", Cap.REGISTER_VIEW),
    (_("许可申请"), "registry:application_list", Cap.REGISTER_VIEW),
    (_("Import"), "registry:business_import", Cap.REGISTER_IMPORT),
    (_("Annual plan"), "planning:home", Cap.PLAN_VIEW),
    (_("Risk grades"), "risk:grade_list", Cap.RISK_VIEW),
    (_("Inspections"), "inspections:list", Cap.INSPECTION_VIEW),
    (_("Sampling"), "sampling:sample_list", Cap.SAMPLING_VIEW),
    (_("Quick tests"), "sampling:quick_test_list", Cap.SAMPLING_VIEW),
    (_("Unqualified food"), "sampling:unqualified_list", Cap.SAMPLING_VIEW),
    (_("执法办案"), "enforcement:case_list", EnforcementCap.VIEW),
    (_("Credit"), "enforcement:credit_list", EnforcementCap.VIEW),
    (_("Traceability"), "trace:home", TraceCap.VIEW),
    (_("Complaints and reports"), "complaints:list", PublicCap.VIEW),
    (_("Incidents and drills"), "incidents:list", PublicCap.INCIDENT_VIEW),
    (_("Farm and grain"), "sources:home", UnitCap.VIEW),
    (_("Workforce and publicity"), "workforce:home", UnitCap.VIEW),
    (_("School canteens"), "schools:list", SchoolCap.VIEW),
    (_("Town index"), "metrics:home", Cap.PLAN_VIEW),
    (_("Reports"), "reports:index", Cap.PLAN_VIEW),
    (_("Business reports"), "portal:review_rectifications", PortalCap.REVIEW_RECTIFICATION),
    (_("Self-inspection reports"), "portal:review_self_inspections", PortalCap.MANAGE),
    (_("Account requests"), "portal:review_accounts", PortalCap.MANAGE),
    (_("Audit trail"), "audit_list", Cap.AUDIT_VIEW),
]


def _is_active(path: str, url: str) -> bool:
    """The module a page belongs to: its own URL, or any page under it (the home page only itself)."""
    return path == url or (url != "/" and path.startswith(url))


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_modules": []}
    caps = capabilities(request.user)
    items = []
    for label, url_name, cap in MODULES:
        if cap is not None and cap not in caps:
            continue
        url = reverse(url_name) if url_name else None
        items.append(
            {"label": label, "url": url, "active": url is not None and _is_active(request.path, url)}
        )
    # A page under two modules' URLs (/sampling/quick-tests/ is under /sampling/) belongs to the
    # more specific one.
    active = [i for i in items if i["active"]]
    for item in active:
        item["active"] = len(item["url"]) == max(len(i["url"]) for i in active)
    return {"nav_modules": items}
