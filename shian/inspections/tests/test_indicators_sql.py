"""The inspections' indicators are counted in SQL (grouped queries, indexes; bench/bench_index.py):
they must give exactly what counting the rows one by one in Python gives. The reference functions
below are the earlier implementations, kept as the definition; a register of every kind of
business (types, categories, streets, towns, zones, opening and closing dates) with inspections,
campaign inspections and rectification orders in and out of each period is compared for the year,
each quarter, all towns and a subset."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import Q

from shian.core.indicators import IndicatorResult, Period
from shian.core.models import Region, RegionLevel
from shian.inspections import indicators, rules
from shian.inspections.models import (
    Finding,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Rectification,
    RectificationStatus,
)
from shian.registry.models import Business, BusinessFoodCategory
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db
TOWNS = ["120113001", "120113002", "120113100", "120113101", "120113400", "120113500"]
TYPES = ["catering", "wholesale_retail", "school_canteen", "production", "special_food", "agri_market"]
CATEGORIES = [["31"], ["33"], ["15", "31"], ["27"], ["24"], []]


def _active(period, regions):
    qs = (
        Business.objects.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=period.end))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=period.end))
        .exclude(status="closed", closed_on__isnull=True)
    )
    return qs if regions is None else qs.filter(region_id__in=regions)


def _towns(regions):
    qs = Region.objects.exclude(level=RegionLevel.DISTRICT)
    if regions is not None:
        qs = qs.filter(code__in=regions)
    return list(qs.values_list("code", flat=True))


def _share(num, den, towns):
    by_region = {c: (Decimal(num.get(c, 0)), Decimal(den.get(c, 0))) for c in towns}
    return IndicatorResult(
        Decimal(sum(num.values())), Decimal(sum(den.values())), Decimal(100), by_region=by_region
    )


def reference_coverage(period, regions):
    den = defaultdict(int)
    for region in _active(period, regions).values_list("region_id", flat=True):
        den[region] += 1
    active = set(_active(period, regions).values_list("id", flat=True))
    pairs = {
        (region, bid)
        for region, bid in Inspection.objects.filter(
            status=InspectionStatus.SUBMITTED, inspected_on__gte=period.start, inspected_on__lte=period.end
        ).values_list("region_id", "business_id")
        if bid in active
    }
    num = defaultdict(int)
    for region, _b in pairs:
        num[region] += 1
    return _share(num, den, _towns(regions))


def reference_campaign_coverage(period, regions, only=""):
    campaigns = [
        c
        for c in rules.load_campaigns().values()
        if c.starts <= period.end and c.ends >= period.start and (not only or c.code == only)
    ]
    if not campaigns:
        return IndicatorResult(Decimal(0), None, Decimal(100), missing=True, note="本期没有专项行动")
    levels = dict(Region.objects.values_list("code", "level"))
    cats = defaultdict(list)
    for bid, cat in BusinessFoodCategory.objects.values_list("business_id", "category_id"):
        cats[bid].append(cat)
    rows = list(_active(period, regions).values_list("id", "business_type", "region_id"))
    inspected = set(
        Inspection.objects.filter(
            status=InspectionStatus.SUBMITTED,
            inspected_on__gte=period.start,
            inspected_on__lte=period.end,
            campaign__in=[c.code for c in campaigns],
        ).values_list("campaign", "business_id")
    )
    num, den = defaultdict(int), defaultdict(int)
    for c in campaigns:
        for bid, btype, region in rows:
            if c.covers(
                business_type=btype,
                categories=cats.get(bid, ()),
                region_code=region,
                region_level=levels[region],
            ):
                den[region] += 1
                num[region] += (c.code, bid) in inspected
    return _share(num, den, _towns(regions))


def reference_rectification_on_time(period, regions):
    qs = Rectification.objects.filter(due__gte=period.start, due__lte=period.end)
    if regions is not None:
        qs = qs.filter(region_id__in=regions)
    num, den = defaultdict(int), defaultdict(int)
    for region, status, due, closed in qs.values_list("region_id", "status", "due", "closed_on"):
        den[region] += 1
        if status == RectificationStatus.DONE and closed is not None and closed <= due:
            num[region] += 1
    return _share(num, den, _towns(regions))


@pytest.fixture
def register():
    rng = random.Random(11)
    businesses = []
    for n in range(60):
        closed = rng.random() < 0.15
        b = make_business(
            name=f"主体{n}",
            region_code=TOWNS[n % len(TOWNS)],
            business_type=TYPES[n % len(TYPES)],
            categories=CATEGORIES[n % len(CATEGORIES)],
            opened_on=rng.choice([None, dt.date(2019, 5, 1), dt.date(2022, 5, 20), dt.date(2022, 11, 2)]),
            status="closed" if closed else "active",
            closed_on=rng.choice([None, dt.date(2022, 8, 31)]) if closed else None,
        )
        businesses.append(b)
    campaigns = list(rules.load_campaigns().values())
    rows = []
    for b in businesses:
        for _k in range(rng.randrange(4)):
            day = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(365))
            c = rng.choice([None, None, *campaigns])
            rows.append(
                Inspection(
                    business=b,
                    # Now and then recorded in another town than the business's (it moved since).
                    region_id=b.region_id if rng.random() < 0.9 else rng.choice(TOWNS),
                    inspected_on=day,
                    kind=InspectionKind.CAMPAIGN if c else InspectionKind.ROUTINE,
                    campaign=c.code if c else "",
                    checklist="catering-2022",
                    result="pass" if rng.random() < 0.9 else "fail",
                    status=InspectionStatus.SUBMITTED if rng.random() < 0.9 else InspectionStatus.DRAFT,
                    submitted_at=dt.datetime.combine(day, dt.time(16), tzinfo=dt.UTC),
                )
            )
    for r in rows:
        if r.status == InspectionStatus.DRAFT:
            r.result, r.submitted_at = "", None
    Inspection.objects.bulk_create(rows)
    for r in rows[::3]:
        f = Finding.objects.create(inspection=r, item_code="C3", description="问题")
        due = r.inspected_on + dt.timedelta(days=14)
        status = rng.choice([RectificationStatus.DONE, RectificationStatus.DONE, RectificationStatus.OPEN])
        Rectification.objects.create(
            finding=f,
            region_id=r.region_id,
            ordered_on=r.inspected_on,
            working_days=10,
            due=due,
            status=status,
            closed_on=due + dt.timedelta(days=rng.randrange(-10, 10))
            if status == RectificationStatus.DONE
            else None,
        )
    return businesses


def _same(a, b):
    assert (a.numerator, a.denominator, dict(a.by_region), a.missing, a.note) == (
        b.numerator,
        b.denominator,
        dict(b.by_region),
        b.missing,
        b.note,
    )


PERIODS = [Period.year(2022)] + [Period.quarter(2022, q) for q in (1, 2, 3, 4)]
SCOPES = [None, frozenset(TOWNS[1:4])]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: str(p.start))
def test_sql_counts_equal_the_row_by_row_counts(register, period):
    assert Inspection.objects.filter(campaign__gt="", status="submitted").exists()
    for regions in SCOPES:
        _same(indicators.coverage(period, regions), reference_coverage(period, regions))
        _same(indicators.campaign_coverage(period, regions), reference_campaign_coverage(period, regions))
        for code in rules.load_campaigns():
            _same(
                indicators.campaign_coverage(period, regions, only=code),
                reference_campaign_coverage(period, regions, only=code),
            )
        _same(
            indicators.rectification_on_time(period, regions),
            reference_rectification_on_time(period, regions),
        )
