"""Demo records of the sources module at Beichen's scale for 2022 (deterministic for a seed):
producers in the agricultural towns and farms with their 承诺达标合格证, market checks, the four
highly toxic pesticides' phase-out (three done in the year), six grain stores with their lots,
intake tests and monitoring samples (a little short of one per 10,000 t), farmland plots with their
classes and measures. Written in bulk with one audit entry per kind (the demo's history)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import models, transaction

from shian.core.audit import AuditEvent, audit_record
from shian.core.models import AuditAction, AuditSource, Region, RegionLevel
from shian.registry.models import Business

from . import rules
from .models import (
    CertificateCheck,
    CertificateIssue,
    FarmlandPlot,
    GrainLot,
    GrainSample,
    GrainStore,
    GrainTest,
    PhaseOut,
    Producer,
    SafeUseMeasure,
)

YEAR = 2022
VEG = ["韭菜", "黄瓜", "番茄", "芹菜", "豇豆", "菠菜", "白菜", "甘蓝", "辣椒", "茄子"]
FRUIT = ["草莓", "葡萄", "桃", "西瓜"]
VILLAGES = ["东", "西", "南", "北", "前", "后", "大", "小"]


def _day(rng: random.Random, start: int = 1, end: int = 365) -> dt.date:
    return dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randint(start, end) - 1)


def _audit(model: type[models.Model], count: int, note: str) -> None:
    audit_record(
        actor=None,
        source=AuditSource.COMMAND,
        event=AuditEvent(
            action=AuditAction.GENERATE,
            object_type=model._meta.label_lower,
            object_id="demo",
            object_repr=note,
            after={"count": count},
        ),
    )


def demo_sources_build(*, seed: int, out: Callable[[str], object] = print) -> None:
    if Producer.objects.exists():
        out("源头治理演示数据已存在，跳过 / sources demo exists")
        return
    rng = random.Random(seed * 7 + 18)  # noqa: S311 - synthetic demo data, not security
    rural = list(Region.objects.filter(level__in=[RegionLevel.TOWN, RegionLevel.FARM]).order_by("code"))
    district = Region.objects.get(level=RegionLevel.DISTRICT)
    with transaction.atomic():
        _producers_and_certificates(rng, rural)
        _phase_out(rng, district)
        _grain(rng, rural)
        _farmland(rng, rural)
    out(
        f"源头治理：{Producer.objects.count()} 个生产主体，{CertificateIssue.objects.count()} 条合格证开具，"
        f"{GrainLot.objects.count()} 个粮食批次，{FarmlandPlot.objects.count()} 个耕地地块"
    )


def _producers_and_certificates(rng: random.Random, rural: list[Region]) -> None:
    kinds = ["cooperative"] * 9 + ["enterprise"] * 3 + ["family_farm"] * 6 + ["farmer"] * 6
    producers = []
    for i in range(240):
        town = rng.choice(rural)
        kind = rng.choice(kinds)
        products = rng.sample(VEG + FRUIT, 2)
        label = {
            "cooperative": "种植专业合作社",
            "enterprise": "农业发展有限公司",
            "family_farm": "家庭农场",
            "farmer": "农户",
        }[kind]
        producers.append(
            Producer(
                code=f"NC{YEAR}{i + 1:04d}",
                name=f"{town.name[:2]}{rng.choice(VILLAGES)}{label}{i + 1:03d}",
                kind=kind,
                products="、".join(products),
                active=rng.random() > 0.04,
                region=town,
                department_id="agriculture",
            )
        )
    Producer.objects.bulk_create(producers)
    certificates = []
    for p in Producer.objects.all():
        obliged = rules.certificate_required(p.kind, on=dt.date(YEAR, 6, 30))
        # Most obliged producers issue through the year; a few farmers issue voluntarily.
        if rng.random() > (0.88 if obliged else 0.25):
            continue
        for _ in range(rng.randint(3, 12)):
            certificates.append(
                CertificateIssue(
                    producer=p,
                    product=p.products.split("、")[0],
                    quantity=Decimal(rng.randint(50, 2000)),
                    unit="公斤",
                    issued_on=_day(rng, 60, 330),
                    count=rng.randint(1, 8),
                    region_id=p.region_id,
                    department_id="agriculture",
                )
            )
    CertificateIssue.objects.bulk_create(certificates, batch_size=1000)
    markets = list(Business.objects.filter(business_type="agri_market").order_by("pk")[:12])
    checks = []
    for m in markets:
        for _ in range(24):
            n = rng.randint(20, 60)
            checks.append(
                CertificateCheck(
                    market=m.name,
                    checked_on=_day(rng, 10, 360),
                    product=rng.choice(VEG),
                    batches_checked=n,
                    batches_with_certificate=n - rng.choice([0, 0, 1, 2, 3, 5]) if n > 5 else n,
                    region_id=m.region_id,
                    department_id="agriculture",
                )
            )
    CertificateCheck.objects.bulk_create(checks)
    _audit(Producer, len(producers), "演示：农产品生产主体")
    _audit(CertificateIssue, len(certificates), "演示：合格证开具")
    _audit(CertificateCheck, len(checks), "演示：市场合格证查验")


def _phase_out(rng: random.Random, district: Region) -> None:
    done = [dt.date(YEAR, 5, 31), dt.date(YEAR, 8, 31), dt.date(YEAR, 11, 30), None]
    rows = [
        PhaseOut(
            substance=s,
            dealers_checked=rng.randint(40, 70),
            stock_recovered_kg=Decimal(rng.randint(5, 60)) / 2,
            completed_on=d,
            note="" if d else "个别门店库存待清缴",
            region=district,
            department_id="agriculture",
        )
        for s, d in zip(rules.phase_out_substances(), done, strict=True)
    ]
    PhaseOut.objects.bulk_create(rows)
    _audit(PhaseOut, len(rows), "演示：高毒农药淘汰")


def _grain(rng: random.Random, rural: list[Region]) -> None:
    stores = [
        GrainStore(
            code=f"LK{i + 1:02d}",
            name=f"北辰区{town.name[:2]}粮食储备库",
            capacity_tonnes=Decimal(rng.choice([30000, 50000, 80000])),
            region=town,
            department_id="grain",
        )
        for i, town in enumerate(rng.sample(rural, 6))
    ]
    GrainStore.objects.bulk_create(stores)
    stores = list(GrainStore.objects.order_by("code"))
    lots, n = [], 0
    for s in stores:
        for _ in range(8):
            n += 1
            grain = rng.choice(["rice", "rice", "wheat", "maize"])
            lots.append(
                GrainLot(
                    code=f"LP{YEAR}{n:04d}",
                    store=s,
                    grain=grain,
                    harvest_year=YEAR,
                    tonnes=Decimal(rng.randint(15, 60) * 100),
                    received_on=_day(rng, 180, 330),
                    region_id=s.region_id,
                    department_id="grain",
                )
            )
    GrainLot.objects.bulk_create(lots)
    tests = []
    for lot in GrainLot.objects.order_by("code"):
        measured = lot.grain == "rice" and rng.random() > 0.05
        cd = Decimal(rng.randint(10, 230)) / 1000 if measured else None
        verdict = (
            "qualified"
            if cd is None or rules.cadmium_verdict(lot.grain, cd, on=lot.received_on) == "qualified"
            else "unqualified"
        )
        tests.append(
            GrainTest(
                lot=lot,
                direction="intake",
                lab="天津市粮油产品质量监督检验站",
                report_no=f"RK{lot.code}",
                tested_on=lot.received_on,
                cadmium_mg_kg=cd,
                verdict=verdict,
                region_id=lot.region_id,
                department_id="grain",
            )
        )
    GrainTest.objects.bulk_create(tests)
    samples = []
    for s in stores:
        tonnes = sum((lot.tonnes for lot in lots if lot.store_id == s.pk), Decimal(0))
        # About one per 10,000 t, one store short of it.
        k = rules.samples_needed(tonnes, on=dt.date(YEAR, 12, 31)) - (1 if s.code == "LK03" else 0)
        for j in range(max(0, k)):
            samples.append(
                GrainSample(
                    store=s,
                    code=f"JC{YEAR}{s.code}{j + 1:02d}",
                    grain=rng.choice(["rice", "wheat"]),
                    sampled_on=_day(rng, 200, 350),
                    qualified=rng.random() > 0.03,
                    region_id=s.region_id,
                    department_id="grain",
                )
            )
    GrainSample.objects.bulk_create(samples)
    _audit(GrainLot, len(lots), "演示：粮库与粮食批次")
    _audit(GrainTest, len(tests), "演示：出入库检验")
    _audit(GrainSample, len(samples), "演示：粮食监测样品")


def _farmland(rng: random.Random, rural: list[Region]) -> None:
    plots = []
    for i in range(120):
        town = rng.choice(rural)
        cls = rng.choices(["priority", "safe_use", "strict_control"], weights=[80, 32, 8])[0]
        plots.append(
            FarmlandPlot(
                code=f"GD{i + 1:04d}",
                village=f"{town.name[:2]}{rng.choice(VILLAGES)}村",
                area_mu=Decimal(rng.randint(20, 400)),
                soil_class=cls,
                crop=rng.choice(["水稻", "小麦", "玉米", "蔬菜"]),
                region=town,
                department_id="ecology",
            )
        )
    FarmlandPlot.objects.bulk_create(plots)
    measures = []
    for p in FarmlandPlot.objects.exclude(soil_class="priority"):
        options = (
            ["low_accumulation", "water", "ph", "foliar"]
            if p.soil_class == "safe_use"
            else ["structure", "retire"]
        )
        implemented = _day(rng, 60, 150)
        checked = rng.random() > 0.1
        measures.append(
            SafeUseMeasure(
                plot=p,
                year=YEAR,
                measure=rng.choice(options),
                implemented_on=implemented,
                checked_on=implemented + dt.timedelta(days=rng.randint(60, 150)) if checked else None,
                check_passed=checked,
                region_id=p.region_id,
                department_id="agriculture",
            )
        )
    SafeUseMeasure.objects.bulk_create(measures)
    _audit(FarmlandPlot, len(plots), "演示：耕地地块")
    _audit(SafeUseMeasure, len(measures), "演示：安全利用措施")
