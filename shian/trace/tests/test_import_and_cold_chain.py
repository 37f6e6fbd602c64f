"""The xlsx capture layout (all or nothing, problems by row and column, through the one capture
service), imported cold-chain records judged by the rules of their date, the 三专三证五不准
checklist and T05, coverage, and T20 from the consumer query counts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shian.core.indicators import Period, compute
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.trace import imports, rules, selectors, services
from shian.trace.models import (
    ColdChainCheck,
    ConsumerQueryCount,
    Lot,
    LotEdge,
    ProductLine,
    QuerySource,
    TraceEvent,
)
from shian.trace.tests import docs

TZ = dt.timezone(dt.timedelta(hours=8))


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(imports.TEMPLATE_HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _row(**v: object) -> list[object]:
    fields: dict[str, object] = dict.fromkeys(imports.HEADERS, "")
    fields.update(v)
    return [fields[f] for f in imports.HEADERS]


@pytest.mark.django_db
def test_xlsx_capture_builds_events_and_refuses_a_bad_row_whole(personas):
    officer = personas("district_officer")
    packer = docs.business("北辰盐业分装厂", TOWN_A, "production")
    shop = docs.business("天穆镇粮油店", TOWN_B)
    good = [
        _row(
            step="转化",
            time="2022-03-02 08:00",
            holder=packer.credit_code,
            product="散装食用盐",
            gtin="06901234000016",
            lot="BS2203",
            quantity=1000,
            unit="千克",
            group="ZH-01",
            role="投入",
        ),
        _row(
            step="转化",
            time="2022-03-02 08:00",
            holder=packer.credit_code,
            product="精制碘盐 400g",
            gtin="06901234000023",
            lot="JY2203",
            quantity=2500,
            unit="袋",
            group="ZH-01",
            role="产出",
            produced="2022-03-02",
        ),
        _row(
            step="发货",
            time="2022-03-03 10:00",
            holder=packer.credit_code,
            product="精制碘盐 400g",
            gtin="06901234000023",
            lot="JY2203",
            quantity=300,
            unit="袋",
            other=shop.credit_code,
            doc_type="发货单",
            doc_no="FH-0303",
        ),
    ]
    bad = [
        *good,
        _row(
            step="送礼",
            time="2022-03-04",
            holder="123",
            quantity="很多",
            unit="箱",
            gtin="06901234000013",
            lot="X",
        ),
    ]
    with pytest.raises(imports.XlsxRejected) as refused:
        imports.epcis_capture_xlsx(by=officer, content=_xlsx(bad), filename="bad.xlsx")
    lines = [i.line() for i in refused.value.issues]
    assert any("第5行" in line and "业务环节" in line for line in lines)
    assert any("第5行" in line and "统一社会信用代码" in line for line in lines)
    assert any("第5行" in line and "数量" in line for line in lines)
    assert any("第5行" in line and "GTIN" in line for line in lines)
    assert TraceEvent.objects.count() == 0 and Lot.objects.count() == 0
    result = imports.epcis_capture_xlsx(by=officer, content=_xlsx(good), filename="good.xlsx")
    assert (result.total, result.new) == (2, 2)  # one transformation, one shipment
    salt = Lot.objects.get(business=shop)
    assert salt.product_name == "精制碘盐 400g" and salt.lot_number == "JY2203"
    assert (
        LotEdge.objects.filter(kind="transform").count() == 1
        and LotEdge.objects.filter(kind="ship").count() == 1
    )
    # Sent again: nothing new (the same events, the same hash IDs).
    assert imports.epcis_capture_xlsx(by=officer, content=_xlsx(good), filename="good.xlsx").new == 0
    template = openpyxl.load_workbook(io.BytesIO(imports.template_xlsx()))
    assert [c.value for c in template.active[1]] == imports.TEMPLATE_HEADERS


def test_cold_chain_rules_by_date():
    """From the November 2020 notices to 7 January 2023 an in-record needed the nucleic acid and
    disinfection proofs; from 8 January 2023 (乙类乙管) it no longer does; before the first
    edition there is no rule to judge by."""
    proofs = {"customs_declaration": "1", "quarantine_certificate": "2", "trace_code": "3"}
    edition, missing = rules.cold_chain_missing(on=dt.date(2022, 5, 1), direction="in", proofs=proofs)
    assert edition == "cold-chain-2020-11" and missing == ["nucleic_acid_proof", "disinfection_proof"]
    edition, missing = rules.cold_chain_missing(on=dt.date(2023, 1, 8), direction="in", proofs=proofs)
    assert edition == "cold-chain-2023-01" and missing == []
    assert (
        rules.cold_chain_missing(on=dt.date(2023, 1, 7), direction="in", proofs=proofs)[0]
        == "cold-chain-2020-11"
    )
    # Before the first edition: a clear answer naming the date and the rule in words, never a guess.
    with pytest.raises(rules.NoEditionInForce, match="2020-01-01 没有施行中的进口冷链食品出入库查验规则版本"):
        rules.cold_chain_missing(on=dt.date(2020, 1, 1), direction="in", proofs=proofs)


def test_growth_against_the_same_span_a_year_before():
    assert rules.same_span_a_year_before(dt.date(2024, 2, 29), dt.date(2024, 3, 31)) == (
        dt.date(2023, 2, 28),
        dt.date(2023, 3, 31),
    )
    assert rules.growth_percent(150, 100) == 50
    assert rules.growth_percent(10, 0) is None


@pytest.mark.django_db
def test_cold_chain_records_checks_and_t05(personas):
    officer = personas("district_officer")
    store = docs.business("北辰区集中监管仓", TOWN_A, "cold_store")
    market = docs.business("天穆镇农贸市场", TOWN_B, "agri_market")
    record = services.cold_chain_record(
        by=officer,
        warehouse=store,
        direction="in",
        at=dt.datetime(2022, 4, 6, 9, 0, tzinfo=TZ),
        product_name="冷冻去骨牛肉",
        quantity=Decimal(12000),
        origin_country="巴西",
        proofs={
            "customs_declaration": "020420220001",
            "quarantine_certificate": "IQ1",
            "trace_code": "TJLL1",
        },
    )
    assert record.rule_edition == "cold-chain-2020-11" and record.missing == [
        "nucleic_acid_proof",
        "disinfection_proof",
    ]
    with pytest.raises(ValidationError):
        services.cold_chain_record(
            by=officer,
            warehouse=store,
            direction="in",
            at=dt.datetime(2019, 4, 6, tzinfo=TZ),
            product_name="x",
            quantity=Decimal(1),
        )
    with pytest.raises(PermissionDenied):
        services.cold_chain_record(
            by=personas("town_a_officer"),
            warehouse=market,
            direction="in",
            at=dt.datetime(2022, 4, 6, tzinfo=TZ),
            product_name="x",
            quantity=Decimal(1),
        )
    checklist = rules.cold_chain_checklist(dt.date(2022, 5, 1))
    check = services.cold_chain_check_record(
        by=officer,
        business=store,
        checked_on=dt.date(2022, 5, 1),
        answers={i.code: True for i in checklist.items},
    )
    assert check.passed
    partial = services.cold_chain_check_record(
        by=officer, business=store, checked_on=dt.date(2022, 6, 1), answers={"zhuan-area": True}
    )
    assert not partial.passed and ColdChainCheck.objects.count() == 2
    t05 = compute("trace.cold_chain_check_coverage", Period.year(2022))
    assert t05.value == 50  # the cold store checked, the market not
    assert t05.region_value(TOWN_A) == 100 and t05.region_value(TOWN_B) == 0


@pytest.mark.django_db
def test_t20_from_counts_and_coverage(personas):
    officer = personas("district_officer")
    assert compute("trace.formula_query_growth", Period.year(2022)).missing
    services.consumer_query_baseline_record(
        by=officer,
        day=dt.date(2021, 6, 1),
        product_line=ProductLine.INFANT_FORMULA,
        count=1000,
        note="区工信局报送",
    )
    for day in (dt.date(2022, 3, 1), dt.date(2022, 7, 1)):
        ConsumerQueryCount.objects.create(
            day=day, product_line=ProductLine.INFANT_FORMULA, source=QuerySource.PLATFORM, count=800
        )
    ConsumerQueryCount.objects.create(
        day=dt.date(2022, 7, 1), product_line=ProductLine.SALT, source=QuerySource.PLATFORM, count=999
    )
    assert compute("trace.formula_query_growth", Period.year(2022)).value == 60
    # The first half of 2022 against the first half of 2021.
    assert (
        compute("trace.formula_query_growth", Period(dt.date(2022, 1, 1), dt.date(2022, 6, 30))).value == -20
    )
    maker = docs.business("北辰乳业", TOWN_A, "production")
    docs.business("果园新村副食店", TOWN_A)
    shop = docs.business("天穆便利店", TOWN_B)
    services.epcis_capture(
        by=officer,
        document=docs.document(docs.ship(maker, shop, "F1", when="2022-03-03T10:00:00+08:00", qty=5)),
        source="api",
        now=dt.datetime(2022, 6, 1, tzinfo=dt.UTC),
    )
    edition, rows, by_step = selectors.coverage_for_user(  # the edition in force on the end date
        user=officer, start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31)
    )
    table = {(r.region_id, r.business_type): (r.expected, r.recording) for r in rows}
    assert table[(TOWN_A, "production")] == (1, 1) and table[(TOWN_A, "wholesale_retail")] == (1, 0)
    assert by_step == {"shipping": 1} and edition == "coverage-2022"
    _e, rows_a, _s = selectors.coverage_for_user(
        user=personas("town_a_officer"), start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31)
    )
    assert {r.region_id for r in rows_a} == {TOWN_A}
    assert compute("trace.recording_coverage", Period.year(2022)).value is not None
