"""What each role may do: one table, consulted by pages, API, exports and commands alike."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import Role


class Cap:
    """Capabilities. A module adds its own here when it arrives."""

    REGISTER_VIEW = "register.view"
    REGISTER_CHANGE = "register.change"
    REGISTER_IMPORT = "register.import"
    REGISTER_EXPORT = "register.export"
    AUDIT_VIEW = "audit.view"
    AUDIT_VERIFY = "audit.verify"
    USERS_MANAGE = "users.manage"
    JURISDICTION_VIEW = "jurisdiction.view"
    PLAN_VIEW = "plan.view"
    PLAN_MANAGE = "plan.manage"
    PLAN_REPORT = "plan.report"
    SAMPLING_VIEW = "sampling.view"
    SAMPLING_MANAGE = "sampling.manage"
    SAMPLING_RESULTS = "sampling.results"
    RISK_VIEW = "risk.view"
    RISK_MANAGE = "risk.manage"
    RISK_ANNOTATE = "risk.annotate"
    INSPECTION_VIEW = "inspection.view"
    INSPECTION_RECORD = "inspection.record"
    # An officer's own entry in the business-event ledger (an incident, an obstructed inspection).
    EVENT_RECORD = "register.event"


_READ = {Cap.REGISTER_VIEW, Cap.REGISTER_EXPORT, Cap.JURISDICTION_VIEW, Cap.PLAN_VIEW}
_WRITE = {Cap.REGISTER_CHANGE, Cap.REGISTER_IMPORT}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.DISTRICT_ADMIN: frozenset(
        _READ
        | _WRITE
        | {Cap.AUDIT_VIEW, Cap.AUDIT_VERIFY, Cap.USERS_MANAGE, Cap.PLAN_MANAGE, Cap.PLAN_REPORT}
    ),
    Role.DISTRICT_OFFICER: frozenset(_READ | _WRITE | {Cap.AUDIT_VIEW, Cap.PLAN_MANAGE, Cap.PLAN_REPORT}),
    Role.TOWN_OFFICER: frozenset(_READ | _WRITE | {Cap.AUDIT_VIEW, Cap.PLAN_REPORT}),
    Role.DEPARTMENT_LIAISON: frozenset(_READ | {Cap.PLAN_REPORT}),
    Role.INSPECTOR: frozenset(_READ),
    Role.LAB: frozenset({Cap.JURISDICTION_VIEW}),
    Role.VIEWER: frozenset(_READ),
}

# Risk grades and inspections (shian.risk, shian.inspections): everyone who reads the register
# reads grades and inspections in their scope; district staff regrade and draw; inspectors record.
for _role in (
    Role.DISTRICT_ADMIN,
    Role.DISTRICT_OFFICER,
    Role.TOWN_OFFICER,
    Role.DEPARTMENT_LIAISON,
    Role.INSPECTOR,
    Role.VIEWER,
):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {Cap.RISK_VIEW, Cap.INSPECTION_VIEW}
for _role in (Role.DISTRICT_ADMIN, Role.DISTRICT_OFFICER):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {Cap.RISK_MANAGE, Cap.INSPECTION_RECORD}
ROLE_CAPABILITIES[Role.INSPECTOR] = ROLE_CAPABILITIES[Role.INSPECTOR] | {Cap.INSPECTION_RECORD}
# Notes on the predictive work list: the people who plan and make the visits.
for _role in (Role.DISTRICT_ADMIN, Role.DISTRICT_OFFICER, Role.TOWN_OFFICER, Role.INSPECTOR):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {Cap.RISK_ANNOTATE}

# Food sampling (shian.sampling): district and town staff run samples and record results in their
# scope; labs record results of the samples sent to them; readers of the register view samples.
for _role in (Role.DISTRICT_ADMIN, Role.DISTRICT_OFFICER, Role.TOWN_OFFICER):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {
        Cap.SAMPLING_VIEW,
        Cap.SAMPLING_MANAGE,
        Cap.SAMPLING_RESULTS,
    }
for _role in (Role.DEPARTMENT_LIAISON, Role.INSPECTOR, Role.VIEWER):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {Cap.SAMPLING_VIEW}
ROLE_CAPABILITIES[Role.LAB] = ROLE_CAPABILITIES[Role.LAB] | {Cap.SAMPLING_VIEW, Cap.SAMPLING_RESULTS}


# The business-event ledger: district and town officers record what they witnessed in their scope;
# evidence modules append their own events through their services.
for _role in (Role.DISTRICT_ADMIN, Role.DISTRICT_OFFICER, Role.TOWN_OFFICER):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {Cap.EVENT_RECORD}


def capabilities(user: Any) -> frozenset[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return ROLE_CAPABILITIES[Role.DISTRICT_ADMIN]
    return ROLE_CAPABILITIES.get(user.role, frozenset())


def has_cap(user: Any, cap: str) -> bool:
    return cap in capabilities(user)


def require_cap(user: Any, cap: str) -> None:
    """Raise PermissionDenied (403) when the user lacks the capability.

    Use only for records the user can see; a record outside the user's scope is a 404
    (selectors never return it), so its existence is not disclosed.
    """
    if not has_cap(user, cap):
        raise PermissionDenied(_("You do not have permission to do this."))


# Traceability (shian.trace): district and town staff capture trace events and record the cold-chain
# warehouse's in/out records and checklist checks in their scope; district staff start recalls;
# everyone who reads the register reads traces in their scope.
class TraceCap:
    VIEW = "trace.view"
    CAPTURE = "trace.capture"
    RECALL = "trace.recall"
    COLD_CHAIN = "trace.cold_chain"


for _role in (Role.DISTRICT_ADMIN, Role.DISTRICT_OFFICER, Role.TOWN_OFFICER):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {
        TraceCap.VIEW,
        TraceCap.CAPTURE,
        TraceCap.COLD_CHAIN,
    }
for _role in (Role.DEPARTMENT_LIAISON, Role.INSPECTOR, Role.VIEWER):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {TraceCap.VIEW}
for _role in (Role.DISTRICT_ADMIN, Role.DISTRICT_OFFICER):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {TraceCap.RECALL}


# Enforcement cases and credit (shian.enforcement): district and town officers open and handle
# cases in their scope; the district decides publications, the serious-dishonesty list, typical
# cases and the filing to the national credit system; readers of the register read cases and credit
# files in their scope.
class EnforcementCap:
    VIEW = "enforcement.view"
    HANDLE = "enforcement.handle"
    PUBLISH = "enforcement.publish"


for _role in (Role.DISTRICT_ADMIN, Role.DISTRICT_OFFICER, Role.TOWN_OFFICER):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {EnforcementCap.VIEW, EnforcementCap.HANDLE}
for _role in (Role.DEPARTMENT_LIAISON, Role.INSPECTOR, Role.VIEWER):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {EnforcementCap.VIEW}
for _role in (Role.DISTRICT_ADMIN, Role.DISTRICT_OFFICER):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {EnforcementCap.PUBLISH}


# Complaints and reports, incidents and drills (shian.complaints, shian.incidents): district and town
# staff take, handle and record them in their scope; district staff route one to another town;
# everyone who reads the register reads them (a person's identity only its handling officer sees).
class PublicCap:
    VIEW = "complaints.view"
    HANDLE = "complaints.handle"
    ROUTE = "complaints.route"
    INCIDENT_VIEW = "incidents.view"
    INCIDENT_RECORD = "incidents.record"


for _role in (Role.DISTRICT_ADMIN, Role.DISTRICT_OFFICER, Role.TOWN_OFFICER):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {
        PublicCap.VIEW,
        PublicCap.HANDLE,
        PublicCap.INCIDENT_VIEW,
        PublicCap.INCIDENT_RECORD,
    }
for _role in (Role.DEPARTMENT_LIAISON, Role.INSPECTOR, Role.VIEWER):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {PublicCap.VIEW, PublicCap.INCIDENT_VIEW}
for _role in (Role.DISTRICT_ADMIN, Role.DISTRICT_OFFICER):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {PublicCap.ROUTE}


# Records kept by the committee's member units (shian.sources, shian.workforce): everyone who reads
# the register reads them in their scope; district staff, the units' liaisons and the town offices
# record them (which record a person may change is decided per record: core.scoping.unit_can_change).
class UnitCap:
    VIEW = "units.view"
    RECORD = "units.record"


# The business portal (shian.portal): a business account uses its own portal only; the office
# creates business accounts and reviews what businesses file (self-inspection reports) in its scope;
# those who record inspections accept or return a business's rectification report.
class PortalCap:
    USE = "portal.use"
    MANAGE = "portal.manage"
    REVIEW_RECTIFICATION = "portal.review_rectification"


ROLE_CAPABILITIES[Role.BUSINESS] = frozenset({PortalCap.USE})
for _role in (Role.DISTRICT_ADMIN, Role.DISTRICT_OFFICER, Role.TOWN_OFFICER):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {PortalCap.MANAGE}
for _role in (Role.DISTRICT_ADMIN, Role.DISTRICT_OFFICER, Role.INSPECTOR):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {PortalCap.REVIEW_RECTIFICATION}


# Schools and canteens (shian.schools): everyone who reads the register reads the school list in
# their scope (the education liaison: school canteens); district and town officers and the
# education liaison keep the list, the canteens' open-kitchen status and the certificates.
class SchoolCap:
    VIEW = "schools.view"
    MANAGE = "schools.manage"


for _role in (
    Role.DISTRICT_ADMIN,
    Role.DISTRICT_OFFICER,
    Role.TOWN_OFFICER,
    Role.DEPARTMENT_LIAISON,
    Role.INSPECTOR,
    Role.VIEWER,
):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {UnitCap.VIEW, SchoolCap.VIEW}
for _role in (Role.DISTRICT_ADMIN, Role.DISTRICT_OFFICER, Role.TOWN_OFFICER, Role.DEPARTMENT_LIAISON):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {UnitCap.RECORD, SchoolCap.MANAGE}
