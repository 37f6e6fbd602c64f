"""Sampling in a person's day: the business's own windows (申请复检, 提出异议: 《食品安全抽样检验管理办法》
第三十条、第三十七条) open and close but are never the bureau's lateness; readers never see a
reviewer's note in a legal reference; an unqualified chip is red and a qualified one green; the
lab's to-do counts the reports it owes, a town's its open disposal tasks; a business's page links
its samples."""

from __future__ import annotations

import datetime as dt

import pytest

from shian.core.models import Region
from shian.core.tests.factories import TOWN_A
from shian.core.todo import todo_for
from shian.registry.tests.factories import make_business
from shian.sampling import rules, services
from shian.sampling.models import SampleDeadline
from shian.sampling.tests.helpers import lab_for
from shian.sampling.workflow import SampleStatus as S

DUE = dt.date(2026, 3, 31)


def test_the_business_windows_are_named_in_the_rules_data():
    # 第三十条 (re-test application) and 第三十七条 (objection) are the business's; 食品安全法第八十八条
    # 第二款 the quick test's objection; every other deadline is the bureau's.
    assert rules.business_window_codes() == {"retest_application", "objection", "quick_test_objection"}
    assert rules.deadline_rules_in_force(DUE)["lab_report"].party == "bureau"


@pytest.mark.parametrize(
    ("code", "today", "level"),
    [
        ("retest_application", dt.date(2026, 4, 1), rules.AlertLevel.WINDOW_CLOSED),
        ("retest_application", dt.date(2026, 3, 30), rules.AlertLevel.WINDOW_OPEN),
        ("objection", dt.date(2026, 5, 1), rules.AlertLevel.WINDOW_CLOSED),
        ("notify", dt.date(2026, 4, 1), rules.AlertLevel.OVERDUE),
        ("notify", dt.date(2026, 3, 30), rules.AlertLevel.DUE_SOON),
    ],
)
def test_a_business_window_is_never_overdue(code, today, level):
    left = 1 if today < DUE else 0
    assert (
        rules.deadline_alert(code=code, due=DUE, today=today, working_days_left=left, warn_working_days=2)
        == level
    )


def test_readers_see_the_article_without_the_reviewers_note():
    assert rules.public_article("第四十五条（时限待核对）") == "第四十五条"
    assert rules.public_article("第三十条；食品安全法第八十八条") == "第三十条；食品安全法第八十八条"
    assert "待核对" not in rules.deadline_rules_in_force(DUE)["disposal"].article


@pytest.fixture
def notified(db, personas):
    officer, lab = personas("district_officer"), personas("lab")
    shop = make_business(name="果园新村粮油店", region_code=TOWN_A, business_type="wholesale_retail")
    sample = services.sample_create(
        by=officer,
        code="BC2026-DAY-01",
        region=Region.objects.get(pk=TOWN_A),
        food_name="大米",
        category_path="粮食加工品-大米",
        produced_on=dt.date(2026, 3, 1),
        lab=lab_for(lab),
        business=shop,
    )
    for status in (S.SAMPLED, S.DELIVERED):
        services.sample_set_status(sample=sample, status=status, by=officer, on=dt.date(2026, 3, 10))
    return {"sample": sample, "shop": shop, "officer": officer, "lab": lab}


@pytest.mark.django_db
def test_the_labs_to_do_counts_the_reports_it_owes(notified):
    items = {
        i.key: i for i in todo_for(notified["lab"], today=dt.date(2026, 3, 12)) if i.module == "sampling"
    }
    assert items["lab_reports_due"].count == 1
    assert "lab_reports_overdue" not in items
    late = {i.key: i for i in todo_for(notified["lab"], today=dt.date(2026, 6, 1)) if i.module == "sampling"}
    assert late["lab_reports_overdue"].count == 1 and late["lab_reports_overdue"].overdue


@pytest.mark.django_db
def test_an_unqualified_sample_is_red_and_the_business_window_is_not_overdue(
    notified, client_for, monkeypatch
):
    sample = notified["sample"]
    services.sample_results_record(
        sample=sample, results=[("镉(以Cd计)", "0.32mg/kg")], by=notified["lab"], on=dt.date(2026, 3, 20)
    )
    services.sample_set_status(
        sample=sample, status=S.NOTIFIED, by=notified["officer"], on=dt.date(2026, 3, 23)
    )
    window = SampleDeadline.objects.get(sample=sample, code="retest_application")
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: window.due + dt.timedelta(days=3))
    html = client_for("district_officer").get(f"/sampling/{sample.pk}/").content.decode()
    assert 'class="plan-badge verdict-unqualified"' in html
    row = html[html.index(window.name) :]
    row = row[: row.index("</li>")]
    assert "alert-overdue" not in row and "期限已届满" in row
    late = selectors_overdue_codes(window.due + dt.timedelta(days=3))
    assert "retest_application" not in late
    # The business's page links its samples, with the unqualified one counted in red.
    page = client_for("district_officer").get(f"/registry/businesses/{notified['shop'].pk}/").content.decode()
    assert f'href="/sampling/?business={notified["shop"].pk}"' in page and "chip chip-bad" in page
    listed = client_for("district_officer").get(f"/sampling/?business={notified['shop'].pk}").content.decode()
    assert "BC2026-DAY-01" in listed


def selectors_overdue_codes(today: dt.date) -> set[str]:
    from shian.sampling import selectors

    return set(selectors.overdue_deadlines(today).values_list("code", flat=True))


@pytest.mark.django_db
def test_status_buttons_name_the_act_not_the_state(personas, client_for):
    sample = services.sample_create(
        by=personas("district_officer"),
        code="BC2026-DAY-02",
        region=Region.objects.get(pk=TOWN_A),
        food_name="面粉",
        category_path="粮食加工品-小麦粉",
    )
    html = client_for("district_officer").get(f"/sampling/{sample.pk}/").content.decode()
    buttons = [
        b.split(">", 1)[1].split("<", 1)[0] for b in html.split('<button class="btn" type="submit"')[1:]
    ]
    assert "取消抽样" in buttons and "已取消" not in buttons
