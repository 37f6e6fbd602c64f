"""The inspections' indicators: coverage by town (read by the town index), campaign coverage,
rectification on time; missing before any inspection exists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from shian.core import indicators
from shian.core.indicators import Period
from shian.core.models import AuditSource, Role
from shian.core.tests.factories import UserFactory
from shian.inspections import services
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db


def test_coverage_by_town_and_missing_before_any_inspection():
    a1 = make_business(region_code="120113001", business_type="school_canteen")
    make_business(region_code="120113001")
    make_business(region_code="120113100")
    assert indicators.compute("inspections.coverage", Period.year(2022)).missing
    ins = [UserFactory.create(username=f"c{i}", role=Role.INSPECTOR) for i in range(2)]
    i = services.inspection_create(
        actor=None,
        source=AuditSource.SYSTEM,
        business=a1,
        inspected_on=dt.date(2022, 3, 20),
        inspectors=ins,
        campaign="2022-school-spring",
    )
    services.inspection_record_answers(
        actor=None,
        source=AuditSource.SYSTEM,
        inspection=i,
        answers=dict.fromkeys(["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"], "pass"),
    )
    services.inspection_sign(actor=None, source=AuditSource.SYSTEM, inspection=i, signed_by="负责人")
    services.inspection_submit(actor=None, source=AuditSource.SYSTEM, inspection=i)
    cov = indicators.compute("inspections.coverage", Period.year(2022))
    assert cov.value == D(100) / D(3)
    assert cov.region_value("120113001") == D(50) and cov.region_value("120113100") == D(0)
    camp = indicators.compute("inspections.campaign_coverage", Period.quarter(2022, 1))
    # The school is in scope of two Q1 campaigns (spring school check, "守底线"), inspected under one.
    assert camp.region_value("120113001") == D(50)
    assert {
        "inspections.coverage",
        "inspections.campaign_coverage",
        "inspections.rectification_on_time",
        "risk.grade_share.D",
    } <= {x.code for x in indicators.all_indicators()}


def _submitted(business, on, inspectors, campaign=""):
    i = services.inspection_create(
        actor=None,
        source=AuditSource.SYSTEM,
        business=business,
        inspected_on=on,
        inspectors=inspectors,
        campaign=campaign,
    )
    services.inspection_record_answers(
        actor=None,
        source=AuditSource.SYSTEM,
        inspection=i,
        answers=dict.fromkeys(["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"], "pass"),
    )
    services.inspection_sign(actor=None, source=AuditSource.SYSTEM, inspection=i, signed_by="负责人")
    services.inspection_submit(actor=None, source=AuditSource.SYSTEM, inspection=i)
    return i


def test_coverage_counts_businesses_not_inspections_when_one_is_inspected_three_times():
    """A business inspected in April, June and September is one covered business: with the model's
    default ordering in the DISTINCT it counted three times and a town read 150 %."""
    busy = make_business(region_code="120113001")
    make_business(region_code="120113001")
    ins = [UserFactory.create(username=f"t{i}", role=Role.INSPECTOR) for i in range(2)]
    for month in (4, 6, 9):
        _submitted(busy, dt.date(2022, month, 10), ins)
    cov = indicators.compute("inspections.coverage", Period.year(2022))
    assert cov.region_value("120113001") == D(50)
    assert cov.numerator == 1
