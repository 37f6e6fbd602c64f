"""The two ways to get a report: `shian report …` and the reports page (who may, what comes back,
and the audit entry a download leaves). The 2022 plan is loaded without any evidence, so every
report also shows that a plan with no records yet says "暂无数据" instead of numbers."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import docx
import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from pypdf import PdfReader

from shian.core.models import AuditAction, AuditEntry, Department, Region
from shian.planning.models import AnnualPlan, PlanStatus
from shian.planning.planfile import parse_plan
from shian.planning.services import ensure_reports, plan_load
from shian.reports.builders import EXPORT_OBJECT_TYPE

PLAN_FILE = Path(__file__).resolve().parents[2] / "planning" / "data" / "beichen-2022.toml"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def plan_2022(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The 2022 plan in force, with its expected reports opened and nothing reported yet; loaded
    once for the module in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            spec = parse_plan(
                PLAN_FILE.read_text(encoding="utf-8"),
                departments=set(Department.objects.values_list("code", flat=True)),
                regions=set(Region.objects.values_list("code", flat=True)),
            )
            plan = plan_load(actor=None, source="command", spec=spec)
            ensure_reports(plan=plan, periods=["Q1", "Q2", "Q3", "Q4", "Y"])
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# ------------------------------------------------------------------------------------ command


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_a_year_without_a_plan_is_refused_with_exit_code_1(db, tmp_path):
    out = tmp_path / "report.pdf"
    with pytest.raises(CommandError, match="没有 2019 年的现行食品安全监督管理计划") as caught:
        run("yearly", "--year", "2019", "--out", str(out))
    assert caught.value.returncode == 1
    assert not out.exists()


def test_a_fifth_quarter_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="季度须为 1、2、3 或 4，而不是 5") as caught:
        run("quarterly", "--year", "2022", "--quarter", "5", "--out", str(tmp_path / "q5.pdf"))
    assert caught.value.returncode == 1


def test_the_quarterly_report_needs_its_quarter(db, tmp_path):
    with pytest.raises(CommandError, match="季度报告须指定季度"):
        run("quarterly", "--year", "2022", "--out", str(tmp_path / "q.pdf"))


def test_the_format_comes_from_the_file_name(db, tmp_path):
    with pytest.raises(CommandError, match=r"扩展名应为 \.docx、\.pdf 或 \.xlsx"):
        run("whitepaper", "--year", "2022", "--out", str(tmp_path / "report.txt"))


def test_the_quarterly_report_as_pdf(plan_2022, db, tmp_path):
    out = tmp_path / "q3.pdf"
    message = run("quarterly", "--year", "2022", "--quarter", "3", "--out", str(out))
    assert "北辰区2022年第3季度食品安全工作报告" in message
    text = "".join(page.extract_text() for page in PdfReader(out).pages).replace("\n", "")
    assert "北辰区2022年第3季度食品安全工作报告" in text
    assert "暂无数据" in text  # nothing reported yet: said, not invented


def test_the_year_end_report_as_docx(plan_2022, db, tmp_path):
    out = tmp_path / "2022.docx"
    run("yearly", "--year", "2022", "--out", str(out))
    opened = docx.Document(str(out))
    heads = [p.text for p in opened.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert "（九）强化食品安全社会共治" in heads
    assert opened.core_properties.title == "北辰区2022年度食品安全工作报告"


def test_the_white_paper_tables_as_xlsx(plan_2022, db, tmp_path):
    out = tmp_path / "whitepaper.xlsx"
    run("whitepaper", "--year", "2022", "--out", str(out))
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0].startswith("表1 ")
    values = {c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
    assert "果园新村街道" in values
    assert "（十三）全年食品安全监督抽检批次（目标≥6570批次）" in values


# --------------------------------------------------------------------------------------- page

URL = "/reports/"


def test_the_page_is_at_reports():
    assert reverse("reports:index") == URL


def test_anonymous_people_are_sent_to_log_in(client_for):
    response = client_for("anonymous").get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_lab_may_not_generate_reports(client_for):
    client = client_for("lab")
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"kind": "whitepaper", "year": 2022, "format": "pdf"}).status_code == 403


@pytest.mark.parametrize("persona", ["district_officer", "town_a_officer", "education_liaison", "viewer"])
def test_people_who_may_view_the_plan_see_the_form(plan_2022, client_for, persona):
    response = client_for(persona).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="kind"' in body and 'value="2022"' in body


def test_a_town_officer_downloads_the_quarterly_report_as_pdf_and_the_download_is_audited(
    plan_2022, client_for, personas
):
    response = client_for("town_a_officer").post(
        URL, {"kind": "quarterly", "year": "2022", "quarter": "3", "format": "pdf"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == PDF
    assert quote("北辰区2022年第3季度食品安全工作报告.pdf") in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    entry = AuditEntry.objects.get(object_type=EXPORT_OBJECT_TYPE)
    assert entry.action == AuditAction.EXPORT
    assert entry.actor == personas("town_a_officer")
    assert entry.object_repr == "北辰区2022年第3季度食品安全工作报告.pdf"
    assert entry.after["quarter"] == 3 and entry.after["format"] == "pdf"


def test_the_district_officer_downloads_the_white_paper_as_docx(plan_2022, client_for):
    response = client_for("district_officer").post(
        URL, {"kind": "whitepaper", "year": "2022", "format": "docx"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    opened = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    assert opened.core_properties.title == "北辰区2022年食品安全白皮书"


def test_a_quarterly_report_without_its_quarter_is_not_generated(plan_2022, client_for):
    response = client_for("district_officer").post(
        URL, {"kind": "quarterly", "year": "2022", "format": "pdf"}
    )
    assert response.status_code == 400
    assert "请选择季度报告所属的季度" in response.content.decode()
    assert not AuditEntry.objects.filter(object_type=EXPORT_OBJECT_TYPE).exists()


def test_a_year_without_a_plan_cannot_be_chosen(plan_2022, client_for):
    response = client_for("district_officer").post(
        URL, {"kind": "whitepaper", "year": "2019", "format": "pdf"}
    )
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(object_type=EXPORT_OBJECT_TYPE).exists()


def test_without_a_plan_the_page_says_to_load_one(client_for):
    AnnualPlan.objects.update(status=PlanStatus.ARCHIVED)  # whatever the module loaded: none in force
    response = client_for("district_officer").get(URL)
    assert response.status_code == 200
    assert "尚无现行年度计划" in response.content.decode()
