"""The business portal: a business account sees and answers only its own business's records, every
write audited as its own act; inspectors accept or return its reports; the office reviews
self-inspection reports and T12 is computed from them."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.utils import timezone

from shian.core import indicators
from shian.core.models import AuditEntry, AuditSource, Role
from shian.core.scoping import own_credit_code, require_own, scope_for
from shian.core.tests.factories import TOWN_A, TOWN_B, UserFactory
from shian.core.todo import todo_for
from shian.inspections.models import Rectification, RectificationStatus
from shian.inspections.tests.media_helpers import png_photo
from shian.portal import selectors, services
from shian.portal.models import ReviewStatus
from shian.portal.tests.matrix import _inspect
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def shop():
    return make_business(
        name="果园新村门户餐厅",
        region_code=TOWN_A,
        business_type="catering",
        licence_valid_until=TODAY + dt.timedelta(days=30),
    )


@pytest.fixture
def owner(shop):
    user, _password = services.business_account_create(
        actor=None, source=AuditSource.SYSTEM, business=shop, username="shop-owner"
    )
    return user


def test_a_business_account_has_no_regional_scope_only_its_own_code(owner, shop):
    scope = scope_for(owner)
    assert scope.nothing and scope.credit_code == shop.credit_code
    assert own_credit_code(owner) == shop.credit_code
    require_own(owner, credit_code=shop.credit_code)
    with pytest.raises(Http404):
        require_own(owner, credit_code="91120113MA00000000")
    officer = UserFactory.create(role=Role.DISTRICT_OFFICER)
    assert own_credit_code(officer) == ""
    with pytest.raises(Http404):
        require_own(officer, credit_code=shop.credit_code)


def test_a_business_account_needs_a_credit_code(shop):
    bare = make_business(name="无代码小店", credit_code=None, business_licence="JY11201130000001")
    with pytest.raises(ValidationError, match="统一社会信用代码"):
        services.business_account_create(actor=None, source=AuditSource.SYSTEM, business=bare, username="x")
    town_b = UserFactory.create(role=Role.TOWN_OFFICER, region_id=TOWN_B)
    with pytest.raises(Http404):  # another town's business: not found for town B's officer
        services.business_account_create(actor=town_b, source=AuditSource.WEB, business=shop, username="y")


def test_report_on_an_order_is_the_business_own_audited_act_and_the_inspector_accepts_it(owner, shop):
    r = _inspect(shop, "从业人员健康证过期")
    other = _inspect(make_business(name="天穆镇别家餐厅", region_code=TOWN_B), "地面积水")
    report = services.rectification_report_submit(
        actor=owner, source=AuditSource.WEB, rectification=r, text="已办理", photos=[("证.png", png_photo())]
    )
    entry = AuditEntry.objects.filter(object_type="portal.rectificationreport").latest("seq")
    assert entry.actor_id == owner.pk and entry.after["by_business"] == shop.credit_code
    with pytest.raises(ValidationError, match="等待检查人员审核"):
        services.rectification_report_submit(
            actor=owner, source=AuditSource.WEB, rectification=r, text="再报"
        )
    with pytest.raises(Http404):
        services.rectification_report_submit(
            actor=owner, source=AuditSource.WEB, rectification=other, text="x"
        )
    with pytest.raises(ValidationError, match="原因"):
        services.rectification_report_review(
            actor=UserFactory.create(role=Role.INSPECTOR), source=AuditSource.WEB, report=report, accept=False
        )
    town_b_inspector = UserFactory.create(role=Role.INSPECTOR, region_id=TOWN_B)
    with pytest.raises(Http404):
        services.rectification_report_review(
            actor=town_b_inspector, source=AuditSource.WEB, report=report, accept=True
        )
    services.rectification_report_review(
        actor=UserFactory.create(role=Role.INSPECTOR), source=AuditSource.WEB, report=report, accept=True
    )
    r.refresh_from_db()
    report.refresh_from_db()
    assert report.status == ReviewStatus.ACCEPTED
    assert r.status == RectificationStatus.DONE and r.closed_on is not None


def test_a_returned_report_lets_the_business_report_again(owner, shop):
    r = _inspect(shop, "冷柜温度超标")
    first = services.rectification_report_submit(
        actor=owner, source=AuditSource.WEB, rectification=r, text="已修"
    )
    services.rectification_report_review(
        actor=UserFactory.create(role=Role.DISTRICT_OFFICER),
        source=AuditSource.WEB,
        report=first,
        accept=False,
        note="请附温度记录照片",
    )
    again = services.rectification_report_submit(
        actor=owner, source=AuditSource.WEB, rectification=r, text="附记录"
    )
    assert again.status == ReviewStatus.SUBMITTED
    assert Rectification.objects.get(pk=r.pk).status == RectificationStatus.OPEN


def test_a_bad_photo_is_refused_before_anything_is_written(owner, shop):
    r = _inspect(shop, "操作间未消毒")
    with pytest.raises(ValidationError):
        services.rectification_report_submit(
            actor=owner,
            source=AuditSource.WEB,
            rectification=r,
            text="x",
            photos=[("a.png", b"not an image")],
        )
    assert not selectors.reports_of(rectification=r).exists()


def test_self_inspection_reports_and_t12(shop, client_for):
    """T12 (特殊食品生产企业自查报告率): producers with a standing report for the year ÷ producers."""
    a = make_business(
        name="保健食品甲厂", region_code=TOWN_A, business_type="special_food", categories=["27"]
    )
    make_business(name="婴配乳粉乙厂", region_code=TOWN_B, business_type="special_food", categories=["27"])
    period = indicators.Period.year(TODAY.year)
    before = indicators.compute("portal.self_inspection_rate", period)
    assert before.value == Decimal(0)
    with pytest.raises(ValidationError, match="无需报送"):
        services.self_inspection_submit(
            actor=None,
            source=AuditSource.SYSTEM,
            business=shop,
            year=TODAY.year,
            items_checked=1,
            problems_found=0,
            problems_fixed=0,
            summary="x",
        )
    kwargs = {"items_checked": 30, "problems_found": 3, "problems_fixed": 3, "summary": "体系运行有效"}
    report = services.self_inspection_submit(
        actor=None, source=AuditSource.SYSTEM, business=a, year=TODAY.year, **kwargs
    )
    with pytest.raises(ValidationError, match="已报送"):
        services.self_inspection_submit(
            actor=None, source=AuditSource.SYSTEM, business=a, year=TODAY.year, **kwargs
        )
    result = indicators.compute("portal.self_inspection_rate", period)
    assert (result.numerator, result.denominator, result.value) == (Decimal(1), Decimal(2), Decimal(50))
    assert result.region_value(TOWN_A) == Decimal(100) and result.region_value(TOWN_B) == Decimal(0)
    services.self_inspection_review(
        actor=UserFactory.create(role=Role.DISTRICT_OFFICER),
        source=AuditSource.WEB,
        report=report,
        accept=False,
        note="缺少签章页",
    )
    assert indicators.compute("portal.self_inspection_rate", period).value == Decimal(0)
    services.self_inspection_submit(
        actor=None, source=AuditSource.SYSTEM, business=a, year=TODAY.year, **kwargs
    )
    assert indicators.compute("portal.self_inspection_rate", period).value == Decimal(50)
    # The office's export: the producer that reported, and the one that has not, to be chased.
    response = client_for("district_officer").get(
        f"/portal/review/self-inspections/?year={TODAY.year}&format=xlsx"
    )
    got = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    rows = {r[0]: dict(zip(got[1], r, strict=True)) for r in got[2:]}
    assert set(rows) == {"保健食品甲厂", "婴配乳粉乙厂"}
    assert rows["保健食品甲厂"]["发现问题"] == 3 and rows["保健食品甲厂"]["报送日期"] is not None
    assert (
        rows["婴配乳粉乙厂"]["状态"] in ("尚未报送", "逾期未报送")
        and rows["婴配乳粉乙厂"]["报送日期"] is None
    )
    # Town A's officer: its own producer only.
    town = client_for("town_a_officer").get(f"/portal/review/self-inspections/?year={TODAY.year}&format=xlsx")
    got = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(town.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    # Its returned report and the one sent again, nothing of town B's producer.
    assert sorted((r[0], r[3]) for r in got[2:]) == sorted(
        [
            ("保健食品甲厂", str(ReviewStatus.RETURNED.label)),
            ("保健食品甲厂", str(ReviewStatus.SUBMITTED.label)),
        ]
    )


def test_t12_is_missing_without_producers():
    result = indicators.compute("portal.self_inspection_rate", indicators.Period.year(2022))
    assert result.missing and result.value is None


def test_the_portal_page_and_todo_show_the_business_its_own_work(owner, shop):
    r = _inspect(shop, "餐具未消毒")
    client = Client()
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/portal/").content.decode()
    assert "果园新村门户餐厅" in page and "许可证将于" in page and "餐具未消毒" in page
    keys = {i.key for i in todo_for(owner, today=TODAY)}
    assert {"rectifications_to_report", "licence_renewal"} <= keys
    response = client.post(f"/portal/rectifications/{r.pk}/", {"text": "已全部消毒"})
    assert response.status_code == 302
    assert "已报告，待审核" in client.get("/portal/").content.decode()
    # Staff pages and other businesses' records are not the business's.
    assert client.get("/registry/businesses/").status_code == 403
    assert client.get(f"/registry/businesses/{shop.pk}/").status_code in (403, 404)
    assert client.get("/api/v1/portal/me").json()["licence"]["state"] == "expiring"


def test_an_inspector_sees_reports_to_review_in_todo(owner, shop):
    r = _inspect(shop, "垃圾桶未加盖")
    services.rectification_report_submit(actor=owner, source=AuditSource.WEB, rectification=r, text="已加盖")
    inspector = UserFactory.create(role=Role.INSPECTOR, region_id=TOWN_A)
    items = {i.key: i for i in todo_for(inspector, today=TODAY)}
    assert items["rectification_reports_to_review"].count == 1
    town_b = UserFactory.create(role=Role.INSPECTOR, region_id=TOWN_B)
    assert "rectification_reports_to_review" not in {i.key for i in todo_for(town_b, today=TODAY)}


def test_an_expired_licence_shows_in_the_register_and_filters_it(client_for):
    expired = make_business(
        name="过期许可餐厅", region_code=TOWN_A, licence_valid_until=TODAY - dt.timedelta(days=1)
    )
    make_business(name="有效许可餐厅", region_code=TOWN_A, licence_valid_until=TODAY)
    client = client_for("district_officer")
    listed = client.get("/registry/businesses/?licence=expired").content.decode()
    assert "过期许可餐厅" in listed and "有效许可餐厅" not in listed and "许可证已过期" in listed
    valid = client.get("/registry/businesses/?licence=valid").content.decode()
    assert "有效许可餐厅" in valid and "过期许可餐厅" not in valid
    assert "许可证已过期" in client.get(f"/registry/businesses/{expired.pk}/").content.decode()
    api = client.get("/api/v1/businesses/?licence=expired").json()
    assert [b["name"] for b in api["results"]] == ["过期许可餐厅"]


def test_a_business_asks_for_its_account_and_the_office_approves_it(client_for):
    shop = make_business(name="申请账户餐厅", region_code=TOWN_A, business_licence="JY11201130088001")
    anonymous = Client()
    wrong = anonymous.post(
        "/portal/register/",
        {
            "credit_code": shop.credit_code,
            "licence_number": "JY11201130088002",
            "contact": "王",
            "phone": "13800000000",
            "username": "newshop",
        },
    )
    assert "不符" in wrong.content.decode()
    good = anonymous.post(
        "/portal/register/",
        {
            "credit_code": shop.credit_code,
            "licence_number": "JY11201130088001",
            "contact": "王",
            "phone": "13800000000",
            "username": "newshop",
        },
    )
    assert "申请已提交" in good.content.decode()
    req = selectors.account_requests_for_user(user=UserFactory.create(role=Role.DISTRICT_OFFICER)).get()
    town_b = UserFactory.create(role=Role.TOWN_OFFICER, region_id=TOWN_B)
    with pytest.raises(Http404):
        services.account_request_review(actor=town_b, source=AuditSource.WEB, request=req, approve=True)
    page = client_for("town_a_officer").post(f"/portal/review/accounts/{req.pk}/", {"decision": "approve"})
    assert "账户已开通" in page.content.decode()
    user = type(town_b).objects.get(username="newshop")
    assert user.role == Role.BUSINESS and own_credit_code(user) == shop.credit_code


def test_the_business_sees_its_cases_once_told_of_them(owner, shop):
    from shian.enforcement.models import Case, CaseSource
    from shian.enforcement.services import case_open

    officer = UserFactory.create(role=Role.DISTRICT_OFFICER)
    case = case_open(
        by=officer,
        source=AuditSource.WEB,
        source_kind=CaseSource.values[0],
        summary="使用超过保质期的食品原料",
        lead_received_on=TODAY - dt.timedelta(days=10),
        business=shop,
    )
    other = case_open(
        by=officer,
        source=AuditSource.WEB,
        source_kind=CaseSource.values[0],
        summary="别家的案件",
        lead_received_on=TODAY - dt.timedelta(days=10),
        business=make_business(name="别家餐厅", region_code=TOWN_A),
    )
    client = Client()
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/api/v1/portal/cases").json() == []  # a lead is not disclosed to the party
    Case.objects.filter(pk__in=[case.pk, other.pk]).update(status="notice", notice_served_on=TODAY)
    got = client.get("/api/v1/portal/cases").json()
    assert [c["summary"] for c in got] == ["使用超过保质期的食品原料"]
    assert "使用超过保质期的食品原料" in client.get("/portal/").content.decode()
