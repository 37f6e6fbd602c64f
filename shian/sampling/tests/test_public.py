"""The public portal (食品安全监督抽检信息公告, /sampling/public/): the publication rule, who is
listed, no personal data, the filters and the bulletin-layout workbook."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from shian.core.models import Region
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.sampling import rules, services
from shian.sampling.exports import BULLETIN_HEADERS
from shian.sampling.models import Sample, Verdict
from shian.sampling.selectors import PublicationFilters, published_samples
from shian.sampling.tests.helpers import business_in, delivered_sample, lab_for, notified_unqualified
from shian.sampling.workflow import SampleStatus as S

pytestmark = pytest.mark.django_db
RULE = rules.publication_rule_in_force(dt.date(2026, 3, 10))
JUDGED = dt.date(2026, 3, 20)


# -- the rule ---------------------------------------------------------------------------------------


def test_rule_data_names_its_source():
    """data/publication.toml: 《食品安全抽样检验管理办法》(总局令第15号) 第四十六条, marked M (the
    article's text was not read, research/cn-regulation.md §2 "Publication"); the moment an
    unqualified result becomes public is the office's reading, marked L."""
    assert "第四十六条" in RULE.source and "第15号" in RULE.source
    assert RULE.verification == "M"
    assert RULE.verifications == {"qualified": "M", "unqualified": "L"}
    assert all(s in S.values for statuses in RULE.statuses.values() for s in statuses)
    assert {"抽样人员", "检验人员", "联系电话"} <= set(RULE.withhold)


@pytest.mark.parametrize("status", S.values)
def test_qualified_published_once_judged(status):
    """《食品安全抽样检验管理办法》第四十六条: a qualified result is public once judged (status
    qualified, or closed); never while the sample is a task, at the lab or tested."""
    expected = status in {S.JUDGED_QUALIFIED, S.CLOSED}
    assert rules.sample_published(status=status, conclusion=Verdict.QUALIFIED, rule=RULE) is expected


@pytest.mark.parametrize("status", S.values)
def test_unqualified_published_once_notified(status):
    """《食品安全抽样检验管理办法》第二十九条、第四十六条 [L]: an unqualified result is public once
    the business has been notified, and stays public through re-test, objection and disposal."""
    expected = status in {S.NOTIFIED, S.RETEST, S.OBJECTION, S.DISPOSAL, S.CLOSED}
    assert rules.sample_published(status=status, conclusion=Verdict.UNQUALIFIED, rule=RULE) is expected


def test_overturned_retest_follows_final_conclusion():
    """第四十六条 with 食品安全法第八十八条 (the re-test conclusion is final): a sample closed after a
    re-test cleared it carries the conclusion qualified and is published as qualified; undetermined
    or missing conclusions are never public."""
    assert rules.sample_published(status=S.CLOSED, conclusion=Verdict.QUALIFIED, rule=RULE)
    for status in S.values:
        assert not rules.sample_published(status=status, conclusion=Verdict.UNDETERMINED, rule=RULE)
        assert not rules.sample_published(status=status, conclusion="", rule=RULE)


def test_selector_agrees_with_the_rule(personas):
    """第四十六条: the database filter of the public page is the pure rule, for every status and
    conclusion."""
    region = Region.objects.get(pk=TOWN_A)
    combos = list(itertools.product(S.values, ["", *Verdict.values]))
    for n, (status, conclusion) in enumerate(combos):
        Sample.objects.create(
            code=f"R{n}", region=region, food_name="大米", status=status, conclusion=conclusion
        )
    listed = set(published_samples(PublicationFilters()).values_list("code", flat=True))
    expected = {
        f"R{n}"
        for n, (status, conclusion) in enumerate(combos)
        if rules.sample_published(status=status, conclusion=conclusion, rule=RULE)
    }
    assert listed == expected and expected


# -- the page ---------------------------------------------------------------------------------------


@pytest.fixture
def world(personas):
    """Five samples: tested (cannot be judged), unqualified not yet notified, unqualified notified
    (town A), qualified (town B) and a qualified one in July of another category."""
    officer, lab_user = personas("district_officer"), personas("lab")
    lab = lab_for(lab_user)

    def judged(code: str, town: str, result: tuple[str, str], business: str) -> Sample:
        sample = delivered_sample(
            officer=officer, lab=lab, code=code, town=town, business=business_in(town, business)
        )
        services.sample_results_record(sample=sample, results=[result], by=lab_user, on=JUDGED)
        sample.refresh_from_db()
        return sample

    out = {
        "tested": judged("P-TESTED", TOWN_A, ("酒精度", "52%vol"), "未判定酒行"),
        "unnotified": judged("P-UNNOTIFIED", TOWN_A, ("镉(以Cd计)", "0.32mg/kg"), "未告知粮店"),
        "notified": notified_unqualified(officer=officer, lab_user=lab_user, code="P-NOTIFIED", town=TOWN_A),
        "qualified": judged("P-QUALIFIED", TOWN_B, ("镉(以Cd计)", "0.05mg/kg"), "天穆合格粮店"),
        "july": judged("P-JULY", TOWN_B, ("镉(以Cd计)", "0.05mg/kg"), "七月面粉店"),
    }
    Sample.objects.filter(pk=out["july"].pk).update(
        sampled_on=dt.date(2026, 7, 2), category_path="小麦粉-通用小麦粉", food_name="小麦粉"
    )
    assert out["tested"].status == S.TESTED and out["unnotified"].status == S.JUDGED_UNQUALIFIED
    assert out["notified"].status == S.NOTIFIED and out["qualified"].status == S.JUDGED_QUALIFIED
    return out


def _names(html: str, world) -> set[str]:
    return {k for k, s in world.items() if s.business.name in html}


def test_anonymous_sees_only_published(world, personas):
    response = Client().get(reverse("sampling:public_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "食品安全监督抽检信息公告" in html
    assert _names(html, world) == {"notified", "qualified", "july"}
    # the unqualified item with its result and limit, in the bulletin's column
    assert "镉(以Cd计)║0.32mg/kg║" in html


def test_no_personal_data(world, personas):
    html = Client().get(reverse("sampling:public_list")).content.decode()
    for name in ("district_officer", "lab"):
        user = personas(name)
        assert user.full_name and user.full_name not in html
    assert "district_officer" not in html
    assert "抽样人员" not in html and "电话" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"result": "unqualified"}, {"notified"}),
        ({"result": "qualified"}, {"qualified", "july"}),
        ({"region": TOWN_B}, {"qualified", "july"}),
        ({"category": "小麦粉"}, {"july"}),
        ({"category": "粮食加工品"}, {"notified", "qualified"}),
        ({"year": "2026", "month_from": "7", "month_to": "12"}, {"july"}),
        ({"year": "2026", "month_to": "3"}, {"notified", "qualified"}),
        ({"year": "2025"}, set()),
    ],
)
def test_filters(world, query, expected):
    response = Client().get(reverse("sampling:public_list"), query)
    assert response.status_code == 200
    assert _names(response.content.decode(), world) == expected


