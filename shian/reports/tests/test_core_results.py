"""The reports' core results computed from records shaped like real use: a category's pass rate, a
disposal one working day late across the National Day holiday, a business inspected three times
counted once, grade shares by town, quick-test positives; then the same figures read back from the
docx, the pdf and the xlsx, and the problems and measures written from them."""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import openpyxl
import pytest
from django.utils import timezone
from pypdf import PdfReader

from shian.core.calendar import WorkingCalendar
from shian.core.models import Region, Role
from shian.core.tests.factories import TOWN_A, TOWN_B, UserFactory
from shian.inspections.models import Finding, Inspection, Rectification
from shian.metrics.tests.factories import plan_2022
from shian.registry.tests.factories import make_business
from shian.reports import builders as b
from shian.reports.sections import findings as f
from shian.reports.sections.results import WORK_LABELS
from shian.risk.models import RiskGrade
from shian.sampling import rules as sampling_rules
from shian.sampling import services
from shian.sampling.models import DisposalTask, QuickTest, Sample
from shian.sampling.workflow import SampleStatus as S

from .test_builders import headings, sample_data, texts

pytestmark = pytest.mark.django_db
TODAY = dt.date(2023, 1, 20)


def _samples(officer, *, town: str, path: str, n: int, bad: int, start: int) -> list[Sample]:
    out = []
    region = Region.objects.get(pk=town)
    for i in range(n):
        sample = services.sample_create(
            by=officer, code=f"DC22-{start + i:05d}", region=region, food_name="样品", category_path=path
        )
        services.sample_set_status(sample=sample, status=S.SAMPLED, by=officer, on=dt.date(2022, 5, 10))
        Sample.objects.filter(pk=sample.pk).update(conclusion="unqualified" if i < bad else "qualified")
        out.append(sample)
    return out


def _disposal_due(opened: dt.date) -> dt.date:
    rule = sampling_rules.deadline_rules_in_force(opened)["disposal"]
    return sampling_rules.due_date(rule, opened, lambda s, k: WorkingCalendar().deadline(s, k).due)


def _inspect(business, day: dt.date, *, result: str = "pass") -> Inspection:
    return Inspection.objects.create(
        business=business,
        region_id=business.region_id,
        inspected_on=day,
        checklist="catering",
        result=result,
        status="submitted",
        submitted_at=timezone.now(),
    )


def _order(inspection: Inspection, code: str, *, ordered: dt.date, days: int, closed: dt.date | None):
    finding = Finding.objects.create(inspection=inspection, item_code=code, description="问题")
    due = WorkingCalendar().deadline(ordered, days).due
    return Rectification.objects.create(
        finding=finding,
        region_id=inspection.region_id,
        ordered_on=ordered,
        working_days=days,
        due=due,
        status="done" if closed else "open",
        closed_on=closed,
    )


def _grade(business, grade: str) -> None:
    RiskGrade.objects.create(
        business=business,
        region_id=business.region_id,
        grade=grade,
        score_grade=grade,
        static_score=20,
        dynamic_score=20,
        total=40,
        edition="test",
        graded_on=dt.date(2022, 12, 1),
    )


def _quick(market, day: dt.date, result: str, **kw) -> QuickTest:
    return QuickTest.objects.create(
        region_id=market.region_id,
        business=market,
        stall="3号摊位",
        product="韭菜",
        item="有机磷和氨基甲酸酯类农药",
        item_code="pesticide",
        result=result,
        tested_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
        status="closed" if result == "negative" else "confirmed",
        rule_edition="test",
        **kw,
    )


