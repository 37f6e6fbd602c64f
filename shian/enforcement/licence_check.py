"""The bans (《食品安全法》第一百三十五条) a licence application checks its named persons against.

Registered with the register's person checks (registry.personchecks) in AppConfig.ready(): the
register asks, this module answers from its Ban records, and the register judges with
registry.rules.bans_blocking. The register never imports this module.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from shian.registry.personchecks import person_key
from shian.registry.rules import BanRecord, NamedPerson

from .models import Ban


def bans_on_persons(persons: list[NamedPerson], on: dt.date) -> list[BanRecord]:
    """Bans recorded on these persons by name, and every ban that carries an id number (compared by
    keyed hash: a district has a few dozen bans, so they are hashed here rather than stored twice)."""
    names = {p.name.strip() for p in persons if p.name.strip()}
    keys = {p.id_key for p in persons if p.id_key}
    qs = Ban.objects.filter(decided_on__lte=on).select_related("case")
    qs = qs.filter(Q(person_name__in=names) | ~Q(id_number="")) if keys else qs.filter(person_name__in=names)
    out = []
    for b in qs.order_by("decided_on", "id"):
        key = person_key(b.id_number)
        if key and key not in keys and b.person_name.strip() not in names:
            continue
        out.append(
            BanRecord(
                person_name=b.person_name,
                id_key=key,
                decided_on=b.decided_on,
                until=b.until,
                case_id=b.case_id,
                case_number=b.case.number,
                case_region=b.case.region_id,
            )
        )
    return out
