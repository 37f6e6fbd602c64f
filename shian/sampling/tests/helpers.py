"""Shared builders for the sampling tests: a lab with its member, and samples at a given stage."""

from __future__ import annotations

import datetime as dt

from shian.core.models import Region, User
from shian.registry.models import Business, BusinessType
from shian.sampling import services
from shian.sampling.models import Lab, LabMember, Sample
from shian.sampling.workflow import SampleStatus as S

DAY = dt.date(2026, 3, 10)


def lab_for(user: User, name: str = "天津市食品检验中心", cma: str = "CMA-001") -> Lab:
    lab, _ = Lab.objects.get_or_create(name=name, defaults={"cma_number": cma})
    LabMember.objects.update_or_create(user=user, defaults={"lab": lab})
    return lab


def business_in(town: str, name: str = "果园副食店") -> Business:
    return Business.objects.create(
        name=name,
        credit_code=f"91120113{abs(hash(name)) % 10**10:010d}",
        business_type=BusinessType.WHOLESALE_RETAIL,
        region=Region.objects.get(pk=town),
    )


def delivered_sample(
    *, officer: User, lab: Lab | None, code: str, town: str, business: Business | None = None
) -> Sample:
    sample = services.sample_create(
        by=officer,
        code=code,
        region=Region.objects.get(pk=town),
        food_name="大米",
        category_path="粮食加工品-大米",
        produced_on=dt.date(2026, 3, 1),
        lab=lab,
        business=business,
    )
    for status in (S.SAMPLED, S.DELIVERED):
        services.sample_set_status(sample=sample, status=status, by=officer, on=DAY)
    sample.refresh_from_db()
    return sample


def notified_unqualified(
    *, officer: User, lab_user: User, code: str, town: str, notified_on: dt.date = dt.date(2026, 3, 23)
) -> Sample:
    """Sampled and delivered on DAY, found unqualified three days before `notified_on` (the
    disposal's deadline counts from the notification)."""
    lab = lab_for(lab_user)
    sample = delivered_sample(
        officer=officer, lab=lab, code=code, town=town, business=business_in(town, code)
    )
    services.sample_results_record(
        sample=sample,
        results=[("镉(以Cd计)", "0.32mg/kg")],
        by=lab_user,
        on=notified_on - dt.timedelta(days=3),
    )
    services.sample_set_status(sample=sample, status=S.NOTIFIED, by=officer, on=notified_on)
    sample.refresh_from_db()
    return sample
