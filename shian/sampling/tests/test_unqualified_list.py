"""The unqualified food list: filtered by text, town, year and the state of its disposal, the home
page's to-do leading to exactly its late disposals, and exported as filtered; a lab sees its
results but nothing of the disposal work."""

from __future__ import annotations

import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.utils import timezone

from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.sampling import services
from shian.sampling.models import DisposalStatus, DisposalTask
from shian.sampling.tests.helpers import notified_unqualified
from shian.sampling.todo import sampling_todo

pytestmark = pytest.mark.django_db
URL = "/sampling/unqualified/"


@pytest.fixture
def board(personas):
    """Five unqualified samples: in town A one without a disposal task, one whose task is open within
    its deadline, one whose task is past it, one whose task is closed; in town B one past it."""
    officer, lab = personas("district_officer"), personas("lab")
    today = timezone.localdate()
    s = {
        code: notified_unqualified(officer=officer, lab_user=lab, code=code, town=town)
        for code, town in [("BC-N1", TOWN_A), ("BC-N3", TOWN_A), ("BC-N4", TOWN_A), ("BC-N5", TOWN_B)]
    }
    # Notified today: its disposal is due some working days on.
    s["BC-N2"] = notified_unqualified(
        officer=officer, lab_user=lab, code="BC-N2", town=TOWN_A, notified_on=today
    )
    services.disposal_task_open(sample=s["BC-N2"], by=officer, on=today)
    late = services.disposal_task_open(sample=s["BC-N3"], by=officer, on=s["BC-N3"].history.last().on)
    services.disposal_task_open(sample=s["BC-N5"], by=officer, on=s["BC-N5"].history.last().on)
    closed = services.disposal_task_open(sample=s["BC-N4"], by=officer, on=s["BC-N4"].history.last().on)
    # Closing through the service takes every step's evidence (tested with the disposal itself);
    # here only the state the list reads matters.
    DisposalTask.objects.filter(pk=closed.pk).update(status=DisposalStatus.CLOSED, closed_on=closed.due)
    assert late.due < today
    return {"samples": s, "late": late}


def _codes(client, query: str = "") -> set[str]:
    page = client.get(f"{URL}?{query}").content.decode()
    return {code for code in ("BC-N1", "BC-N2", "BC-N3", "BC-N4", "BC-N5") if code in page}


def test_the_list_filters_by_disposal_state_town_text_and_year(board, client_for):
    district = client_for("district_officer")
    assert _codes(district) == {"BC-N1", "BC-N2", "BC-N3", "BC-N4", "BC-N5"}
    assert _codes(district, "disposal=none") == {"BC-N1"}
    assert _codes(district, "disposal=open") == {"BC-N2"}
    assert _codes(district, "disposal=overdue") == {"BC-N3", "BC-N5"}
    assert _codes(district, "disposal=closed") == {"BC-N4"}
    assert _codes(district, f"disposal=overdue&region={TOWN_A}") == {"BC-N3"}
    assert _codes(district, "q=N2") == {"BC-N2"}
    assert _codes(district, "year=2026") == {"BC-N1", "BC-N2", "BC-N3", "BC-N4", "BC-N5"}
    assert _codes(district, "year=2025") == set()
    # An unknown state is no filter, not an error.
    assert _codes(district, "disposal=lost") == {"BC-N1", "BC-N2", "BC-N3", "BC-N4", "BC-N5"}
    # A town officer's filters stay inside the town.
    assert _codes(client_for("town_a_officer"), "disposal=overdue") == {"BC-N3"}
    assert _codes(client_for("town_a_officer"), f"region={TOWN_B}") == set()


def test_the_to_do_of_late_disposals_leads_to_exactly_them(board, personas, client_for):
    items = {i.key: i for i in sampling_todo(personas("town_a_officer"), timezone.localdate())}
    late = items["disposals_overdue"]
    assert late.count == 1
    assert late.url == f"{URL}?disposal=overdue"
    assert _codes(client_for("town_a_officer"), late.url.split("?", 1)[1]) == {"BC-N3"}
    assert items["disposals_open"].url == f"{URL}?disposal=open"


def test_the_export_is_the_filtered_list_with_its_disposal(board, client_for):
    response = client_for("town_a_officer").get(f"{URL}?disposal=overdue&format=xlsx")
    assert response.status_code == 200
    assert "不合格食品核查处置_" in unquote(response["Content-Disposition"])
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[1])
    body = [dict(zip(header, r, strict=True)) for r in rows[2:]]
    assert [r["抽样编号"] for r in body] == ["BC-N3"]
    (row,) = body
    assert row["不合格项目║检验结果║标准值"].startswith("镉(以Cd计)║0.32mg/kg║")
    assert row["核查处置"] == board["late"].get_status_display()
    assert row["处置完成时限"] == board["late"].due.isoformat()
    assert row["办结日期"] is None
    assert row["是否超期"] == "是"


def test_a_lab_sees_its_results_but_no_disposal_filter_column_or_export_values(board, client_for):
    lab = client_for("lab")
    page = lab.get(URL).content.decode()
    assert 'name="disposal"' not in page
    assert "/sampling/disposal/" not in page
    # The disposal filter is not the lab's: asked for anyway, it filters nothing.
    assert _codes(lab, "disposal=closed") == {"BC-N1", "BC-N2", "BC-N3", "BC-N4", "BC-N5"}
    sheet = openpyxl.load_workbook(io.BytesIO(lab.get(f"{URL}?format=xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[1])
    body = [dict(zip(header, r, strict=True)) for r in rows[2:]]
    assert sorted(r["抽样编号"] for r in body) == ["BC-N1", "BC-N2", "BC-N3", "BC-N4", "BC-N5"]
    assert all(r["核查处置"] is None and r["处置完成时限"] is None for r in body)
