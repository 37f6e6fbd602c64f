"""Row-level scope: the one function that decides which regions and records a person may see.

Every selector filters through `scope_for(user)`, so pages, API, exports and search agree
(oscar's `queryset_orders_for_user`). A record outside the scope is reported as not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .models import Region, Role

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    nothing: bool = False
    region_codes: frozenset[str] = frozenset()  # when not everything: the regions in scope
    business_types: frozenset[str] | None = None  # a department liaison's sectors
    # A business account: the credit code of its own business. Such a scope holds no region
    # (`nothing`), so every regional list answers nothing and every record 404; the portal's own
    # selectors read the business's records through `own_credit_code` / `require_own`.
    credit_code: str = ""

    def q(self, *, region_field: str = "region", type_field: str | None = None) -> Q:
        """A filter for a queryset whose rows carry a region code (and maybe a business type)."""
        if self.nothing:
            return Q(pk__in=[])
        cond = Q()
        if not self.everything:
            cond &= Q(**{f"{region_field}__in": sorted(self.region_codes)})
        if self.business_types is not None:
            if type_field is None:
                return Q(pk__in=[])
            cond &= Q(**{f"{type_field}__in": sorted(self.business_types)})
        return cond

    def apply(
        self, qs: QuerySet[M], *, region_field: str = "region", type_field: str | None = None
    ) -> QuerySet[M]:
        if self.nothing:
            return qs.none()
        return qs.filter(self.q(region_field=region_field, type_field=type_field))

    def allows_region(self, code: str | None) -> bool:
        if self.nothing:
            return False
        return self.everything or (code is not None and code in self.region_codes)

    def allows(self, *, region: str | None, business_type: str | None = None) -> bool:
        """One object's region (and, for a liaison, its business's type) in scope."""
        if not self.allows_region(region):
            return False
        return self.business_types is None or (
            business_type is not None and business_type in self.business_types
        )


def _subtree(code: str) -> frozenset[str]:
    codes = {code}
    frontier = [code]
    while frontier:
        children = list(Region.objects.filter(parent__in=frontier).values_list("code", flat=True))
        frontier = [c for c in children if c not in codes]
        codes.update(frontier)
    return frozenset(codes)


def scope_for(user: Any) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(nothing=True)
    cached = getattr(user, "_shian_scope", None)
    if cached is not None:
        return cached
    scope: Scope
    if user.is_superuser or user.role in (Role.DISTRICT_ADMIN, Role.DISTRICT_OFFICER):
        scope = Scope(everything=True)
    elif user.role == Role.TOWN_OFFICER:
        scope = Scope(region_codes=_subtree(user.region_id)) if user.region_id else Scope(nothing=True)
    elif user.role == Role.DEPARTMENT_LIAISON:
        types = frozenset(user.department.business_types) if user.department_id else frozenset()
        scope = Scope(everything=True, business_types=types)
    elif user.role == Role.BUSINESS:
        scope = Scope(nothing=True, credit_code=user.credit_code or "")
    elif user.role in (Role.INSPECTOR, Role.VIEWER):
        # An inspector or viewer attached to a town sees that town; one attached to the district sees all.
        region = user.region
        if region is None or region.level == "district":
            scope = Scope(everything=True)
        else:
            scope = Scope(region_codes=_subtree(region.code))
    else:  # labs see samples, not the register (their scope arrives with the sampling module)
        scope = Scope(nothing=True)
    user._shian_scope = scope
    return scope


def require_in_scope(user: Any, *, region: str | None, business_type: str | None = None) -> None:
    """Raise Http404 unless the object (its region, and its business's type for a liaison) is in
    the user's scope. A write calls it for every object it refers to, and for both the old and the
    new region of a record it moves: "not yours" reads exactly like "not found"."""
    if not scope_for(user).allows(region=region, business_type=business_type):
        raise Http404


def own_credit_code(user: Any) -> str:
    """The credit code of the business a business account acts for; "" for anyone else (staff see
    businesses through their regional scope, never through this)."""
    return scope_for(user).credit_code


def require_own(user: Any, *, credit_code: str | None) -> None:
    """Raise Http404 unless the record belongs to the business this business account acts for:
    another business's record reads exactly like a missing one."""
    own = own_credit_code(user)
    if not own or credit_code != own:
        raise Http404


def get_scoped_or_404(
    qs: QuerySet[M], user: Any, pk: Any, *, region_field: str = "region", type_field: str | None = None
) -> M:
    """The object with this key if the user's scope includes it; else Http404, whether it is
    missing or another town's (a key that is not a number is missing too)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    obj = scope_for(user).apply(qs, region_field=region_field, type_field=type_field).filter(pk=key).first()
    if obj is None:
        raise Http404
    return obj


def regions_for(user: Any) -> QuerySet[Region]:
    """Regions the user may pick in a filter or form."""
    scope = scope_for(user)
    qs = Region.objects.all()
    if scope.nothing:
        return qs.none()
    if scope.everything:
        return qs
    return qs.filter(code__in=sorted(scope.region_codes))


# ------------------------------------------------------------------ records kept by member units
# A unit record (shian.sources, shian.workforce) carries its owning unit (`department`) and its
# region (a town, or the district for a district-wide record). A liaison sees and changes their
# own unit's records in every town; everyone else sees by region as scope_for says.


def unit_scope_q(user: Any, *, region_field: str = "region", department_field: str = "department") -> Q:
    scope = scope_for(user)
    if scope.nothing:
        return Q(pk__in=[])
    if getattr(user, "role", None) == Role.DEPARTMENT_LIAISON and not user.is_superuser:
        return Q(**{f"{department_field}_id": user.department_id})
    if scope.everything:
        return Q()
    return Q(**{f"{region_field}__in": sorted(scope.region_codes)})


def unit_records_for(qs: QuerySet[M], user: Any, **fields: str) -> QuerySet[M]:
    return qs.filter(unit_scope_q(user, **fields))


def unit_record_get_or_404(qs: QuerySet[M], user: Any, pk: Any, **fields: str) -> M:
    """A unit record in the user's scope, else Http404 (missing and "not yours" alike)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    obj = unit_records_for(qs, user, **fields).filter(pk=key).first()
    if obj is None:
        raise Http404
    return obj


def unit_can_change(user: Any, *, department: str | None, region: str | None, towns_keep: bool) -> bool:
    """District staff change every unit record; a liaison their own unit's; a town officer the
    records of their town for the kinds that towns keep (the coordinator grid)."""
    scope = scope_for(user)
    if scope.nothing:
        return False
    if user.is_superuser or user.role in (Role.DISTRICT_ADMIN, Role.DISTRICT_OFFICER):
        return True
    if user.role == Role.DEPARTMENT_LIAISON:
        return department is not None and department == user.department_id
    if user.role == Role.TOWN_OFFICER:
        return towns_keep and scope.allows_region(region)
    return False
