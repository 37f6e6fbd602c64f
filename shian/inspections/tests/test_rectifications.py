"""The rectification follow-up page (整改跟踪): scoped list with filters, the overdue chase, xlsx
export, the follow-up inspection made from an order, closing with the follow-up's result, and
deadlines that must fall on working days."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shian.core.models import AuditEntry, AuditSource, Role
from shian.core.tests.factories import TOWN_A, TOWN_B, UserFactory
from shian.inspections import services
from shian.inspections.models import Inspection, InspectionKind, Rectification, RectificationStatus
from shian.inspections.tests.helpers import ALL, submitted
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 10, 21)  # a Monday


@pytest.fixture
def orders(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    team = [
        UserFactory.create(username=f"r{n}", role=Role.INSPECTOR, full_name=f"检查员{n}") for n in range(2)
    ]
    a = make_business(name="果园新村甲饭店", region_code=TOWN_A, business_type="catering")
    a2 = make_business(name="果园新村乙饭店", region_code=TOWN_A, business_type="catering")
    b = make_business(name="天穆丙饭店", region_code=TOWN_B, business_type="catering")
    ia = submitted(a, dt.date(2024, 9, 27), team)  # due 10-16: overdue on the 21st
    submitted(a2, dt.date(2024, 10, 18), team)  # due 11-01
    submitted(b, dt.date(2024, 9, 27), team)  # due 10-16: overdue, town B
    ra = Rectification.objects.get(finding__inspection=ia)
    assert ra.due == dt.date(2024, 10, 16)
    return {"a": ra, "team": team, "inspection": ia}


def _names(response) -> list[str]:
    html = response.content.decode()
    return [n for n in ("果园新村甲饭店", "果园新村乙饭店", "天穆丙饭店") if n in html]


def test_list_is_scoped_and_counts_overdue_in_the_header(orders, client_for):
    r = client_for("district_officer").get("/inspections/rectifications/")
    html = r.content.decode()
    assert _names(r) == ["果园新村甲饭店", "果园新村乙饭店", "天穆丙饭店"]
    assert '逾期未整改 <span class="overdue-count">2</span> 项' in html
    assert html.count('<tr class="overdue">') == 2
    town_a = client_for("town_a_officer").get("/inspections/rectifications/")
    assert _names(town_a) == ["果园新村甲饭店", "果园新村乙饭店"]
    assert '<span class="overdue-count">1</span>' in town_a.content.decode()
    b_order = Rectification.objects.get(region_id=TOWN_B)
    assert client_for("town_a_officer").get(f"/inspections/rectifications/{b_order.pk}/").status_code == 404
    assert (
        client_for("town_a_officer").get(f"/inspections/rectifications/{orders['a'].pk}/").status_code == 200
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("region=" + TOWN_B, ["天穆丙饭店"]),
        ("overdue=1", ["果园新村甲饭店", "天穆丙饭店"]),
        ("due_within=10", ["果园新村乙饭店"]),  # 11-01 is within 10 working days of 10-21
        ("due_within=3", []),
        ("status=done", []),
        ("status=open&region=" + TOWN_A, ["果园新村甲饭店", "果园新村乙饭店"]),
        ("due_within=abc&status=bogus", ["果园新村甲饭店", "果园新村乙饭店", "天穆丙饭店"]),  # ignored
    ],
)
def test_filters(orders, client_for, query, expected):
    assert _names(client_for("district_officer").get(f"/inspections/rectifications/?{query}")) == expected


def test_export_is_filtered_scoped_and_opens_in_excel(orders, client_for):
    r = client_for("town_a_officer").get("/inspections/rectifications/export.xlsx?overdue=1")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:3] == ("主体", "镇街", "检查项目") and "逾期天数" in rows[1]
    assert [row[0] for row in rows[2:]] == ["果园新村甲饭店"]
    assert rows[2][rows[1].index("逾期天数")] == 5 and rows[2][rows[1].index("整改期限")] == "2024-10-16"
    everything = client_for("district_officer").get("/inspections/rectifications/export.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(everything.streaming_content))).active
    assert ws.max_row == 2 + 3
    assert client_for("lab").get("/inspections/rectifications/export.xlsx").status_code == 403


def test_export_marks_a_due_date_beyond_the_known_calendar_as_provisional(monkeypatch, client_for):
    """An order of late December whose due date falls in a year without a published holiday
    arrangement was counted Monday to Friday: the export says 暂定 beside that date, as the page
    does, and not beside a date the calendar knows."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2027, 1, 20))
    team = [
        UserFactory.create(username=f"p{n}", role=Role.INSPECTOR, full_name=f"检查员{n}") for n in range(2)
    ]
    late = make_business(name="果园新村岁末饭店", region_code=TOWN_A, business_type="catering")
    early = make_business(name="果园新村年中饭店", region_code=TOWN_A, business_type="catering")
    submitted(late, dt.date(2026, 12, 28), team)
    submitted(early, dt.date(2026, 6, 15), team)
    due = {r.finding.inspection.business.name: r.due for r in Rectification.objects.all()}
    assert due["果园新村岁末饭店"].year == 2027 and due["果园新村年中饭店"].year == 2026
    r = client_for("town_a_officer").get("/inspections/rectifications/export.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    col = rows[1].index("整改期限")
    cells = {row[0]: row[col] for row in rows[2:]}
    assert cells["果园新村岁末饭店"] == f"{due['果园新村岁末饭店'].isoformat()}（暂定）"
    assert cells["果园新村年中饭店"] == due["果园新村年中饭店"].isoformat()


def test_follow_up_created_from_an_order_then_closed_with_its_result(orders, client_for, personas):
    order, team = orders["a"], orders["team"]
    client = client_for("district_officer")
    officer = personas("district_officer")
    url = f"/inspections/rectifications/{order.pk}/"
    # One inspector is not enough (第二十三条): refused, nothing created.
    r = client.post(url, {"action": "follow_up", "inspected_on": "2024-10-21", "inspectors": [team[0].pk]})
    assert "不少于2名" in r.content.decode()
    assert not Inspection.objects.filter(kind=InspectionKind.FOLLOW_UP).exists()
    r = client.post(
        url, {"action": "follow_up", "inspected_on": "2024-10-21", "inspectors": [team[0].pk, team[1].pk]}
    )
    follow_up = Inspection.objects.get(kind=InspectionKind.FOLLOW_UP)
    assert r.status_code == 302 and r["Location"] == f"/inspections/{follow_up.pk}/"
    assert follow_up.follow_up_of == orders["inspection"] and follow_up.status == "draft"
    order.refresh_from_db()
    assert order.follow_up == follow_up
    # A second follow-up while this one is pending is refused.
    with pytest.raises(ValidationError, match="未提交的复查记录"):
        services.rectification_followup_create(
            actor=officer, source=AuditSource.WEB, rectification=order, inspected_on=TODAY, inspectors=team
        )
    # Closing before the follow-up is submitted is refused.
    r = client.post(url, {"action": "close", "closed_on": "2024-10-21"})
    assert "尚未提交" in r.content.decode()
    order.refresh_from_db()
    assert order.status == "open"
    # The follow-up finds C1 still failing: closing is refused.
    services.inspection_record_answers(
        actor=officer,
        source=AuditSource.WEB,
        inspection=follow_up,
        answers={c: ("fail" if c == "C1" else "pass") for c in ALL},
        findings={"C1": "仍未公示"},
    )
    services.inspection_sign(actor=officer, source=AuditSource.WEB, inspection=follow_up, signed_by="负责人")
    services.inspection_submit(actor=officer, source=AuditSource.WEB, inspection=follow_up)
    with pytest.raises(ValidationError, match="仍不符合"):
        services.rectification_close(
            actor=officer, source=AuditSource.WEB, rectification=order, closed_on=TODAY
        )
    # A new follow-up that finds it put right closes the order, recording its result.
    second = services.rectification_followup_create(
        actor=officer, source=AuditSource.WEB, rectification=order, inspected_on=TODAY, inspectors=team
    )
    services.inspection_record_answers(
        actor=officer, source=AuditSource.WEB, inspection=second, answers=dict.fromkeys(ALL, "pass")
    )
    services.inspection_sign(actor=officer, source=AuditSource.WEB, inspection=second, signed_by="负责人")
    services.inspection_submit(actor=officer, source=AuditSource.WEB, inspection=second)
    r = client.post(url, {"action": "close", "closed_on": "2024-10-21"})
    assert r.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.closed_on, order.follow_up) == ("done", TODAY, second)
    entry = AuditEntry.objects.filter(object_type="inspections.rectification", object_id=str(order.pk))
    assert entry.order_by("seq").last().after["follow_up_result"] == "pass"
    page = client.get("/inspections/rectifications/?status=done").content.decode()
    assert "已办结</span> 2024-10-21" in page and f'href="/inspections/{second.pk}/"' in page