@pytest.fixture
def year_2022(db):
    """One year of a district's work: 20 batches in two categories, three disposals, five
    inspections of two businesses, three rectification orders, graded businesses in two towns
    and a market's quick tests."""
    plan_2022()
    officer = UserFactory.create(username="sampler", role=Role.DISTRICT_OFFICER)
    # 粮食加工品: 3 unqualified of 10 judged → 70 %; 食用农产品: 10 judged, all qualified.
    rice = _samples(officer, town=TOWN_A, path="粮食加工品-大米", n=10, bad=3, start=1)
    _samples(officer, town=TOWN_B, path="食用农产品-蔬菜", n=10, bad=0, start=100)

    # Disposals opened the Wednesday before the National Day holiday (1–7 October 2022): their due
    # date is counted in working days, so it falls after the holiday.
    opened = dt.date(2022, 9, 28)
    due = _disposal_due(opened)
    next_working_day = WorkingCalendar().deadline(due, 1).due
    for sample, closed in ((rice[0], due), (rice[1], next_working_day), (rice[2], None)):
        DisposalTask.objects.create(
            sample=sample,
            region_id=TOWN_A,
            opened_on=opened,
            due=due,
            status="closed" if closed else "open",
            closed_on=closed,
        )

    diner = make_business(name="果园新村小吃店", region_code=TOWN_A)
    shop = make_business(name="天穆镇副食店", region_code=TOWN_B)
    make_business(name="天穆镇饭庄", region_code=TOWN_B)
    make_business(name="天穆镇早点铺", region_code=TOWN_B)
    first = _inspect(diner, dt.date(2022, 3, 1), result="fail")
    _inspect(diner, dt.date(2022, 6, 1))
    _inspect(diner, dt.date(2022, 9, 1), result="basic")
    check = _inspect(shop, dt.date(2022, 4, 1), result="basic")
    _order(first, "1.1", ordered=dt.date(2022, 3, 1), days=5, closed=dt.date(2022, 3, 4))
    _order(first, "2.3", ordered=dt.date(2022, 3, 1), days=5, closed=None)  # never rectified
    _order(check, "4.2", ordered=dt.date(2022, 4, 1), days=10, closed=dt.date(2022, 4, 8))

    _grade(diner, "A")
    _grade(shop, "C")
    _grade(make_business(name="天穆镇熟食店", region_code=TOWN_B), "D")
    market = make_business(name="天穆农贸市场", region_code=TOWN_B, business_type="agri_market")
    for i in range(8):
        _quick(market, dt.date(2022, 7, 1 + i), "negative")
    _quick(market, dt.date(2022, 7, 20), "positive", confirmed_at=timezone.now())
    return {"due": due, "late": next_working_day}


def yearly():
    return b.gather_report(kind="yearly", year=2022, today=TODAY)


def town(data: b.ReportData, code: str) -> b.TownResults:
    assert data.results is not None
    return next(t for t in data.results.towns if t.code == code)


def test_a_category_with_3_unqualified_of_10_passes_at_70_percent(year_2022):
    data = yearly()
    assert data.results is not None
    grain = next(c for c in data.results.categories if c.name == "粮食加工品")
    assert (grain.batches, grain.judged, grain.unqualified) == (10, 10, 3)
    assert b.percent(grain.pass_rate, 1) == "70%"
    assert b.percent(data.results.pass_rate, 1) == "85%"  # 17 of 20
    table = next(t for t in b.build_document(data).tables() if t.caption == "各食品类别监督抽检情况")
    assert ["粮食加工品", 10, 10, 3, "70%"] in table.rows


def test_a_disposal_finished_one_working_day_late_across_the_holiday_is_late(year_2022):
    due, late = year_2022["due"], year_2022["late"]
    assert due > dt.date(2022, 10, 7)  # the holiday pushed the deadline past the week off
    assert late > due
    data = yearly()
    a = town(data, TOWN_A)
    assert (a.disposals, a.disposals_on_time, a.disposals_late, a.disposals_overdue) == (3, 1, 1, 1)
    # As it stood on the due date itself, the late one and the open one were still in time.
    at_due = b.gather_report(kind="yearly", year=2022, today=due)
    assert at_due.results is not None
    assert at_due.results.disposals_in_progress == 2
    assert town(at_due, TOWN_A).disposals_late == 0


def test_a_business_inspected_three_times_counts_once_for_coverage(year_2022):
    data = yearly()
    assert data.results is not None
    a, t = town(data, TOWN_A), town(data, TOWN_B)
    assert (a.inspections, a.inspected) == (3, 1)
    assert data.results.inspected == 2 and data.results.total("inspections") == 4
    assert data.results.results == (1, 2, 1)  # 符合, 基本符合, 不符合
    # 天穆镇: one of its active businesses inspected (of 5 registered, the market included).
    assert t.businesses == 5 and b.percent(t.coverage, 1) == "20%"
    assert (a.rectifications, a.rectified_on_time, a.rectification_overdue) == (2, 1, 1)
    assert (t.rectifications, t.rectified_on_time) == (1, 1)


