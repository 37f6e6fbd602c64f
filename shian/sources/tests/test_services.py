"""Writing the sources records: each unit its own, scoped, validated by the rules, audited; the
import is all or nothing with located problems."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError

from shian.core.models import AuditEntry, AuditSource
from shian.core.unitrecords import records_for_user, unit_records_import
from shian.sources.kinds import KINDS
from shian.sources.models import GrainTest, Producer

from .helpers import TOWN_A, TOWN_B, liaison, save

pytestmark = pytest.mark.django_db


def test_agriculture_records_its_producer_and_it_is_audited():
    agri = liaison("agriculture")
    p = save(
        "producers",
        agri,
        code="P-001",
        name="双街镇绿源蔬菜专业合作社",
        kind="cooperative",
        products="韭菜、黄瓜",
        active=True,
        region=TOWN_B,
    )
    assert p.department_id == "agriculture"
    entry = AuditEntry.objects.get(object_type="sources.producer", object_id=str(p.pk))
    assert entry.after["name"] == "双街镇绿源蔬菜专业合作社" and entry.region_code == TOWN_B


def test_a_liaison_cannot_file_for_another_unit_nor_change_its_records(personas):
    agri = liaison("agriculture")
    p = save(
        "producers", agri, code="P-002", name="天穆镇农户张某", kind="farmer", products="白菜", region=TOWN_B
    )
    edu = personas("education_liaison")
    # The education bureau does not see the agriculture committee's producers at all.
    assert not records_for_user(KINDS.kinds["producers"], edu).filter(pk=p.pk).exists()
    with pytest.raises(ValidationError):
        save(
            "producers",
            personas("district_officer"),
            code="P-003",
            name="x",
            kind="nope",
            products="x",
            region=TOWN_A,
        )
    grain = liaison("grain")
    with pytest.raises(PermissionDenied):
        from shian.core.unitrecords import unit_record_save

        unit_record_save(
            kind=KINDS.kinds["producers"],
            by=grain,
            source=AuditSource.WEB,
            data={"code": "P-002", "name": "改名", "kind": "farmer", "products": "白菜", "region": TOWN_B},
            instance=p,
        )


def test_a_town_officer_sees_their_town_but_does_not_add_producers(personas):
    agri = liaison("agriculture")
    save(
        "producers", agri, code="P-A", name="果园新村合作社", kind="cooperative", products="菜", region=TOWN_A
    )
    save("producers", agri, code="P-B", name="天穆镇合作社", kind="cooperative", products="菜", region=TOWN_B)
    town_a = personas("town_a_officer")
    seen = set(records_for_user(KINDS.kinds["producers"], town_a).values_list("code", flat=True))
    assert seen == {"P-A"}
    with pytest.raises(PermissionDenied):
        save("producers", town_a, code="P-A2", name="x", kind="farmer", products="菜", region=TOWN_A)


def test_a_producer_in_the_register_is_linked_by_its_credit_code(personas):
    from shian.registry.tests.factories import make_business

    biz = make_business(name="北辰区绿野农业有限公司", region_code=TOWN_B)
    p = save(
        "producers",
        personas("district_officer"),
        code="P-R",
        name=biz.name,
        kind="enterprise",
        credit_code=biz.credit_code,
        products="番茄",
        region=TOWN_B,
    )
    assert Producer.objects.get(pk=p.pk).business_id == biz.pk
    # Linked only to a business the person may see in the register (the committee's liaison reads
    # the markets it oversees, not this company).
    q = save(
        "producers",
        liaison("agriculture"),
        code="P-R2",
        name=biz.name,
        kind="enterprise",
        credit_code=biz.credit_code,
        products="番茄",
        region=TOWN_B,
    )
    assert Producer.objects.get(pk=q.pk).business_id is None
    with pytest.raises(ValidationError, match="统一社会信用代码"):
        save(
            "producers",
            liaison("agriculture"),
            code="P-X",
            name="x",
            kind="enterprise",
            credit_code="91120113ABCDEFGH",
            products="番茄",
            region=TOWN_B,
        )


def test_rice_test_without_cadmium_is_refused_and_a_high_one_is_unqualified():
    grain = liaison("grain")
    save("grain-stores", grain, code="S1", name="北辰区粮食储备库", capacity_tonnes="50000", region=TOWN_B)
    save(
        "grain-lots",
        grain,
        code="L1",
        store="S1",
        grain="rice",
        harvest_year=2022,
        tonnes="3000",
        received_on="2022-10-20",
        region=TOWN_A,
    )
    with pytest.raises(ValidationError, match="必须检测镉"):
        save(
            "grain-tests",
            grain,
            lot="L1",
            direction="intake",
            lab="天津市粮油检测中心",
            report_no="R1",
            tested_on="2022-10-21",
            other_items_qualified=True,
            region=TOWN_B,
        )
    t = save(
        "grain-tests",
        grain,
        lot="L1",
        direction="intake",
        lab="天津市粮油检测中心",
        report_no="R2",
        tested_on="2022-10-21",
        cadmium_mg_kg="0.25",
        other_items_qualified=True,
        region=TOWN_B,
    )
    assert GrainTest.objects.get(pk=t.pk).verdict == "unqualified"
    # The lot's region comes from its store, whatever was typed.
    assert t.lot.region_id == TOWN_B and t.region_id == TOWN_B


def test_a_measure_must_fit_its_plots_class():
    eco = liaison("ecology")
    save(
        "farmland-plots",
        eco,
        code="F1",
        village="西堤头村",
        area_mu="120",
        soil_class="safe_use",
        region=TOWN_B,
    )
    with pytest.raises(ValidationError, match="不适用于"):
        save(
            "safe-use-measures",
            eco,
            plot="F1",
            year=2022,
            measure="retire",
            implemented_on="2022-04-01",
            region=TOWN_B,
        )


def test_phase_out_names_only_a_listed_pesticide():
    with pytest.raises(ValidationError, match="不在淘汰名单内"):
        save("phase-outs", liaison("agriculture"), substance="吡虫啉", region="120113")


def _xlsx(rows):
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    ws = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    book.close()
    return buf.getvalue()


HEADERS = ["主体编号", "主体名称", "主体类型", "统一社会信用代码", "主要产品", "在产", "镇街"]


def test_import_is_all_or_nothing_with_located_problems():
    agri = liaison("agriculture")
    kind = KINDS.kinds["producers"]
    bad = _xlsx(
        [
            HEADERS,
            ["P-10", "青光镇合作社", "农民专业合作社", "", "西红柿", "是", "天穆镇"],
            ["P-11", "", "农户", "", "白菜", "是", "天穆镇"],
        ]
    )
    result = unit_records_import(kind=kind, by=agri, source=AuditSource.IMPORT, content=bad)
    assert not result.ok and Producer.objects.count() == 0
    assert [(p.row, p.column) for p in result.problems] == [(3, "主体名称")]
    good = _xlsx(
        [
            HEADERS,
            ["P-10", "青光镇合作社", "农民专业合作社", "", "西红柿", "是", "天穆镇"],
            ["P-11", "天穆镇农户李某", "农户", "", "白菜", "否", "120113100"],
        ]
    )
    result = unit_records_import(kind=kind, by=agri, source=AuditSource.IMPORT, content=good)
    assert result.ok and result.written == 2
    assert Producer.objects.get(code="P-11").active is False
    assert Producer.objects.get(code="P-10").kind == "cooperative"
    assert AuditEntry.objects.filter(object_type="sources.producer", source="import").count() == 2


def test_quantity_is_decimal():
    agri = liaison("agriculture")
    save("producers", agri, code="P-Q", name="合作社", kind="cooperative", products="菜", region=TOWN_B)
    c = save(
        "certificates",
        agri,
        producer="P-Q",
        product="韭菜",
        quantity="120.5",
        unit="公斤",
        issued_on="2022-05-10",
        count=3,
        region=TOWN_A,
    )
    assert c.quantity == Decimal("120.5") and c.region_id == TOWN_B