def test_extension_to_a_holiday_is_refused_and_changes_nothing(orders, client_for):
    order = orders["a"]
    client = client_for("district_officer")
    url = f"/inspections/rectifications/{order.pk}/"
    r = client.post(url, {"action": "extend", "due": "2024-10-19", "reason": "设备到货延迟"})  # a Saturday
    assert "不是工作日" in r.content.decode()
    order.refresh_from_db()
    assert order.due == dt.date(2024, 10, 16)
    r = client.post(url, {"action": "extend", "due": "2024-10-25", "reason": ""})
    assert "请说明延期理由" in r.content.decode()
    r = client.post(url, {"action": "extend", "due": "2024-10-25", "reason": "设备到货延迟"})
    order.refresh_from_db()
    # 10 working days to 10-16, then 10-17, 10-18 and 10-21..25: 17 counted from the order.
    assert r.status_code == 302 and order.due == dt.date(2024, 10, 25) and order.working_days == 17


def test_form_rectification_deadline_on_a_holiday_is_refused(client_for, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    b = make_business(region_code=TOWN_A, business_type="catering")
    team = [UserFactory.create(username=f"h{n}", role=Role.INSPECTOR) for n in range(2)]
    i = services.inspection_create(
        actor=None, source=AuditSource.SYSTEM, business=b, inspected_on=dt.date(2024, 9, 27), inspectors=team
    )
    data = {f"a_{c}": ("fail" if c == "C1" else "pass") for c in ALL}
    data |= {"f_C1": "问题", "signed_by": "负责人", "rectification_due": "2024-10-03", "submit": "1"}
    r = client_for("inspector").post(f"/inspections/{i.pk}/", data)
    assert "不是工作日" in r.content.decode()
    i.refresh_from_db()
    assert i.status == "draft" and i.answers == {} and not Rectification.objects.exists()
    data["rectification_due"] = "2024-10-11"
    r = client_for("inspector").post(f"/inspections/{i.pk}/", data)
    i.refresh_from_db()
    assert r.status_code == 302 and i.status == "submitted"
    assert Rectification.objects.get(finding__inspection=i).due == dt.date(2024, 10, 11)


def test_api_lists_rectifications_in_scope(orders, client_for):
    body = client_for("town_a_officer").get("/api/v1/inspections/rectifications/?overdue=true").json()
    assert [(o["region_code"], o["days_overdue"]) for o in body] == [(TOWN_A, 5)]


@pytest.mark.parametrize(
    ("persona", "listing", "order_a"),
    [
        ("district_officer", 200, 200),
        ("town_a_officer", 200, 200),
        ("town_b_officer", 200, 404),  # another town's order: as if it did not exist
        ("education_liaison", 200, 404),  # schools only; this is a restaurant
        ("inspector", 200, 200),
        ("lab", 403, 404),  # no capability for the list; no order in a lab's scope
        ("viewer", 200, 200),
        ("anonymous", 302, 302),
    ],
)
def test_permission_matrix(orders, client_for, persona, listing, order_a):
    client = client_for(persona)
    assert client.get("/inspections/rectifications/").status_code == listing
    assert client.get(f"/inspections/rectifications/{orders['a'].pk}/").status_code == order_a


def test_open_orders_come_first_the_longest_overdue_at_the_top(orders, client_for):
    """A work list: what is still open, by due date, above what is closed."""
    Rectification.objects.filter(pk=orders["a"].pk).update(
        status=RectificationStatus.DONE, closed_on=dt.date(2024, 10, 20)
    )
    html = client_for("district_officer").get("/inspections/rectifications/").content.decode()
    positions = [html.index(n) for n in ("天穆丙饭店", "果园新村乙饭店", "果园新村甲饭店")]
    assert positions == sorted(positions)


def test_the_overdue_badge_is_red_only_when_something_is_overdue(orders, client_for):
    """逾期未整改 0 项 is not an alarm: the header's badge is grey then, red when a count is due."""
    late = client_for("town_a_officer").get("/inspections/rectifications/").content.decode()
    assert (
        'class="overdue-head" id="overdue-total"' in late and '<span class="overdue-count">1</span>' in late
    )
    calm = client_for("town_a_officer").get("/inspections/rectifications/?status=done").content.decode()
    assert 'class="overdue-head" id="overdue-total"' in calm  # the count is the town's, not the filter's
    services.rectification_close(
        actor=None, source=AuditSource.SYSTEM, rectification=orders["a"], closed_on=dt.date(2024, 10, 21)
    )
    html = client_for("town_a_officer").get("/inspections/rectifications/").content.decode()
    assert (
        '<span class="overdue-head none" id="overdue-total">逾期未整改 <span class="overdue-count">0</span>'
        in html
    )


def test_a_closed_orders_date_stays_beside_its_chip(orders, client_for):
    services.rectification_close(
        actor=None, source=AuditSource.SYSTEM, rectification=orders["a"], closed_on=dt.date(2024, 10, 21)
    )
    html = client_for("town_a_officer").get("/inspections/rectifications/").content.decode()
    assert '<td class="status-cell"><span class="chip chip-good">已办结</span> 2024-10-21</td>' in html
    from django.contrib.staticfiles import finders

    css = open(finders.find("inspections/inspections.css"), encoding="utf-8").read()  # noqa: SIM115
    assert ".rect-table td.status-cell { white-space: nowrap; }" in css
