"""Workforce records and the figures computed from them: each unit and town its own records;
training hours, certificates, grid, standards training, insurance, certification, milestones and
the publicity week, each with its denominator."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shian.core import indicators
from shian.core.indicators import Period
from shian.core.models import Coordinator
from shian.registry.tests.factories import make_business

from .helpers import TOWN_A, TOWN_B, liaison, save

pytestmark = pytest.mark.django_db
Y2022 = Period.year(2022)


def test_a_town_keeps_its_own_coordinators_and_grid(personas, client_for):
    town_a = personas("town_a_officer")
    c = save(
        "coordinators", town_a, code="C-A1", name="王协管", full_time=True, since="2022-01-01", region=TOWN_A
    )
    assert Coordinator.objects.get(pk=c.pk).department_id == "market"
    # Town B is not among the towns the town A office may choose.
    with pytest.raises(ValidationError, match="region"):
        save(
            "coordinators",
            town_a,
            code="C-B1",
            name="李协管",
            full_time=True,
            since="2022-01-01",
            region=TOWN_B,
        )
    save(
        "grid-cells",
        town_a,
        code="G-A1",
        name="果园新村第一网格",
        villages="果园新村社区",
        population=8200,
        coordinator="C-A1",
        region=TOWN_A,
    )
    # The staffing table's export: town A's grid and its one coordinator.
    response = client_for("town_a_officer").get("/workforce/coordinators/?format=xlsx")
    got = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = list(got[1])
    towns = {r[0]: dict(zip(header, r, strict=True)) for r in got[2:]}
    assert set(towns) == {"果园新村街道"}
    assert (towns["果园新村街道"]["在岗专职"], towns["果园新村街道"]["网格数"]) == (1, 1)
    assert towns["果园新村街道"]["网格人口"] == 8200
    # A coordinator of another town cannot lead this town's cell.
    save(
        "coordinators",
        personas("district_officer"),
        code="C-B2",
        name="赵协管",
        full_time=True,
        since="2022-01-01",
        region=TOWN_B,
    )
    with pytest.raises(ValidationError, match="协管员"):
        save(
            "grid-cells",
            personas("district_officer"),
            code="G-A2",
            name="第二网格",
            villages="x",
            population=100,
            coordinator="C-B2",
            region=TOWN_A,
        )


def test_the_education_bureau_does_not_see_the_market_regulators_inspectors(personas):
    market = liaison("market")
    i = save(
        "inspectors",
        market,
        cert_no="12011300001",
        name="张检查",
        qualification="junior",
        cert_valid_until="2024-06-30",
        active=True,
        region=TOWN_A,
    )
    from shian.core.unitrecords import records_for_user
    from shian.workforce.kinds import KINDS

    assert (
        not records_for_user(KINDS.kinds["inspectors"], personas("education_liaison"))
        .filter(pk=i.pk)
        .exists()
    )
    with pytest.raises(PermissionDenied):
        save(
            "inspectors",
            personas("education_liaison"),
            cert_no="X",
            name="x",
            qualification="none",
            cert_valid_until="2024-01-01",
            region=TOWN_A,
        )


def test_inspector_training_rate_counts_hours_against_the_rule(client_for):
    market = liaison("market")
    for cert, town in (("E1", TOWN_A), ("E2", TOWN_A), ("E3", TOWN_B)):
        save(
            "inspectors",
            market,
            cert_no=cert,
            name=f"检查员{cert}",
            qualification="junior",
            cert_valid_until="2022-12-31" if cert != "E3" else "2022-11-30",
            active=True,
            region=town,
        )
    save(
        "inspectors",
        market,
        cert_no="E4",
        name="离岗",
        qualification="none",
        cert_valid_until="2025-01-01",
        active=False,
        region=TOWN_B,
    )
    save(
        "training",
        market,
        code="T1",
        title="食品生产检查员培训",
        kind="inspector",
        audience="检查员",
        held_on="2022-04-10",
        hours="24",
        attendance=30,
        tested=30,
        passed=28,
        region="120113",
    )
    save(
        "training-records",
        market,
        inspector="E1",
        session="T1",
        hours="24",
        completed_on="2022-04-10",
        region=TOWN_A,
    )
    save(
        "training-records",
        market,
        inspector="E1",
        course="网络课程：GB 2760",
        hours="16",
        completed_on="2022-09-01",
        region=TOWN_A,
    )
    save(
        "training-records",
        market,
        inspector="E2",
        session="T1",
        hours="24",
        completed_on="2022-04-10",
        region=TOWN_A,
    )
    r = indicators.compute("workforce.inspector_training_rate", Y2022)
    # E1 40 h meets the 40 h rule; E2 24 h and E3 0 h do not; E4 is not in post.
    assert (r.numerator, r.denominator) == (Decimal(1), Decimal(3))
    assert r.region_value(TOWN_A) == Decimal(50)
    certs = indicators.compute("workforce.inspector_certificates_valid", Y2022)
    assert (certs.numerator, certs.denominator) == (Decimal(2), Decimal(3))
    # The page's export: the same three in post, each with its hours against the rule.
    response = client_for("district_officer").get("/workforce/inspector-hours/?year=2022&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    got = list(sheet.iter_rows(values_only=True))
    header = list(got[1])
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in got[2:]}
    assert set(rows) == {"E1", "E2", "E3"}
    assert (rows["E1"]["学时"], rows["E1"]["应达学时"], rows["E1"]["是否达标"]) == (40, 40, "是")
    assert (rows["E2"]["学时"], rows["E2"]["是否达标"]) == (24, "否")
    assert (rows["E3"]["执法证有效期至"], rows["E3"]["执法证有效"]) == ("2022-11-30", "否")


def test_training_counts_must_be_ordered():
    with pytest.raises(ValidationError, match="考核合格人数"):
        save(
            "training",
            liaison("health"),
            code="T9",
            title="GB 31654 宣贯",
            kind="standards",
            audience="餐饮企业",
            held_on="2022-05-01",
            hours="3",
            attendance=50,
            tested=40,
            passed=45,
            region="120113",
        )


def test_standards_training_and_publicity_week_are_counted_in_their_period(personas):
    health = liaison("health")
    save(
        "training",
        health,
        code="S1",
        title="GB 2762-2022 宣贯",
        kind="standards",
        audience="食品生产企业",
        held_on="2022-07-01",
        hours="3",
        attendance=120,
        region="120113",
    )
    save(
        "training",
        health,
        code="S2",
        title="GB 31654 宣贯",
        kind="standards",
        audience="餐饮企业",
        held_on="2023-01-05",
        hours="3",
        attendance=80,
        region="120113",
    )
    r = indicators.compute("workforce.standards_training_attendance", Y2022)
    assert r.value == Decimal(120)
    assert indicators.compute("workforce.standards_training_sessions", Y2022).value == Decimal(1)
    town_a = personas("town_a_officer")
    save(
        "publicity",
        town_a,
        title="2022年食品安全宣传周·果园新村",
        kind="week",
        held_on="2022-06-20",
        reach=3000,
        region=TOWN_A,
    )
    save(
        "publicity",
        town_a,
        title="辟谣：塑料紫菜",
        kind="rumour",
        held_on="2022-03-01",
        reach=12000,
        region=TOWN_A,
    )
    week = indicators.compute("workforce.publicity_week_events", Y2022)
    assert week.value == Decimal(1) and week.region_value(TOWN_A) == Decimal(1)
    assert indicators.compute("workforce.publicity_reach", Y2022).value == Decimal(15000)


def test_school_insurance_coverage_is_over_the_registers_school_canteens(personas):
    s1 = make_business(name="北辰区实验小学食堂", region_code=TOWN_B, business_type="school_canteen")
    make_business(name="北辰区第二中学食堂", region_code=TOWN_B, business_type="school_canteen")
    edu = personas("education_liaison")
    save(
        "insurance",
        edu,
        policy_no="PICC-2022-001",
        insured=s1.name,
        credit_code=s1.credit_code,
        sector="school_canteen",
        insurer="中国人保财险北辰支公司",
        cover_10k_yuan="200",
        starts="2022-03-01",
        ends="2023-02-28",
        region=TOWN_A,
    )
    r = indicators.compute("workforce.school_insurance_coverage", Y2022)
    assert (r.numerator, r.denominator, r.value) == (Decimal(1), Decimal(2), Decimal(50))
    assert indicators.compute("workforce.insurance_policies_in_force", Y2022).value == Decimal(1)


def test_certification_ratio_is_over_food_producers(personas):
    p1 = make_business(name="天津北辰示范食品有限公司", region_code=TOWN_B, business_type="production")
    make_business(name="天津北辰第二食品厂", region_code=TOWN_B, business_type="production")
    make_business(name="天津北辰第三食品厂", region_code=TOWN_A, business_type="production")
    save(
        "certifications",
        personas("district_officer"),
        cert_no="CQC-22-001",
        holder=p1.name,
        credit_code=p1.credit_code,
        scheme="haccp",
        valid_until="2024-05-01",
        region=TOWN_A,
    )
    r = indicators.compute("workforce.certification_ratio", Y2022)
    assert (r.numerator, r.denominator) == (Decimal(1), Decimal(3))


def test_a_milestone_is_done_only_with_evidence_and_counted_by_due_date():
    office = liaison("office")
    with pytest.raises(ValidationError, match="证明材料"):
        save(
            "milestones",
            office,
            programme="demo_city",
            title="创建自评报告",
            due="2022-06-30",
            done_on="2022-06-20",
            region="120113",
        )
    save(
        "milestones",
        office,
        programme="demo_city",
        title="创建自评报告",
        due="2022-06-30",
        done_on="2022-06-20",
        evidence="北辰食安委〔2022〕12号",
        region="120113",
    )
    save("milestones", office, programme="agri_county", title="农安县复核", due="2022-11-30", region="120113")
    save("milestones", office, programme="demo_city", title="国家验收", due="2023-06-30", region="120113")
    r = indicators.compute("workforce.milestones_done", Y2022)
    assert (r.numerator, r.denominator) == (Decimal(1), Decimal(2))


def test_agricultural_cells_with_an_informant(personas):
    agri = liaison("agriculture")
    save(
        "grid-cells",
        agri,
        code="N1",
        name="双口镇农业网格一",
        villages="双口村",
        population=3000,
        agricultural=True,
        region=TOWN_B,
    )
    save(
        "grid-cells",
        agri,
        code="N2",
        name="双口镇农业网格二",
        villages="前丁庄村",
        population=2500,
        agricultural=True,
        region=TOWN_B,
    )
    save("informants", agri, cell="N1", name="刘信息员", since="2022-02-01", region=TOWN_B)
    save(
        "informants", agri, cell="N2", name="陈信息员", since="2021-02-01", until="2022-05-31", region=TOWN_B
    )
    r = indicators.compute("workforce.grid_informant_coverage", Y2022)
    assert (r.numerator, r.denominator) == (Decimal(1), Decimal(2))


def test_every_figure_is_missing_before_its_records():
    from shian.workforce.indicators import INDICATORS

    for code, *_rest in INDICATORS:
        assert indicators.compute(code, Y2022).missing, code
