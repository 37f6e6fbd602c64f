"""The register's own entries on a business's page of related records: its licence (number and
validity, red once expired) and a hook the later modules (cases, credit) fill with theirs."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.permissions import Cap, has_cap
from shian.core.related import RelatedLink


def registry_related(user: Any, business: Any) -> list[RelatedLink]:
    if not has_cap(user, Cap.REGISTER_VIEW):
        return []
    number = business.production_licence or business.business_licence
    if not number:
        return [
            RelatedLink(
                module="registry",
                key="licence",
                title=_("Food licence"),
                url="",
                detail=_("No licence recorded"),
                order=5,
            )
        ]
    until = business.licence_valid_until
    expired = until is not None and until < timezone.localdate()
    detail = number
    if until is not None:
        detail += "，" + (_("expired on %(d)s") if expired else _("valid until %(d)s")) % {
            "d": f"{until:%Y-%m-%d}"
        }
    return [
        RelatedLink(
            module="registry",
            key="licence",
            title=_("Food licence"),
            # The register searched by the licence number: the business and any other holding it.
            url=reverse("registry:business_list") + "?" + urlencode({"q": number}),
            detail=detail,
            status="chip-bad" if expired else "",
            order=5,
        )
    ]