def test_risk_grades_and_quick_tests_by_town(year_2022):
    data = yearly()
    assert data.results is not None
    assert town(data, TOWN_A).grades == (1, 0, 0, 0)
    assert town(data, TOWN_B).grades == (0, 0, 1, 1)
    assert town(data, TOWN_B).risky_share == 1
    assert (data.results.total("quick_tests"), data.results.total("quick_positive")) == (9, 1)
    assert (data.results.quick_confirmed, data.results.quick_followed) == (1, 0)
    table = next(t for t in b.build_document(data).tables() if t.caption.endswith("风险等级分布"))
    assert ["天穆镇", 0, 0, 1, 1, 2, "0%", "0%", "50%", "50%"] in table.rows
    assert table.rows[-1][:6] == ["全区", 1, 0, 1, 1, 3]


def test_problems_and_measures_are_derived_from_the_figures(year_2022):
    data = yearly()
    found = f.findings(data)
    problems = "\n".join(x.problem for x in found)
    measures = "\n".join(x.measure for x in found)
    assert "粮食加工品（合格率70%，不合格3批次）" in problems and "低于全区平均合格率85%" in problems
    assert "1件超过时限才完成，1件超过时限尚未完成，主要在果园新村街道（2件）" in problems
    assert "天穆镇（20%）" in problems  # inspection coverage below the district's 28.6 %
    assert "1项超过整改期限尚未整改到位" in problems
    assert "C级和D级风险主体占比较高的镇街：天穆镇（100%）" in problems
    assert "1批次尚未转监督抽检" in problems
    assert "将粮食加工品列为2023年抽检重点" in measures
    assert "督促果园新村街道在工作日时限内完成" in measures
    heads = headings(b.build_document(data))
    assert heads[-2].endswith("、存在的问题") and heads[-1].endswith("、2023年工作措施")


def test_without_any_problem_the_chapters_say_so():
    empty = b.CoreResults(towns=(), categories=(), inspected=0)
    data = sample_data(results=empty, targets=())
    assert f.findings(data) == []
    doc = b.build_document(data)
    assert "本期平台记录没有显示需要专门指出的问题" in texts(doc)
    assert "下季度继续按计划推进各项工作" in texts(doc)


def _pdf(content: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).replace("\n", "")


@pytest.mark.parametrize("kind", ["quarterly", "yearly", "whitepaper"])
def test_the_figures_are_in_the_docx_the_pdf_and_the_xlsx(year_2022, kind):
    quarter = 2 if kind == "quarterly" else None
    data = b.gather_report(kind=kind, year=2022, quarter=quarter, today=TODAY)
    doc = b.build_document(data)
    opened = docx.Document(io.BytesIO(b.render(doc, "docx")))
    body = "\n".join(p.text for p in opened.paragraphs)
    cells = [c.text for t in opened.tables for row in t.rows for c in row.cells]
    pdf = _pdf(b.render(doc, "pdf"))
    book = openpyxl.load_workbook(io.BytesIO(b.render(doc, "xlsx")))
    values = [
        v for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None
    ]
    if kind == "quarterly":  # April–June: the May samples, the April inspection
        assert "完成食品安全监督抽检20批次" in body and "开展监督检查2户次" in body
    else:
        assert "完成食品安全监督抽检20批次" in body and "检查主体2户" in body
        assert "合格率85%" in pdf and "检查主体2户" in pdf
        assert "粮食加工品" in cells and "70%" in cells
        grain = next(
            row
            for ws in book.worksheets
            for row in ws.iter_rows(values_only=True)
            if row and row[0] == "粮食加工品"
        )
        assert grain[1:5] == (10, 10, 3, "70%")  # counts stay numbers in the spreadsheet
        assert "按时完成率33.3%" in body  # 1 of the 3 disposals
    assert "食用农产品" in values
    assert "存在的问题" in body and "存在的问题" in pdf


# Internal words the white paper must not print: the platform's status labels, rule identifiers,
# indicator codes and field names.
INTERNAL = re.compile(
    r"逾期|滞后|按进度推进|暂无数据的|办理中|"
    r"\bT\d{2}-[a-z]|[a-z]+_[a-z_]+|\b(?:sampling|inspections|risk|core|registry)\.[a-z]|"
    r"\b(?:status|region_id|conclusion|due|closed_on)\b"
)


def test_the_white_paper_prints_no_internal_label_rule_id_or_field_name(year_2022):
    data = b.gather_report(kind="whitepaper", year=2022, today=TODAY)
    doc = b.build_document(data)
    assert "超过时限尚未完成" in texts(doc)  # the same figure, in plain words
    assert not INTERNAL.findall(texts(doc))
    assert not INTERNAL.findall(_pdf(b.render(doc, "pdf")))
    yearly_doc = b.build_document(yearly())
    assert WORK_LABELS[False]["overdue"] in texts(yearly_doc)  # the internal report keeps its labels
