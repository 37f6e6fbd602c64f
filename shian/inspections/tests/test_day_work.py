"""An inspector's day through the pages: start an inspection from a business (routine or a
campaign, two inspectors at least, an open draft offered first), the to-do (own drafts, own
rectification orders past their deadline), and the inspections list filtered by date, town,
inspector and result with an export of exactly the filtered rows."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from shian.core.models import AuditSource, Role
from shian.core.tests.factories import TOWN_A, TOWN_B, UserFactory
from shian.core.todo import todo_for
from shian.inspections import services
from shian.inspections.models import Inspection, InspectionKind, InspectionStatus
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db
ALL = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]
TODAY = dt.date(2024, 10, 21)  # a Monday


def _submitted(business, on: dt.date, team, fail=()) -> Inspection:
    i = services.inspection_create(
        actor=None, source=AuditSource.SYSTEM, business=business, inspected_on=on, inspectors=team
    )
    services.inspection_record_answers(
        actor=None,
        source=AuditSource.SYSTEM,
        inspection=i,
        answers={c: ("fail" if c in fail else "pass") for c in ALL},
        findings=dict.fromkeys(fail, "从业人员健康证过期"),
    )
    services.inspection_sign(actor=None, source=AuditSource.SYSTEM, inspection=i, signed_by="负责人")
    return services.inspection_submit(actor=None, source=AuditSource.SYSTEM, inspection=i)


@pytest.fixture
def day(monkeypatch, personas):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    me = personas("inspector")
    me.full_name = "王检查"
    me.save()
    partner = UserFactory.create(username="li", role=Role.INSPECTOR, full_name="李协查")
    other = UserFactory.create(username="zhao", role=Role.INSPECTOR, full_name="赵另组")
    other2 = UserFactory.create(username="qian", role=Role.INSPECTOR, full_name="钱另组")
    a = make_business(name="果园新村甲饭店", region_code=TOWN_A, business_type="catering")
    a2 = make_business(name="果园新村乙饭店", region_code=TOWN_A, business_type="catering")
    b = make_business(name="天穆丙饭店", region_code=TOWN_B, business_type="catering")
    mine_late = _submitted(a, dt.date(2024, 9, 27), [me, partner], fail=("C1",))  # order due 10-16
    _submitted(a2, dt.date(2024, 10, 8), [other, other2], fail=("C2",))
    _submitted(b, dt.date(2024, 6, 3), [me, partner])
    return {"me": me, "partner": partner, "other": other, "a": a, "a2": a2, "b": b, "late": mine_late}


def test_start_page_preselects_the_person_and_names_the_inspectors(day, client_for):
    html = client_for("inspector").get(f"/inspections/start/?business={day['a'].pk}").content.decode()
    assert "开始检查：果园新村甲饭店" in html
    assert "李协查" in html and "赵另组" in html
    assert f'value="{day["me"].pk}" checked' in html
    assert f'value="{day["partner"].pk}" checked' not in html
    with_partner = client_for("inspector").get(
        f"/inspections/start/?business={day['a'].pk}&with={day['partner'].pk}&with=999999"
    )
    assert f'value="{day["partner"].pk}" checked' in with_partner.content.decode()


def test_starting_makes_a_draft_and_opens_the_tablet_form(day, client_for):
    client = client_for("inspector")
    url = f"/inspections/start/?business={day['a2'].pk}"
    r = client.post(
        url,
        {"inspected_on": "2024-10-21", "kind": "routine", "inspectors": [day["me"].pk, day["partner"].pk]},
    )
    draft = Inspection.objects.get(business=day["a2"], status=InspectionStatus.DRAFT)
    assert r.status_code == 302 and r["Location"] == f"/inspections/{draft.pk}/"
    assert draft.kind == InspectionKind.ROUTINE and draft.inspected_on == TODAY
    assert set(draft.inspectors.values_list("pk", flat=True)) == {day["me"].pk, day["partner"].pk}
    # The next visit to the start page offers the open draft first.
    again = client.get(url).content.decode()
    assert f'href="/inspections/{draft.pk}/"' in again and "继续填写" in again


def test_a_campaign_must_be_under_way_and_one_inspector_is_refused(day, client_for):
    client = client_for("inspector")
    url = f"/inspections/start/?business={day['a2'].pk}"
    two = [day["me"].pk, day["partner"].pk]
    page = client.get(url).content.decode()
    assert "没有覆盖该主体的进行中专项行动" in page  # the plan's campaigns ran in 2022
    r = client.post(
        url,
        {"inspected_on": "2024-10-21", "kind": "campaign", "campaign": "2022-bottom-line", "inspectors": two},
    )
    assert "没有覆盖该主体的进行中专项行动" in r.content.decode()
    r = client.post(url, {"inspected_on": "2024-10-21", "kind": "routine", "inspectors": [day["me"].pk]})
    assert r.status_code == 200 and not Inspection.objects.filter(business=day["a2"], status="draft").exists()


def test_an_inspection_is_started_as_part_of_a_campaign_under_way(day, client_for):
    # 春季学校食品安全专项检查 (计划任务（十）, 2022-02-14 to 03-31) covers school canteens; 49号令 in
    # force from 2022-03-15.
    school = make_business(name="北辰区果园新村小学食堂", region_code=TOWN_A, business_type="school_canteen")
    client = client_for("inspector")
    url = f"/inspections/start/?business={school.pk}"
    two = [day["me"].pk, day["partner"].pk]
    client.post(
        url,
        {
            "inspected_on": "2022-03-21",
            "kind": "campaign",
            "campaign": "2022-school-spring",
            "inspectors": two,
        },
    )
    made = Inspection.objects.get(business=school, status="draft")
    assert (made.kind, made.campaign) == (InspectionKind.CAMPAIGN, "2022-school-spring")
    listed = client_for("district_officer").get(f"/inspections/?business={school.pk}").content.decode()
    assert "春季学校食品安全专项检查" in listed and "2022-school-spring" not in listed


def test_a_town_officer_sees_the_business_but_starts_nothing(day, client_for):
    assert client_for("town_a_officer").get(f"/inspections/start/?business={day['a'].pk}").status_code == 403
    assert (
        client_for("town_a_inspector").get(f"/inspections/start/?business={day['b'].pk}").status_code == 404
    )


def test_the_inspectors_to_do_lists_drafts_and_own_late_orders(day, personas, client_for):
    draft = services.inspection_create(
        actor=None,
        source=AuditSource.SYSTEM,
        business=day["a2"],
        inspected_on=TODAY,
        inspectors=[day["me"], day["partner"]],
    )
    items = {i.key: i for i in todo_for(day["me"], today=TODAY) if i.module == "inspections"}
    assert items[f"draft-{draft.pk}"].url == f"/inspections/{draft.pk}/"
    late = items["rectifications_overdue_mine"]
    assert (late.count, late.overdue, late.due) == (1, True, dt.date(2024, 10, 16))
    # Another inspector's order (赵另组's, due 11-01) is not mine, and is not yet late.
    other = {i.key: i for i in todo_for(day["other"], today=TODAY) if i.module == "inspections"}
    assert "rectifications_overdue_mine" not in other
    assert other.get("rectifications_due_mine") is None or other["rectifications_due_mine"].count == 1
    home = client_for("inspector").get("/").content.decode()
    assert "果园新村乙饭店" in home and f'href="/inspections/{draft.pk}/"' in home
    # The town officer's to-do counts the town's late orders, not another town's.
    town = {i.key: i for i in todo_for(personas("town_a_officer"), today=TODAY) if i.module == "inspections"}
    assert town["rectifications_overdue"].count == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["果园新村乙饭店", "果园新村甲饭店", "天穆丙饭店"]),
        ("start=2024-09-01&end=2024-09-30", ["果园新村甲饭店"]),
        (f"region={TOWN_B}", ["天穆丙饭店"]),
        ("result=pass", ["天穆丙饭店"]),
        ("result=basic", ["果园新村乙饭店", "果园新村甲饭店"]),
        ("start=2024-13-01", ["果园新村乙饭店", "果园新村甲饭店", "天穆丙饭店"]),  # a bad date is ignored
    ],
)
def test_list_filters(day, client_for, query, expected):
    html = client_for("district_officer").get(f"/inspections/?{query}").content.decode()
    assert [n for n in ("果园新村乙饭店", "果园新村甲饭店", "天穆丙饭店") if n in html] == expected


def test_list_filters_by_inspector_and_shows_names(day, client_for):
    html = client_for("district_officer").get(f"/inspections/?inspector={day['other'].pk}").content.decode()
    assert "果园新村乙饭店" in html and "果园新村甲饭店" not in html
    assert "赵另组、钱另组" in html or "钱另组、赵另组" in html


def test_export_honours_the_filters(day, client_for):
    r = client_for("district_officer").get(
        f"/inspections/export.xlsx?region={TOWN_A}&inspector={day['me'].pk}"
    )
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(i for i, row in enumerate(rows) if row[0] == "主体")
    body = [row for row in rows[header + 1 :] if row[0]]
    assert [row[0] for row in body] == ["果园新村甲饭店"]
    assert "王检查" in body[0][rows[header].index("检查人员")]


def test_business_page_links_its_inspections_and_starts_one(day, client_for):
    html = client_for("inspector").get(f"/registry/businesses/{day['a'].pk}/").content.decode()
    assert f'href="/inspections/?business={day["a"].pk}"' in html
    assert f'href="/inspections/start/?business={day["a"].pk}"' in html
    officer = client_for("town_a_officer").get(f"/registry/businesses/{day['a'].pk}/").content.decode()
    assert f'href="/inspections/?business={day["a"].pk}"' in officer
    assert "/inspections/start/" not in officer


def test_demo_findings_are_written_from_the_failed_checklist_item():
    from shian.inspections.demo import demo_finding

    texts = {demo_finding("进货查验：原辅料、食品添加剂查验记录和合格证明", n) for n in range(8)}
    assert len(texts) == 4 and all(t.startswith(("进货查验", "现场检查发现进货查验")) for t in texts)
    assert all("原辅料、食品添加剂查验记录和合格证明" in t for t in texts)
    assert "演示" not in "".join(texts)


def test_export_marks_a_publication_deadline_beyond_the_known_calendar_as_provisional(
    monkeypatch, personas, client_for
):
    """An inspection of late December whose publication deadline falls in a year without a
    published holiday arrangement was counted Monday to Friday: the list's export says 暂定 beside
    that date, as the record's page does, and not beside a date the calendar knows."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2027, 1, 20))
    team = [
        UserFactory.create(username=f"pd{n}", role=Role.INSPECTOR, full_name=f"检查员{n}") for n in range(2)
    ]
    late = _submitted(
        make_business(name="果园新村岁末饭店", region_code=TOWN_A, business_type="catering"),
        dt.date(2026, 12, 28),
        team,
    )
    early = _submitted(
        make_business(name="果园新村年中饭店", region_code=TOWN_A, business_type="catering"),
        dt.date(2026, 6, 15),
        team,
    )
    assert late.publish_due.year == 2027 and early.publish_due.year == 2026
    r = client_for("town_a_officer").get("/inspections/export.xlsx")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows(values_only=True)
    )
    col = rows[1].index("结果公示期限")
    cells = {row[0]: row[col] for row in rows[2:]}
    assert cells["果园新村岁末饭店"] == f"{late.publish_due.isoformat()}（暂定）"
    assert cells["果园新村年中饭店"] == early.publish_due.isoformat()