def test_bad_filter_is_named_and_nothing_listed(world):
    response = Client().get(reverse("sampling:public_list"), {"month_from": "9", "month_to": "3"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "截止月份：3月早于起始月份9月" in html and not _names(html, world)
    response = Client().get(reverse("sampling:public_export"), {"year": "二〇二六"})
    assert response.status_code == 400 and "年度" in response.content.decode()


def _sheet_rows(content: bytes) -> tuple[list[str], list[list[object]]]:
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [str(h) for h in rows[1]], rows[2:]


def test_export_in_bulletin_layout_only_published(world):
    response = Client().get(reverse("sampling:public_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    headers, rows = _sheet_rows(response.content)
    assert headers == BULLETIN_HEADERS
    col = {h: i for i, h in enumerate(headers)}
    assert {r[col["抽样编号"]] for r in rows} == {"P-NOTIFIED", "P-QUALIFIED", "P-JULY"}
    bad = next(r for r in rows if r[col["抽样编号"]] == "P-NOTIFIED")
    assert bad[col["检验结论"]] == "不合格" and str(bad[col["不合格项目║检验结果║标准值"]]).startswith(
        "镉(以Cd计)║0.32mg/kg║"
    )


def test_export_follows_filters_and_guards_formulas(world):
    business = world["qualified"].business
    business.name = "=HYPERLINK(1)"
    business.save()
    response = Client().get(reverse("sampling:public_export"), {"region": TOWN_B, "month_to": "6"})
    headers, rows = _sheet_rows(response.content)
    col = {h: i for i, h in enumerate(headers)}
    assert [r[col["抽样编号"]] for r in rows] == ["P-QUALIFIED"]
    assert not str(rows[0][col["被抽样单位名称"]]).startswith("=")


def test_staff_list_links_to_the_public_page(client_for):
    html = client_for("district_officer").get(reverse("sampling:sample_list")).content.decode()
    assert reverse("sampling:public_list") in html and "公开公告" in html
