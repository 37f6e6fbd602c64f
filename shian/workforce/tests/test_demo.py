"""The demo's sources and workforce records: every register filled at Beichen's scale and every
figure of tasks 六–八, 十八, 二十二–二十五, 二十七 computed (not missing) from them."""

from __future__ import annotations

import datetime as dt

import pytest

from shian.core import indicators
from shian.core.models import Coordinator, Region, RegionLevel
from shian.registry.tests.factories import make_business
from shian.sources.demo import demo_sources_build
from shian.sources.models import GrainLot, Producer
from shian.workforce.demo import demo_grid_build, demo_workforce_build
from shian.workforce.indicators import INDICATORS
from shian.workforce.models import GridCell, Inspector

pytestmark = pytest.mark.django_db


def test_demo_fills_every_register_and_every_figure_and_page(personas, client_for):
    for i, t in enumerate(["agri_market", "school_canteen", "school_canteen", "production", "catering"]):
        make_business(name=f"演示主体{i}", region_code="120113100", business_type=t)
    town = Region.objects.filter(level=RegionLevel.TOWN).first()
    Coordinator.objects.create(name="演示协管员", region=town, since=dt.date(2021, 1, 1))
    demo_sources_build(seed=7, out=lambda s: None)
    demo_workforce_build(seed=7, out=lambda s: None)
    demo_grid_build(seed=7, out=lambda s: None)
    assert Producer.objects.count() == 240 and GrainLot.objects.count() == 48
    assert Inspector.objects.count() == 160 and GridCell.objects.filter(coordinator__isnull=False).exists()
    period = indicators.Period.year(2022)
    codes = [
        "sources.farmland_safe_use_rate",
        "sources.certificate_producer_coverage",
        "sources.certificate_match_rate",
        "sources.pesticides_phased_out",
        "sources.grain_samples_per_10k_tonnes",
        "sources.rice_cadmium_coverage",
        *(row[0] for row in INDICATORS),
    ]
    for code in codes:
        r = indicators.compute(code, period)
        assert not r.missing and r.value is not None, code
    # Three of the four highly toxic pesticides phased out in 2022; the district meets one sample per
    # 10,000 t, one store does not.
    assert indicators.compute("sources.pesticides_phased_out", period).value == 3
    assert indicators.compute("sources.grain_samples_per_10k_tonnes", period).value >= 1
    from shian.sources.selectors import grain_monitoring_by_store

    short = [
        r.store.code
        for r in grain_monitoring_by_store(user=personas("district_officer"), period=period)
        if not r.density_met
    ]
    assert short == ["LK03"]
    # Run again: nothing is added twice.
    demo_sources_build(seed=7, out=lambda s: None)
    assert Producer.objects.count() == 240

    # Every page of both modules answers over the demo's records (the first request warms the
    # template loader and the URL resolver).
    from shian.sources.kinds import KINDS as SOURCES
    from shian.workforce.kinds import KINDS as WORKFORCE

    c = client_for("district_officer")
    for path in (
        "/sources/",
        "/sources/grain/?year=2022",
        "/sources/banned-hits/?year=2022",
        "/workforce/?year=2022",
        "/workforce/coordinators/",
        "/workforce/inspector-hours/?year=2022",
    ):
        assert c.get(path).status_code == 200, path
    for ns, registry in (("sources", SOURCES), ("workforce", WORKFORCE)):
        for kind in registry.kinds.values():
            first = kind.model._default_manager.order_by("pk").first()
            assert first is not None, kind.slug
            assert c.get(f"/{ns}/r/{kind.slug}/{first.pk}/").status_code == 200, kind.slug
    html = client_for("town_b_officer").get("/workforce/coordinators/").content.decode()
    assert "天穆镇" in html and "应配" in html and "果园新村街道" not in html
