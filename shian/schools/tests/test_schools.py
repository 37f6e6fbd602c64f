"""Schools: the import (all or nothing, located errors, export round trip), scope, accompanied
meals by the canteen's business account, open-kitchen statuses and certificates, and the plan's
T10, T11 and T20 computed from them."""

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
from shian.core.tests.factories import TOWN_A, TOWN_B, UserFactory
from shian.portal import services as portal_services
from shian.registry.tests.factories import make_business
from shian.schools import imports, selectors, services
from shian.schools.models import AccompaniedMeal, School, SchoolSupplier

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
HEADERS = [h for _k, h in imports.COLUMNS]


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def world():
    canteen = make_business(
        name="示范小学食堂", region_code=TOWN_A, business_type="school_canteen", categories=["31"]
    )
    operator = make_business(
        name="示范餐饮管理公司", region_code=TOWN_A, business_type="catering", scale="medium"
    )
    provider = make_business(
        name="示范配餐中心", region_code=TOWN_B, business_type="central_kitchen", categories=["31"]
    )
    return {"canteen": canteen, "operator": operator, "provider": provider}


def _row(world, **over):
    base = {
        "学校标识码": "1112000101",
        "学校名称": "北辰区示范小学",
        "学段": "小学",
        "办学性质": "公办",
        "农村学校": "否",
        "在校学生数": 820,
        "镇街": "果园新村街道",
        "地址": "示范路1号",
        "校长": "张校长",
        "食堂经营方式": "委托经营",
        "供餐": "午餐",
        "食堂统一社会信用代码": world["canteen"].credit_code,
        "承包经营企业统一社会信用代码": world["operator"].credit_code,
        "校外供餐单位统一社会信用代码": world["provider"].credit_code,
        "食材供应商统一社会信用代码": "",
    }
    base.update(over)
    return [base[h] for h in HEADERS]


