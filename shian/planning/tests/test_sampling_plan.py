"""The annual sampling plan in the plan pages: inputs from the records, the command, the page
(who sees what, who adopts), the export, the "你点我检" votes import."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from shian.core.audit import audit_verify
from shian.core.models import AuditEntry, Department, Region
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.planning.models import SamplingAllocation, SamplingAllocationRow, SamplingVote
from shian.planning.planfile import parse_plan
from shian.planning.sampling_plan import parse_vote_file, sampling_inputs, sampling_plan_compute
from shian.planning.services import (
    ensure_reports,
    plan_load,
    sampling_allocation_adopt,
    sampling_votes_import,
)
from shian.registry.tests.factories import make_business
from shian.risk.models import RiskGrade
from shian.sampling.models import Sample

pytestmark = pytest.mark.django_db
PLAN_2022 = Path(__file__).resolve().parent.parent / "data" / "beichen-2022.toml"


@pytest.fixture
def plan(personas):
    spec = parse_plan(
        PLAN_2022.read_text(encoding="utf-8"),
        departments=set(Department.objects.values_list("code", flat=True)),
        regions=set(Region.objects.values_list("code", flat=True)),
    )
    plan = plan_load(actor=personas("district_officer"), source="command", spec=spec)
    ensure_reports(plan=plan, periods=["Y"])
    return plan


def _sample(code: str, region: str, path: str, conclusion: str, day: dt.date) -> Sample:
    return Sample.objects.create(
        code=code,
        region_id=region,
        food_name="大米",
        category_path=path,
        sampled_on=day,
        conclusion=conclusion,
    )


def test_inputs_come_from_the_plan_the_samples_grades_and_votes(plan):
    biz = make_business(categories=["31", "24"], region_code=TOWN_A)
    make_business(categories=["31"], region_code=TOWN_A)
    RiskGrade.objects.create(
        business=biz,
        region_id=TOWN_A,
        grade="D",
        score_grade="D",
        static_score=30,
        dynamic_score=40,
        total=70,
        edition="t",
        graded_on=dt.date(2022, 1, 1),
    )
    _sample("S1", TOWN_B, "粮食加工品-大米", "unqualified", dt.date(2021, 5, 1))
    _sample("S2", TOWN_B, "粮食加工品-大米", "qualified", dt.date(2021, 6, 1))
    _sample("S3", TOWN_B, "粮食加工品-大米", "qualified", dt.date(2017, 6, 1))  # before the window
    _sample("S4", TOWN_B, "不明食品", "unqualified", dt.date(2021, 6, 1))  # no category: left out
    SamplingVote.objects.create(year=2022, category_id="24", count=88)
    inputs = sampling_inputs(plan=plan, as_of=dt.date(2021, 12, 31))
    assert {u.code: u.total for u in inputs.units} == {"market": 4750, "agriculture": 1820}
    assert inputs.density_per_thousand == pytest.approx(6.92)
    assert len(inputs.towns) == 24 and sum(t.population for t in inputs.towns) == 949_000
    assert inputs.history == {("01", TOWN_B): (2, 1)}
    assert inputs.businesses == {("31", TOWN_A): 2, ("24", TOWN_A): 1}
    assert inputs.risky_share == {("31", TOWN_A): 1.0, ("24", TOWN_A): 1.0}
    assert inputs.votes == {"24": 88}
    # February 2022 held the Spring Festival: fewer working days than March.
    assert inputs.month_weights is not None and inputs.month_weights[2] < inputs.month_weights[3]


def test_command_prints_allocates_exports_and_adopts(plan, tmp_path):
    out = io.StringIO()
    path = tmp_path / "plan.xlsx"
    call_command("plan", "sampling", "--year", "2022", "--xlsx", str(path), "--adopt", stdout=out)
    text = out.getvalue()
    assert "全年 6570 批次" in text and "每千人 6.92 批次" in text
    assert "区市场监管局：4750 批次" in text and "区农业农村委：1820 批次" in text
    assert "元旦春节节日热销食品专项抽检" in text and "比值" in text and "估计本镇不合格的可能约为" in text
    adopted = SamplingAllocation.objects.get(plan=plan, current=True)
    assert adopted.total == 6570
    assert (
        sum(SamplingAllocationRow.objects.filter(allocation=adopted).values_list("quantity", flat=True))
        == 6570
    )
    entry = AuditEntry.objects.filter(object_type="planning.samplingallocation").get()
    assert entry.after["rows"] == adopted.rows.count() and len(entry.after["rows_sha256"]) == 64
    assert audit_verify().ok
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["类别×镇街", "明细", "汇总"]
    matrix = book["类别×镇街"]
    assert matrix.cell(row=matrix.max_row, column=matrix.max_column).value == 6570
    long = book["明细"]
    assert [c.value for c in long[2]][:6] == ["责任单位", "类别代码", "食品类别", "镇街", "月份", "批次"]
    assert sum(r[5] for r in long.iter_rows(min_row=3, values_only=True)) == 6570


def test_adopting_again_retires_the_previous_allocation(plan, personas):
    result = sampling_plan_compute(plan=plan)
    first = sampling_allocation_adopt(
        actor=personas("district_officer"), source="web", plan=plan, result=result
    )
    second = sampling_allocation_adopt(
        actor=personas("district_officer"), source="web", plan=plan, result=result
    )
    first.refresh_from_db()
    assert not first.current and second.current
    with pytest.raises(PermissionDenied):
        sampling_allocation_adopt(actor=personas("town_a_officer"), source="web", plan=plan, result=result)


def test_an_allocation_that_cannot_be_made_is_a_located_error(plan):
    plan.tasks.get(no=13).targets.filter(code="T13-market").update(value=100)
    with pytest.raises(ValidationError) as err:
        sampling_plan_compute(plan=plan)
    assert "density" in err.value.message_dict
    assert "每千人 6.92 批次" in err.value.message_dict["density"][0]


P = ["district_officer", "town_a_officer", "education_liaison", "inspector", "lab", "viewer", "anonymous"]


def test_page_permissions_and_scope(plan, client_for):
    expected = {
        "district_officer": 200,
        "town_a_officer": 200,
        "education_liaison": 200,
        "inspector": 200,
        "lab": 403,
        "viewer": 200,
        "anonymous": 302,
    }
    got = {p: client_for(p).get("/plan/2022/sampling/").status_code for p in P}
    assert got == expected
    assert client_for("district_officer").get("/plan/2019/sampling/").status_code == 404
    page = client_for("district_officer").get("/plan/2022/sampling/").content.decode()
    assert "年度抽检计划" in page and "方案（未采纳）" in page and "按最新数据计算并采纳" in page
    assert "与平均分配相比" in page
    town = client_for("town_a_officer").get("/plan/2022/sampling/").content.decode()
    assert "按最新数据计算并采纳" not in town and "天穆镇" not in town and "果园新村街道" in town


def test_town_officer_cannot_adopt_the_office_can(plan, client_for):
    assert client_for("town_a_officer").post("/plan/2022/sampling/", {"action": "adopt"}).status_code == 403
    assert not SamplingAllocation.objects.exists()
    response = client_for("district_officer").post("/plan/2022/sampling/", {"action": "adopt"})
    assert response.status_code == 302
    adopted = SamplingAllocation.objects.get()
    assert adopted.total == 6570 and adopted.adopted_by.username == "district_officer"
    page = client_for("district_officer").get("/plan/2022/sampling/").content.decode()
    assert "已采纳" in page


def test_export_is_scoped_and_filtered(plan, client_for):
    response = client_for("town_a_officer").get("/plan/2022/sampling/?format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    towns = {r[3] for r in book["明细"].iter_rows(min_row=3, values_only=True)}
    assert towns == {"果园新村街道"}
    response = client_for("district_officer").get("/plan/2022/sampling/?format=xlsx&unit=agriculture&month=2")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book["明细"].iter_rows(min_row=3, values_only=True))
    assert rows and {r[0] for r in rows} == {"区农业农村委"}
    assert {r[1] for r in rows} <= {"33", "34", "35", "36", "37", "38", "39"}


def _csv(text: str) -> bytes:
    return text.encode("utf-8")


def test_votes_import_writes_and_updates(plan, personas):
    rows = parse_vote_file(
        filename="v.csv", content=_csv("食品类别,票数,来源说明\n24,120,微信投票\n婴幼儿配方食品,35,\n")
    )
    assert sampling_votes_import(actor=personas("district_officer"), source="web", year=2022, rows=rows) == 2
    assert dict(SamplingVote.objects.values_list("category_id", "count")) == {"24": 120, "30": 35}
    rows = parse_vote_file(filename="v.csv", content=_csv("类别,票数\n糕点,150\n"))
    sampling_votes_import(actor=personas("district_officer"), source="web", year=2022, rows=rows)
    assert SamplingVote.objects.get(category_id="24").count == 150
    assert AuditEntry.objects.filter(object_type="planning.samplingvote").count() == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("食品类别,票数\n99,3\n", "第2行 A（食品类别）：“99”不是39个食品大类的代码或名称"),
        ("食品类别,票数\n糕点,-3\n", "第2行 B（票数）：“-3”不是非负整数"),
        ("食品类别,票数\n糕点,3.5\n", "第2行 B（票数）：“3.5”不是非负整数"),
        ("食品类别,票数\n糕点,3\n24,4\n", "第3行 A（食品类别）：“24”与第2行重复"),
        ("食品类别,票数\n,4\n", "第2行 A（食品类别）：食品类别不能为空"),
        ("类别名称,票数\n糕点,3\n", "第1行：表头缺少“食品类别”列"),
        ("", "文件是空的"),
    ],
)
def test_votes_import_refuses_bad_rows_and_writes_nothing(plan, content, message):
    with pytest.raises(ValidationError) as err:
        parse_vote_file(filename="v.csv", content=_csv(content))
    assert any(message in m for m in err.value.messages), err.value.messages
    assert not SamplingVote.objects.exists()


def test_votes_import_speaks_english_in_english_mode(plan):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as err:
        parse_vote_file(filename="v.csv", content=_csv("食品类别,票数\n99,3\n糕点,-3\n"))
    assert err.value.messages == [
        "Row 2 A（食品类别）: “99” is not the code or name of one of the 39 food categories",
        "Row 3 B（票数）: “-3” is not a whole number of zero or more",
    ]


def test_votes_import_through_the_page(plan, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("v.csv", _csv("食品类别,票数\n糕点,3\n火星食品,2\n"))
    response = client_for("district_officer").post(
        "/plan/2022/sampling/", {"action": "votes", "file": bad}, follow=True
    )
    assert "火星食品" in response.content.decode() and not SamplingVote.objects.exists()
    good = SimpleUploadedFile("v.csv", _csv("食品类别,票数\n糕点,3\n"))
    assert (
        client_for("town_a_officer")
        .post("/plan/2022/sampling/", {"action": "votes", "file": good})
        .status_code
        == 403
    )
    good.seek(0)
    client_for("district_officer").post("/plan/2022/sampling/", {"action": "votes", "file": good})
    assert SamplingVote.objects.get().count == 3


def test_api_reads_scoped_and_adopts(plan, personas):
    from django.test import Client

    from shian.core.tokens import api_token_create

    def client(name: str) -> Client:
        _, key = api_token_create(user=personas(name), name="t")
        return Client(headers={"Authorization": f"Bearer {key}"})

    town = client("town_a_officer").get("/api/v1/plans/2022/sampling").json()
    assert not town["adopted"] and {c["town"] for c in town["cells"]} == {TOWN_A}
    assert town["summary"]["total"] == 6570
    assert client("town_a_officer").post("/api/v1/plans/2022/sampling/adopt").status_code == 403
    assert client("lab").get("/api/v1/plans/2022/sampling").status_code == 403
    made = client("district_officer").post("/api/v1/plans/2022/sampling/adopt")
    assert made.status_code == 201 and made.json()["adopted"]
    assert sum(c["quantity"] for c in made.json()["cells"]) == 6570


# ------------------------------------------------------------------ the page: summary, pivot, drill-down

# What a reader of the plan should not meet: the optimiser's own vocabulary, English or Chinese.
JARGON = (
    "dual",
    "slack",
    "objective",
    "solver",
    "HiGHS",
    "整数规划",
    "先验",
    "收缩",
    "权重",
    "目标函数",
    "松弛",
    "对偶",
    "求解",
    "单元格",
    "优化",
    "收益递减",
)


@pytest.fixture
def adopted(plan, personas):
    result = sampling_plan_compute(plan=plan)
    return sampling_allocation_adopt(
        actor=personas("district_officer"), source="web", plan=plan, result=result
    )


def _rows_of(adopted):
    return list(adopted.rows.values_list("unit_id", "category_id", "region_id", "month", "quantity"))


def test_the_pivot_sums_to_the_allocation(adopted, client_for):
    rows = _rows_of(adopted)
    client = client_for("district_officer")
    by_town = client.get("/plan/2022/sampling/").context["pivot"]
    assert by_town.total == adopted.total == sum(r[4] for r in rows) == 6570
    for row, cells in by_town.lines():
        assert row.total == sum(r[4] for r in rows if r[1] == row.key)
        for town, q in cells:
            assert q == sum(r[4] for r in rows if r[1] == row.key and r[2] == town)
    assert dict(by_town.footer()) == adopted.summary["by_town"]
    by_month = client.get("/plan/2022/sampling/?by=month").context["pivot"]
    assert by_month.total == 6570
    summed = [sum(months[m] for months in adopted.summary["by_month"].values()) for m in range(12)]
    assert by_month.column_totals == summed
    # One unit: the pivot is that unit's batches.
    agri = client.get("/plan/2022/sampling/?unit=agriculture").context["pivot"]
    assert agri.total == adopted.summary["by_unit"]["agriculture"] == 1820
    # The summary opens the page: totals, the density target, the months and the towns.
    figures = client.get("/plan/2022/sampling/").context["figures"]
    assert figures.total == 6570 and figures.density_met and sum(figures.by_month) == 6570
    assert sum(q for _, _, q, _ in figures.by_town) == 6570


def test_the_pivot_exports_as_shown(adopted, client_for):
    response = client_for("district_officer").get("/plan/2022/sampling/?by=month&format=xlsx&part=pivot")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["类别×月份"]
    header = [c.value for c in sheet[2]]
    assert header[0] == "食品类别" and header[1] == "1月" and header[-1] == "合计"
    assert sheet.cell(row=sheet.max_row, column=sheet.max_column).value == 6570
    # The full export is still there, with the reasons in plain words.
    response = client_for("district_officer").get("/plan/2022/sampling/?format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["类别×镇街", "明细", "汇总"]
    reasons = " ".join(r[9] for r in book["明细"].iter_rows(min_row=3, values_only=True))
    assert "估计本镇不合格的可能约为" in reasons and not [w for w in JARGON if w in reasons]


def _drill(html: str) -> list[tuple[str, str, str, int]]:
    import re

    return [
        (u, c, t, int(q))
        for u, c, t, q in re.findall(
            r'class="drill-row" data-unit="([^"]*)" data-category="([^"]*)" data-town="([^"]*)" '
            r'data-batches="(\d+)"',
            html,
        )
    ]


def test_a_drill_down_shows_exactly_the_rows_of_its_cell(adopted, client_for):
    rows = _rows_of(adopted)
    client = client_for("district_officer")
    pivot = client.get("/plan/2022/sampling/").context["pivot"]
    row, cells = next((r, c) for r, c in pivot.lines() if sum(1 for _, q in c if q) > 3)
    town, q = next((t, q) for t, q in cells if q)
    # The page's own link, as htmx asks for it (the panel) and as a page of its own.
    response = client.get(
        f"/plan/2022/sampling/cells/?category={row.key}&town={town}", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html
    expected: dict[tuple[str, str, str], int] = {}
    for u, c, t, _m, n in rows:
        if c == row.key and t == town:
            expected[(u, c, t)] = expected.get((u, c, t), 0) + n
    got = _drill(html)
    assert {(u, c, t): n for u, c, t, n in got} == expected and len(got) == len(expected)
    assert sum(n for *_, n in got) == q
    page = client.get(f"/plan/2022/sampling/cells/?category={row.key}&town={town}").content.decode()
    assert "<html" in page and _drill(page) == got
    # By month: the month's batches of the category.
    month_pivot = client.get("/plan/2022/sampling/?by=month").context["pivot"]
    mrow, mcells = month_pivot.lines()[0]
    month, mq = next((int(k), v) for k, v in mcells if v)
    got = _drill(client.get(f"/plan/2022/sampling/cells/?category={mrow.key}&month={month}").content.decode())
    assert sum(n for *_, n in got) == mq == sum(r[4] for r in rows if r[1] == mrow.key and r[3] == month)
    # Shown inline on the page itself when the cell is in the address (no script needed).
    inline = client.get(f"/plan/2022/sampling/?category={row.key}&town={town}").content.decode()
    assert _drill(inline) == _drill(html)


def test_a_town_drills_only_into_its_own_rows(adopted, client_for):
    pivot = client_for("district_officer").get("/plan/2022/sampling/").context["pivot"]
    row = pivot.rows[0]
    theirs = client_for("town_a_officer").get(f"/plan/2022/sampling/cells/?category={row.key}&town={TOWN_B}")
    assert theirs.status_code == 200 and _drill(theirs.content.decode()) == []
    own = _drill(
        client_for("town_a_officer").get(f"/plan/2022/sampling/cells/?category={row.key}").content.decode()
    )
    assert own and {t for _, _, t, _ in own} == {TOWN_A}


def test_the_page_speaks_plainly(adopted, client_for):
    client = client_for("district_officer")
    pivot = client.get("/plan/2022/sampling/").context["pivot"]
    pages = [
        client.get("/plan/2022/sampling/").content.decode(),
        client.get("/plan/2022/sampling/?by=month").content.decode(),
        client.get("/plan/2022/sampling/?source=proposal").content.decode(),
        client.get(f"/plan/2022/sampling/cells/?category={pivot.rows[0].key}").content.decode(),
    ]
    for html in pages:
        assert [w for w in JARGON if w in html] == []
    drill = pages[-1]
    assert "<details><summary>分配理由</summary>" in drill and "估计本镇不合格的可能约为" in drill
    assert "全年抽检批次" in pages[0] and "每千人抽检批次" in pages[0] and "已达到目标" in pages[0]


def test_reasons_of_an_older_adoption_read_plainly():
    from shian.planning.sampling_plan import plain_reason

    old = (
        "预计不合格率3.21%（近5年抽检12批、不合格2批，按先验强度30向类别均值2.50%收缩）；"
        "C/D级经营户占40%（风险权重1.20）；“你点我检”88票（投票权重1.05）；按比例应为5批，优化后8批（+3）；"
        "为满足镇街保底批次而安排；本单元格已超过收益递减点（上限12批）"
    )
    text = plain_reason(old)
    assert [w for w in JARGON if w in text] == []
    assert text == (
        "近5年在本镇抽检12批、不合格2批，参考全区同类食品的不合格情况（2.50%），估计本镇不合格的可能约为3.21%；"
        "本镇该类经营户中风险等级为C、D级的占40%，相应多抽；群众在“你点我检”中为该类食品投了88票，相应多抽；"
        "按人口和经营户数平均分配应为5批，本计划安排8批；为保证本镇全年最少抽检批次而安排；"
        "本镇该类已安排较多，再多抽发现新问题的机会变小（最多12批）"
    )
