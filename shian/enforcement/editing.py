"""The record an edit of a case, publication or listing acts on, for the pages and the API alike.
Every such route checks in the same order, and the capability the act needs is named at the call:
the enforcement pages at all (403), the record in the user's scope (one 404 for "not yours" and
"missing"), the act's capability (403: visible but read-only), the version the edit was made on
(409, core.concurrency)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from shian.core.concurrency import require_version
from shian.core.permissions import EnforcementCap, require_cap
from shian.core.scoping import get_scoped_or_404

from . import selectors
from .models import Case, Listing, Publication

M = TypeVar("M")


def record_for_edit(request: Any, load: Callable[[], M], *, cap: str) -> M:
    require_cap(request.user, EnforcementCap.VIEW)
    record = load()
    require_cap(request.user, cap)
    require_version(request, record)
    return record


def case_for_edit(request: Any, pk: int) -> Case:
    """A case to move on: handling a case needs EnforcementCap.HANDLE."""
    return record_for_edit(
        request, lambda: selectors.case_get_for_user(user=request.user, pk=pk), cap=EnforcementCap.HANDLE
    )


def publication_for_edit(request: Any, pk: int) -> Publication:
    """A publication to publish or withdraw: EnforcementCap.PUBLISH."""
    return record_for_edit(
        request,
        lambda: get_scoped_or_404(
            Publication.objects.select_related("case"),
            request.user,
            pk,
            type_field="case__business__business_type",
        ),
        cap=EnforcementCap.PUBLISH,
    )


def listing_for_edit(request: Any, pk: int) -> Listing:
    """A proposed or current listing to decide or repair: EnforcementCap.PUBLISH."""
    return record_for_edit(
        request,
        lambda: get_scoped_or_404(
            Listing.objects.select_related("case", "business"),
            request.user,
            pk,
            type_field="business__business_type",
        ),
        cap=EnforcementCap.PUBLISH,
    )