def test_import_is_all_or_nothing_with_every_problem_located(world):
    officer = UserFactory.create(role=Role.DISTRICT_OFFICER)
    bad = _xlsx(
        [
            _row(world),
            _row(world, 学校标识码="1112000101", 学校名称="重复的学校"),
            _row(
                world, 学校标识码="1112000103", 学段="大学", 校外供餐单位统一社会信用代码="91120113MA05XXXXXX"
            ),
        ]
    )
    result = imports.school_import(
        actor=officer, source=AuditSource.IMPORT, filename="schools.xlsx", content=bad
    )
    assert not result.ok and School.objects.count() == 0
    located = {(i.row, i.column.split("（")[0], i.reason[:6]) for i in result.issues}
    assert (3, "A", "与第 2 行") in located
    assert (4, "C", "学段应为：幼") in located
    assert any(i.row == 4 and i.value == "91120113MA05XXXXXX" for i in result.issues)
    good = _xlsx(
        [
            _row(world),
            _row(
                world,
                学校标识码="1112000102",
                学校名称="北辰区示范幼儿园",
                学段="幼儿园",
                食堂经营方式="自营",
                承包经营企业统一社会信用代码="",
            ),
        ]
    )
    result = imports.school_import(
        actor=officer, source=AuditSource.IMPORT, filename="schools.xlsx", content=good
    )
    assert result.ok and (result.created, result.updated) == (2, 0)
    school = School.objects.get(code="1112000101")
    assert school.operator_id == world["operator"].pk and school.meals == ["lunch"]
    assert SchoolSupplier.objects.filter(
        school=school, role="meal_provider", business=world["provider"]
    ).exists()
    assert AuditEntry.objects.filter(object_type="schools.school").count() == 2
    # The export reads back in as the same list (an update of both, nothing new).
    client = Client()
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    exported = client.get("/schools/export.xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(exported)).active
    assert [c.value for c in sheet[2]] == HEADERS and sheet["B3"].value in (
        "北辰区示范小学",
        "北辰区示范幼儿园",
    )
    again = imports.school_import(
        actor=officer, source=AuditSource.IMPORT, filename="back.xlsx", content=exported
    )
    assert again.ok and (again.created, again.updated) == (0, 2)


def test_a_town_imports_only_its_own_schools(world):
    town_b = UserFactory.create(role=Role.TOWN_OFFICER, region_id=TOWN_B)
    result = imports.school_import(
        actor=town_b, source=AuditSource.IMPORT, filename="s.xlsx", content=_xlsx([_row(world)])
    )
    assert [i.reason for i in result.issues] == ["不在您的辖区"]


def _school(world, **over) -> School:
    data = {
        "code": "1112000201",
        "name": "示范小学",
        "level": "primary",
        "ownership": "public",
        "region_id": TOWN_A,
        "canteen": world["canteen"],
        "canteen_operation": "contracted",
        "operator": world["operator"],
        "meals": ["lunch"],
        **over,
    }
    school = School.objects.create(**data)
    SchoolSupplier.objects.create(school=school, business=world["provider"], role="meal_provider")
    return school


def test_schools_are_scoped_by_town_and_seen_by_the_education_liaison(world, personas):
    school = _school(world)
    assert selectors.school_get_for_user(user=personas("education_liaison"), pk=school.pk) == school
    assert selectors.school_get_for_user(user=personas("town_a_officer"), pk=school.pk) == school
    with pytest.raises(Http404):
        selectors.school_get_for_user(user=personas("town_b_officer"), pk=school.pk)
    with pytest.raises(Http404):
        selectors.school_get_for_user(user=personas("lab"), pk=school.pk)


def test_the_school_page_offers_a_certificate_only_for_suppliers_the_user_may_act_on(world, client_for):
    """The school is in town A; its meal provider is in town B. The district office may put the
    provider's certificate on file; town A's officer sees the provider and its certificates but is
    offered no link to a form that answers 404 to them."""
    school = _school(world)
    provider_form = f"/schools/certificates/new/{world['provider'].pk}/"
    canteen_form = f"/schools/certificates/new/{world['operator'].pk}/"
    SchoolSupplier.objects.create(school=school, business=world["operator"], role="ingredients")
    district = client_for("district_officer")
    page = district.get(f"/schools/{school.pk}/").content.decode()
    assert provider_form in page and canteen_form in page
    assert district.get(provider_form).status_code == 200
    town = client_for("town_a_officer")
    page = town.get(f"/schools/{school.pk}/").content.decode()
    assert "示范配餐中心" in page
    assert provider_form not in page
    assert town.get(provider_form).status_code == 404
    assert canteen_form in page
    assert town.get(canteen_form).status_code == 200


def test_the_operator_records_accompanied_meals_and_the_shortfall_shrinks(world):
    school = _school(world)
    owner, _ = portal_services.business_account_create(
        actor=None, source=AuditSource.SYSTEM, business=world["operator"], username="operator"
    )
    other, _ = portal_services.business_account_create(
        actor=None, source=AuditSource.SYSTEM, business=world["provider"], username="provider"
    )
    day = dt.date(2024, 10, 15)  # a Tuesday in term
    before = selectors.meal_shortfalls(schools=[school], start=day, end=day)[school.pk]
    assert before is not None and (before.owed, before.shortfall) == (1, 1)
    services.accompanied_meal_record(
        actor=owner,
        source=AuditSource.WEB,
        school=school,
        on=day,
        meal="lunch",
        person="张校长",
        person_role="headmaster",
        today=day,
    )
    after = selectors.meal_shortfalls(schools=[school], start=day, end=day)[school.pk]
    assert after is not None and after.shortfall == 0
    assert AccompaniedMeal.objects.get().recorded_by == owner
    with pytest.raises(ValidationError, match="已记录过"):
        services.accompanied_meal_record(
            actor=owner,
            source=AuditSource.WEB,
            school=school,
            on=day,
            meal="lunch",
            person="张校长",
            person_role="headmaster",
            today=day,
        )
    with pytest.raises(Http404):  # a meal provider does not run the school's canteen
        services.accompanied_meal_record(
            actor=other,
            source=AuditSource.WEB,
            school=school,
            on=day,
            meal="lunch",
            person="李四",
            person_role="teacher",
            today=day,
        )


def test_t10_t11_t20_are_computed_from_the_records(world, client_for):
    period = indicators.Period.year(TODAY.year)
    for code in ("schools.open_kitchen_t10", "schools.open_kitchen_t20", "schools.haccp_t11"):
        assert indicators.compute(code, period).missing  # no schools, no statuses yet: missing, not 0
    _school(world)
    make_business(name="大型酒楼", region_code=TOWN_B, business_type="catering", scale="large")
    officer = UserFactory.create(role=Role.DISTRICT_OFFICER)
    services.open_kitchen_set(
        actor=officer,
        source=AuditSource.WEB,
        business=world["operator"],
        level="internet",
        cameras=6,
        platform="阳光餐饮",
        verified_on=TODAY,
    )
    services.open_kitchen_set(
        actor=officer,
        source=AuditSource.WEB,
        business=world["canteen"],
        level="internet",
        cameras=8,
        platform="阳光校园",
        verified_on=TODAY,
    )
    t10 = indicators.compute("schools.open_kitchen_t10", period)
    assert (t10.numerator, t10.denominator) == (
        Decimal(1),
        Decimal(2),
    )  # the operator, not the big restaurant
    t20 = indicators.compute("schools.open_kitchen_t20", period)
    assert (t20.numerator, t20.denominator) == (Decimal(1), Decimal(2))  # canteen built, provider not
    assert t20.region_value(TOWN_A) == Decimal(100) and t20.region_value(TOWN_B) == Decimal(0)
    t11 = indicators.compute("schools.haccp_t11", period)
    assert (t11.numerator, t11.denominator) == (Decimal(0), Decimal(1))
    # The list's export is T20's population as filtered: the canteen built, the provider not yet.
    client = client_for("district_officer")
    got = list(
        openpyxl.load_workbook(
            io.BytesIO(client.get("/schools/open-kitchen/?format=xlsx").content)
        ).active.iter_rows(values_only=True)
    )
    rows = {r[0]: dict(zip(got[1], r, strict=True)) for r in got[2:]}
    assert set(rows) == {"示范小学食堂", "示范配餐中心"}
    assert rows["示范小学食堂"]["摄像头"] == 8 and rows["示范小学食堂"]["平台"] == "阳光校园"
    assert rows["示范配餐中心"]["状态"] == "未登记" and rows["示范配餐中心"]["核实日期"] is None
    missing = client.get("/schools/open-kitchen/?level=missing&format=xlsx")
    assert "%E6%98%8E%E5%8E%A8%E4%BA%AE%E7%81%B6" in missing["Content-Disposition"]  # 明厨亮灶, encoded
    got = list(openpyxl.load_workbook(io.BytesIO(missing.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in got[2:]] == ["示范配餐中心"]
    services.certificate_add(
        actor=officer,
        source=AuditSource.WEB,
        business=world["provider"],
        kind="haccp",
        issuer="中国质量认证中心",
        number="001HACCP2401",
        scope="集体用餐配送",
        valid_from=dt.date(TODAY.year, 1, 1),
        valid_until=dt.date(TODAY.year + 2, 12, 31),
    )
    assert indicators.compute("schools.haccp_t11", period).value == Decimal(100)
    with pytest.raises(ValidationError, match="已登记"):
        services.certificate_add(
            actor=officer,
            source=AuditSource.WEB,
            business=world["provider"],
            kind="haccp",
            issuer="中国质量认证中心",
            number="001HACCP2401",
            scope="",
            valid_from=dt.date(2024, 1, 1),
            valid_until=dt.date(2026, 1, 1),
        )


def test_the_school_pages_render_in_chinese(world, client_for):
    school = _school(world)
    client = client_for("district_officer")
    page = client.get("/schools/").content.decode()
    assert "示范小学" in page and "陪餐缺口" in page
    detail = client.get(f"/schools/{school.pk}/").content.decode()
    assert "示范配餐中心" in detail and "第十二条" in detail
    response = client.post(
        f"/schools/{school.pk}/meals/",
        {
            "on": TODAY.isoformat(),
            "meal": "lunch",
            "person": "王副校长",
            "person_role": "deputy",
            "notes": "饭菜温度适宜",
        },
    )
    assert response.status_code == 302 and AccompaniedMeal.objects.filter(school=school).count() == 1
