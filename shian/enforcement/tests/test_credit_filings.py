"""T21 (plan task 二十一, "将食品抽检结果、核查处置信息等有序归集至国家企业信用信息公示系统"): what is to be
filed is the period's penalty decisions to be published, its samples judged unqualified and its
closed disposals; the filing page files all three as one batch, the export lays each kind out with
its own fields, and the indicator counts them all."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from shian.core.indicators import Period, compute
from shian.core.models import AuditAction, AuditEntry, AuditSource, Region
from shian.enforcement import services
from shian.enforcement.models import CreditFiling, CreditKind
from shian.enforcement.tests.test_services import open_case, walk_to_notice
from shian.registry.tests.factories import make_business
from shian.sampling.models import DisposalTask, Sample, StatusChange, TestItem
from shian.sampling.workflow import SampleStatus

pytestmark = pytest.mark.django_db
D = dt.date
WEB = AuditSource.WEB
TOWN_A = "120113001"


def _judged(shop, code: str, *, on: dt.date, unqualified: bool = True) -> Sample:
    """A sample of `shop` judged on `on`, as the results service leaves it."""
    verdict = "unqualified" if unqualified else "qualified"
    sample = Sample.objects.create(
        code=code,
        region=Region.objects.get(pk=TOWN_A),
        business=shop,
        food_name="芹菜",
        batch="20220301",
        sampled_on=on - dt.timedelta(days=12),
        lab_name="天津市食品安全检测技术研究院",
        manufacturer="北辰区某蔬菜种植合作社",
        status=verdict,
        conclusion=verdict,
    )
    TestItem.objects.create(
        sample=sample,
        region_id=sample.region_id,
        item="毒死蜱",
        result="0.12mg/kg",
        verdict=verdict,
        limit_text="≤0.05mg/kg",
    )
    StatusChange.objects.create(sample=sample, from_status=SampleStatus.TESTED, to_status=verdict, on=on)
    return sample


def _closed_task(sample: Sample, *, closed_on: dt.date) -> DisposalTask:
    return DisposalTask.objects.create(
        sample=sample,
        region_id=TOWN_A,
        status="closed",
        opened_on=closed_on - dt.timedelta(days=20),
        due=closed_on + dt.timedelta(days=5),
        closed_on=closed_on,
    )


@pytest.fixture
def year(personas):
    """2022 in town A: one penalty decision, two unqualified samples (one disposed of), a qualified
    sample, and an unqualified one judged in 2023 (not 2022's)."""
    officer = personas("district_officer")
    shop = make_business(name="果园新村示范超市", region_code=TOWN_A, business_type="wholesale_retail")
    case = walk_to_notice(officer, open_case(officer, shop, basis_code="fsl-126"))
    services.case_decide(
        by=officer,
        source=WEB,
        case=case,
        on=D(2022, 4, 15),
        decision_number="津辰市监罚〔2022〕12号",
        kinds=["fine"],
        fine_amount="6000",
        band="lighter",
    )
    celery = _judged(shop, "BC-2022-0101", on=D(2022, 3, 20))
    spinach = _judged(shop, "BC-2022-0102", on=D(2022, 9, 1))
    _judged(shop, "BC-2022-0103", on=D(2022, 9, 1), unqualified=False)
    _judged(shop, "BC-2023-0001", on=D(2023, 1, 10))
    task = _closed_task(celery, closed_on=D(2022, 5, 10))
    return {"officer": officer, "case": case, "celery": celery, "spinach": spinach, "task": task}


def t21() -> object:
    return compute("enforcement.results_filed", Period.year(2022))


def test_t21_counts_penalties_unqualified_results_and_disposals(year):
    officer = year["officer"]
    result = t21()
    assert (result.numerator, result.denominator) == (0, 4)  # 1 decision + 2 samples + 1 disposal
    services.credit_filing_record(
        by=officer, source=WEB, cases=[year["case"]], on=D(2022, 4, 20), batch="202204"
    )
    assert t21().value == 25  # only the penalty, as T21 counted before task 二十一 was read whole
    services.credit_filing_record_samples(
        by=officer, source=WEB, samples=[year["celery"], year["spinach"]], on=D(2022, 9, 5), batch="202209"
    )
    assert t21().value == 75
    services.credit_filing_record_disposals(
        by=officer, source=WEB, tasks=[year["task"]], on=D(2022, 6, 5), batch="202206"
    )
    result = t21()
    assert result.value == 100 and result.by_region[TOWN_A] == (4, 4)
    # Filing again changes nothing (a batch may be sent twice).
    assert (
        services.credit_filing_record_samples(
            by=officer, source=WEB, samples=[year["celery"]], on=D(2022, 9, 6), batch="again"
        )
        == []
    )
    assert CreditFiling.objects.count() == 4


def test_only_records_that_are_due_may_be_filed(year, personas):
    officer = year["officer"]
    qualified = Sample.objects.get(code="BC-2022-0103")
    with pytest.raises(ValidationError, match="不是不合格样品"):
        services.credit_filing_record_samples(
            by=officer, source=WEB, samples=[qualified], on=D(2022, 9, 5), batch="x"
        )
    open_task = DisposalTask.objects.create(
        sample=year["spinach"], region_id=TOWN_A, opened_on=D(2022, 9, 2), due=D(2022, 10, 14)
    )
    with pytest.raises(ValidationError, match="尚未办结"):
        services.credit_filing_record_disposals(
            by=officer, source=WEB, tasks=[open_task], on=D(2022, 9, 5), batch="x"
        )
    # A town officer may not file to the national system (the district office does).
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.credit_filing_record_samples(
            by=personas("town_a_officer"), source=WEB, samples=[year["celery"]], on=D(2022, 9, 5), batch="x"
        )
    assert not CreditFiling.objects.exists()


def test_the_filing_page_files_all_three_kinds_as_one_batch(year, client_for):
    client = client_for("district_officer")
    page = client.get("/enforcement/filings/").content.decode()
    # Due and not filed: the decision, three unqualified samples (one judged in 2023), one disposal.
    assert "待归集（5）" in page and "抽检不合格结果（3）" in page and "核查处置信息（1）" in page
    assert "BC-2022-0101" in page and "BC-2022-0102" in page and "BC-2023-0001" in page
    assert "BC-2022-0103" not in page  # qualified
    entries = AuditEntry.objects.filter(action=AuditAction.EXPORT).count()
    response = client.post("/enforcement/filings/")
    assert response.status_code == 302
    kinds = sorted(CreditFiling.objects.values_list("kind", flat=True))
    assert kinds == ["disposal", "penalty", "sampling", "sampling", "sampling"]
    assert len(set(CreditFiling.objects.values_list("batch", flat=True))) == 1
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == entries + 5
    done = client.get("/enforcement/filings/").content.decode()
    assert "已归集 5 条信用信息" in done and "抽检不合格 3 条" in done and "待归集（0）" in done
    # BC-2023-0001 was judged in 2023: filed too, but 2022's T21 counts 2022's four.
    assert (t21().numerator, t21().denominator) == (4, 4)


def test_export_lays_out_each_kind_with_its_fields(year, client_for):
    client = client_for("district_officer")
    client.post("/enforcement/filings/")
    body = json.loads(client.get("/enforcement/filings/export.json").content)
    assert body["layout"] == "shian-credit-2"
    by_kind = {}
    for record in body["records"]:
        by_kind.setdefault(record["kind"], []).append(record)
    assert set(by_kind) == {"penalty", "sampling", "disposal"}
    celery = next(r for r in by_kind["sampling"] if r["sample_code"] == "BC-2022-0101")
    assert celery["unqualified_items"] == "毒死蜱：0.12mg/kg（≤0.05mg/kg）"
    assert celery["judged_on"] == "2022-03-20" and celery["party"] == "果园新村示范超市"
    assert by_kind["disposal"][0]["closed_on"] == "2022-05-10"
    assert by_kind["penalty"][0]["decision_number"] == "津辰市监罚〔2022〕12号"

    wb = openpyxl.load_workbook(io.BytesIO(client.get("/enforcement/filings/export.xlsx").content))
    assert wb.sheetnames == [str(CreditKind(k).label) for k in ("penalty", "sampling", "disposal")]
    assert wb.sheetnames == ["行政处罚信息", "食品抽检不合格信息", "核查处置信息"]
    sampling = wb["食品抽检不合格信息"]
    assert sampling.cell(2, 1).value == "抽样单编号"
    assert {sampling.cell(r, 1).value for r in (3, 4, 5)} == {"BC-2022-0101", "BC-2022-0102", "BC-2023-0001"}

    api = client.get("/api/v1/enforcement/filings").json()
    assert api["layout"] == "shian-credit-2" and len(api["records"]) == 5


def test_filed_records_filter_by_kind_batch_and_date_and_export_as_filtered(year, client_for):
    client = client_for("district_officer")
    client.post("/enforcement/filings/")
    # A second batch a week later: the disposal filed again under another batch name stands for
    # a later filing run.
    first = CreditFiling.objects.first()
    assert first is not None
    batch = first.batch
    CreditFiling.objects.filter(kind=CreditKind.DISPOSAL).update(
        batch="20991231-000000", filed_on=D(2099, 12, 31)
    )

    def codes(query: str) -> list[str]:
        page = client.get(f"/enforcement/filings/?{query}").content.decode()
        return [c for c in ("BC-2022-0101", "BC-2022-0102", "BC-2023-0001", "津辰市监罚") if c in page]

    assert codes("kind=sampling") == ["BC-2022-0101", "BC-2022-0102", "BC-2023-0001"]
    assert codes("kind=penalty") == ["津辰市监罚"]
    assert "共 1 条" in client.get("/enforcement/filings/?kind=disposal").content.decode()
    assert "共 4 条" in client.get(f"/enforcement/filings/?batch={batch}").content.decode()
    assert "共 1 条" in client.get("/enforcement/filings/?start=2099-01-01").content.decode()
    assert "共 4 条" in client.get("/enforcement/filings/?end=2099-01-01").content.decode()
    # A bad date or kind is no filter, not an error.
    assert "共 5 条" in client.get("/enforcement/filings/?start=2099-13-01&kind=x").content.decode()

    body = json.loads(client.get("/enforcement/filings/export.json?kind=sampling").content)
    assert sorted(r["sample_code"] for r in body["records"]) == [
        "BC-2022-0101",
        "BC-2022-0102",
        "BC-2023-0001",
    ]
    wb = openpyxl.load_workbook(
        io.BytesIO(client.get("/enforcement/filings/export.xlsx?start=2099-01-01").content)
    )
    counts = {ws.title: ws.max_row - 2 for ws in wb.worksheets}
    assert counts.get("核查处置信息") == 1
    assert sum(counts.values()) == 1
