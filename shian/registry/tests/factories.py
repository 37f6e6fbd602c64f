from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from shian.core.models import AuditSource
from shian.core.rules import make_credit_code
from shian.registry.models import Business
from shian.registry.rules import BusinessInput
from shian.registry.services import business_bulk_upsert

_serial = itertools.count(1)


def credit_code(n: int | None = None, division: str = "120113") -> str:
    n = next(_serial) if n is None else n
    return make_credit_code(authority="9", kind="1", division=division, org_body=f"{70000000 + n:08d}")


def business_input(**overrides: Any) -> BusinessInput:
    data = BusinessInput(
        name=f"测试餐厅{next(_serial)}",
        credit_code=credit_code(),
        business_type="catering",
        categories=["31"],
        scale="small",
        region_code="120113001",
        address="天津市北辰区测试路1号",
        status="active",
        opened_on=dt.date(2020, 1, 1),
    )
    for k, v in overrides.items():
        setattr(data, k, v)
    return data


def make_business(**overrides: Any) -> Business:
    """A business written through the register's one write path (audited, as in production)."""
    data = business_input(**overrides)
    result = business_bulk_upsert(actor=None, source=AuditSource.SYSTEM, data=[data], check_permission=False)
    return Business.objects.get(pk=result.business_ids[0])
