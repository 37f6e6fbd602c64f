"""The server-rendered pages, as the people who use them see them: Chinese by default, English on
request, only their own jurisdiction, the register's rules in the forms, and bounded queries."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shian.core import todo
from shian.core.models import AuditEntry
from shian.core.tests.factories import PASSWORD, TOWN_A, TOWN_B
from shian.registry.models import Business
from shian.registry.tests.factories import credit_code, make_business

pytestmark = pytest.mark.django_db

LIST = "/registry/businesses/"


def _text(response) -> str:
    return response.content.decode()


def _english(client: Client) -> Client:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def _form_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "北辰区果园新村鑫隆餐厅",
        "credit_code": credit_code(),
        "production_licence": "",
        "business_licence": "",
        "business_type": "catering",
        "scale": "small",
        "region_code": TOWN_A,
        "categories": ["31"],
        "address": "天津市北辰区果园新村街道龙门路8号",
        "legal_representative": "王伟",
        "longitude": "",
        "latitude": "",
        "status": "active",
        "opened_on": "2021-05-01",
        "licence_valid_until": "",
        "closed_on": "",
    }
    data.update(overrides)
    return data


# -- login, language, navigation ----------------------------------------------------------------


def test_anonymous_is_sent_to_the_chinese_login_page(client_for):
    client = client_for("anonymous")
    for url in ("/", LIST, "/audit/", "/account/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert "登录" in _text(page)
    assert "用户名" in _text(page)


def test_login_with_the_form_reaches_the_dashboard(personas):
    personas("district_officer")
    client = Client()
    response = client.post(
        reverse("login"), {"username": "district_officer", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/"
    assert "概览" in _text(response)


def test_repeated_wrong_passwords_show_the_locked_out_page(personas):
    personas("town_a_officer")
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": "town_a_officer", "password": "wrong-password!"})
    response = client.post(reverse("login"), {"username": "town_a_officer", "password": PASSWORD})
    assert response.status_code == 429
    assert "账户已暂时锁定" in _text(response)
    assert "30 分钟" in _text(response)


def test_logout_is_a_post(client_for):
    client = client_for("viewer")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_pages_are_chinese_by_default_and_english_after_switching(client_for):
    client = client_for("district_officer")
    page = _text(client.get("/"))
    assert "食品安全监管平台" in page
    assert "食品经营主体" in page  # the register in the navigation
    assert "信用监管" in page  # a module's label in the navigation, translated
    assert 'lang="zh-hans"' in page
    _english(client)
    page = _text(client.get("/"))
    assert "Food safety platform" in page
    assert ">Credit<" in page
    assert "食品安全监管平台" not in page
    assert 'lang="en"' in page
    listing = _text(client.get(LIST))
    assert "Food business register" in listing
    assert "All towns and streets" in listing


def test_header_shows_name_role_and_scope(client_for):
    page = _text(client_for("town_a_officer").get("/"))
    assert "镇街食安办工作人员" in page
    assert "果园新村街道" in page
    page = _text(client_for("education_liaison").get("/"))
    assert "成员单位联络员" in page
    assert "区教育局" in page


def test_navigation_follows_capabilities(client_for):
    viewer = _text(client_for("viewer").get("/"))
    assert reverse("registry:business_list") in viewer
    assert reverse("registry:business_import") not in viewer
    assert reverse("audit_list") not in viewer
    officer = _text(client_for("town_a_officer").get("/"))
    assert reverse("registry:business_import") in officer
    assert reverse("audit_list") in officer


def test_no_page_links_a_cdn(client_for):
    page = _text(client_for("district_officer").get("/"))
    assert "/static/vendor/htmx.min.js" in page
    assert "/static/vendor/echarts.min.js" in page
    assert "https://" not in page
    assert "http://" not in page


def test_every_page_document_names_its_icon():
    """A page without an icon link makes the browser ask for /favicon.ico, which is not served:
    a 404 in the console of every phone opening the public trace or complaint page."""
    root = Path(__file__).resolve().parent.parent / "shian"
    documents = [
        p for p in root.rglob("templates/**/*.html") if "<!doctype" in p.read_text(encoding="utf-8").lower()
    ]
    assert len(documents) >= 4  # the staff base, the two public bases and the error page
    missing = [
        str(p.relative_to(root))
        for p in documents
        if 'rel="icon" href="{% static \'shian/favicon.svg\' %}"' not in p.read_text(encoding="utf-8")
    ]
    assert missing == []


def test_public_trace_page_names_the_served_icon(client):
    page = _text(client.get("/t/"))
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert icon is not None
    assert client.get(icon.group(1)).status_code == 200


def test_not_found_and_forbidden_pages_are_chinese(client_for):
    response = client_for("viewer").get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in _text(response)
    response = client_for("lab").get(LIST)
    assert response.status_code == 403
    assert "无权操作" in _text(response)


# -- dashboard ----------------------------------------------------------------------------------


def home_budget(overview: int) -> int:
    """The home page's query budget: the overview's own queries, and at most two for each module's
    to-do and two for each module's key figures (core/todo.py gathers them; each is a fixed number
    of aggregate queries, never one per record, so the budget does not grow with the data)."""
    return overview + 2 * len(todo.providers()) + 2 * len(todo.figure_providers())


def test_dashboard_shows_the_district_and_its_charts(client_for, django_assert_max_num_queries):
    for _ in range(3):
        make_business(region_code=TOWN_A)
    make_business(region_code=TOWN_B, business_type="wholesale_retail")
    make_business(region_code=TOWN_B, status="closed", closed_on=None)
    client = client_for("district_officer")
    client.get("/")  # warm the session
    with django_assert_max_num_queries(home_budget(10)):
        response = client.get("/")
    page = _text(response)
    assert "北辰区" in page
    assert "949,000" in page  # the district's resident population
    assert "天穆镇" in page and "果园新村街道" in page
    chart = response.context["chart_data"]
    assert dict(zip(chart["by_region"]["labels"], chart["by_region"]["values"], strict=True)) == {
        "果园新村街道": 3,
        "天穆镇": 1,
    }
    assert {row["name"]: row["value"] for row in chart["by_type"]} == {
        "餐饮服务": 3,
        "食品销售（批发零售）": 1,
    }
    assert response.context["total"] == 5
    assert response.context["active"] == 4
    assert 'id="dashboard-data"' in page


def test_dashboard_query_count_does_not_grow_with_the_data(client_for, django_assert_max_num_queries):
    client = client_for("district_officer")
    client.get("/")
    for town in (TOWN_A, TOWN_B, "120113101", "120113102", "120113004"):
        for btype in ("catering", "unit_canteen", "wholesale_retail"):
            make_business(region_code=town, business_type=btype)
    with CaptureQueriesContext(connection) as more:
        assert client.get("/").status_code == 200
    assert len(more) <= home_budget(10)
    for town in (TOWN_A, TOWN_B):
        for _ in range(5):
            make_business(region_code=town, business_type="catering")
    with CaptureQueriesContext(connection) as most:
        assert client.get("/").status_code == 200
    assert len(most) == len(more)  # fifteen businesses or twenty-five: the same queries


def test_dashboard_of_a_town_officer_shows_only_their_town(client_for, django_assert_max_num_queries):
    make_business(region_code=TOWN_A)
    make_business(region_code=TOWN_B)
    client = client_for("town_a_officer")
    client.get("/")
    with django_assert_max_num_queries(home_budget(12)):
        response = client.get("/")
    page = _text(response)
    assert "果园新村街道" in page
    assert "天穆镇" not in page
    assert response.context["total"] == 1
    assert response.context["jurisdiction"]["district"] is None
    assert [row["region"].code for row in response.context["jurisdiction"]["townships"]] == [TOWN_A]


def test_dashboard_of_a_lab_has_no_register(client_for):
    response = client_for("lab").get("/")
    assert response.status_code == 200
    assert "chart_data" not in response.context


# -- register list ------------------------------------------------------------------------------


def test_list_shows_only_businesses_in_scope(client_for):
    a = make_business(region_code=TOWN_A, name="果园新村鑫隆餐厅")
    b = make_business(region_code=TOWN_B, name="天穆镇福祥超市", business_type="wholesale_retail")
    page = _text(client_for("town_a_officer").get(LIST))
    assert a.name in page and b.name not in page
    assert "共 1 条" in page
    page = _text(client_for("district_officer").get(LIST))
    assert a.name in page and b.name in page
    assert "共 2 条" in page
    # A town in the query string outside the officer's scope shows nothing of it.
    page = _text(client_for("town_a_officer").get(LIST, {"region": TOWN_B}))
    assert b.name not in page
    # The town filter offers only the officer's own town.
    form = client_for("town_a_officer").get(LIST).context["form"]
    assert [c for c, _ in form.fields["region"].choices if c] == [TOWN_A]


def test_list_filters_and_keeps_them_in_the_export_link(client_for):
    make_business(region_code=TOWN_A, name="鑫隆餐厅")
    make_business(region_code=TOWN_A, name="福祥超市", business_type="wholesale_retail", categories=["01"])
    client = client_for("district_officer")
    response = client.get(LIST, {"q": "鑫隆"})
    assert "鑫隆餐厅" in _text(response) and "福祥超市" not in _text(response)
    response = client.get(LIST, {"business_type": "wholesale_retail", "category": "01"})
    page = _text(response)
    assert "福祥超市" in page and "鑫隆餐厅" not in page
    assert f"{reverse('registry:business_export')}?business_type=wholesale_retail&amp;category=01" in page


def test_htmx_request_gets_the_table_only(client_for):
    make_business(region_code=TOWN_A, name="鑫隆餐厅")
    make_business(region_code=TOWN_A, name="福祥超市")
    client = client_for("district_officer")
    response = client.get(LIST, {"q": "福祥"}, headers={"HX-Request": "true"})
    page = _text(response)
    assert response.status_code == 200
    assert "<html" not in page and "<form" not in page
    assert "<table" in page
    assert "福祥超市" in page and "鑫隆餐厅" not in page
    assert "HX-Request" in response["Vary"]
    # The address bar gets the canonical URL of what is shown, empty filters left out.
    assert response["HX-Push-Url"] == "/registry/businesses/?q=%E7%A6%8F%E7%A5%A5"
    # A normal request to the same URL is the whole page, form and all.
    page = _text(client.get(LIST, {"q": "福祥"}))
    assert "<html" in page and 'hx-get="/registry/businesses/"' in page
    # htmx restoring history it has no cache for needs the whole page too.
    page = _text(client.get(LIST, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}))
    assert "<html" in page


def test_list_pages_with_one_count_and_one_page_query(client_for, django_assert_max_num_queries, settings):
    settings.SHIAN_PAGE_SIZE = 3
    for i in range(7):
        make_business(region_code=TOWN_A, name=f"测试{i}号餐厅")
    client = client_for("district_officer")
    client.get(LIST)
    with django_assert_max_num_queries(8):
        response = client.get(LIST, {"page": "3"})
    page = _text(response)
    assert "测试6号餐厅" in page and "测试0号餐厅" not in page
    assert "共 7 条" in page
    assert "第 3 / 3 页" in page
    # A page number past the end shows the last page rather than an error.
    assert client.get(LIST, {"page": "99"}).status_code == 200


# -- export -------------------------------------------------------------------------------------


def test_export_downloads_the_filtered_register_with_a_chinese_filename(client_for):
    make_business(region_code=TOWN_A, name="鑫隆餐厅")
    make_business(region_code=TOWN_B, name="福祥超市")
    response = client_for("town_a_officer").get(reverse("registry:business_export"))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "filename*=utf-8''" in disposition.lower()
    assert unquote(disposition.split("''", 1)[1]).startswith("食品经营主体_")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    values = [cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row]
    assert "鑫隆餐厅" in values and "福祥超市" not in values


def test_export_needs_the_export_capability(client_for):
    assert client_for("lab").get(reverse("registry:business_export")).status_code == 403


# -- detail -------------------------------------------------------------------------------------


def test_detail_shows_fields_categories_and_history(client_for):
    business = make_business(region_code=TOWN_A, name="鑫隆餐厅", categories=["31", "24"])
    response = client_for("town_a_officer").get(reverse("registry:business_detail", args=[business.pk]))
    page = _text(response)
    assert response.status_code == 200
    assert "统一社会信用代码" in page and business.credit_code in page
    assert "餐饮服务" in page  # the type's label, not its code
    assert "糕点" in page or "餐饮食品" in page  # category names
    assert "变更记录" in page
    assert "新增" in page  # the creation in the history
    assert reverse("registry:business_edit", args=[business.pk]) in page


def test_detail_of_another_towns_business_is_not_found(client_for):
    other = make_business(region_code=TOWN_B)
    response = client_for("town_a_officer").get(reverse("registry:business_detail", args=[other.pk]))
    assert response.status_code == 404
    assert "页面不存在" in _text(response)
    missing = client_for("town_a_officer").get(reverse("registry:business_detail", args=[999999]))
    assert missing.status_code == 404


def test_viewer_sees_the_business_but_may_not_edit_it(client_for):
    business = make_business(region_code=TOWN_A)
    viewer = client_for("viewer")
    page = _text(viewer.get(reverse("registry:business_detail", args=[business.pk])))
    assert reverse("registry:business_edit", args=[business.pk]) not in page
    assert viewer.get(reverse("registry:business_edit", args=[business.pk])).status_code == 403
    assert viewer.get(reverse("registry:business_create")).status_code == 403


def test_edit_of_another_towns_business_is_not_found(client_for):
    other = make_business(region_code=TOWN_B)
    response = client_for("town_a_officer").get(reverse("registry:business_edit", args=[other.pk]))
    assert response.status_code == 404


# -- create and edit ----------------------------------------------------------------------------


def test_create_through_the_form_writes_the_business_and_its_audit_entry(client_for):
    client = client_for("town_a_officer")
    page = client.get(reverse("registry:business_create"))
    assert page.status_code == 200
    assert [c for c, _ in page.context["form"].fields["region_code"].choices if c] == [TOWN_A]
    assert f'<option value="{TOWN_A}" selected>' in _text(page)  # their only town, chosen already
    data = _form_data()
    response = client.post(reverse("registry:business_create"), data)
    business = Business.objects.get(credit_code=data["credit_code"])
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:business_detail", args=[business.pk])
    entry = AuditEntry.objects.get(object_type="registry.business", object_id=str(business.pk))
    assert entry.action == "create" and entry.source == "web" and entry.actor_username == "town_a_officer"
    assert entry.region_code == TOWN_A
    detail = client.get(response["Location"])
    page = _text(detail)
    assert "北辰区果园新村鑫隆餐厅" in page
    assert "已登记" in page  # the success message
    assert "新增" in page and "网页" in page  # action and source in the history
    assert "所属镇街" in page and "果园新村街道" in page  # field names and values, translated


def test_bad_credit_code_shows_the_chinese_reason_and_writes_nothing(client_for):
    client = client_for("district_officer")
    businesses, entries = Business.objects.count(), AuditEntry.objects.count()
    response = client.post(reverse("registry:business_create"), _form_data(credit_code="91120113MA05X1234"))
    assert response.status_code == 200
    page = _text(response)
    assert "统一社会信用代码应为18位" in page
    assert "本次未保存任何数据" in page
    assert response.context["form"].errors["credit_code"]
    assert Business.objects.count() == businesses
    assert AuditEntry.objects.count() == entries


def test_producer_without_production_licence_is_refused_on_that_field(client_for):
    response = client_for("district_officer").post(
        reverse("registry:business_create"), _form_data(business_type="production")
    )
    assert response.status_code == 200
    assert "食品生产许可证" in str(response.context["form"].errors["production_licence"])


def test_town_officer_cannot_create_in_another_town(client_for):
    client = client_for("town_a_officer")
    before = Business.objects.count()
    response = client.post(reverse("registry:business_create"), _form_data(region_code=TOWN_B))
    assert response.status_code == 200
    assert response.context["form"].errors["region_code"]
    assert Business.objects.count() == before


def test_creating_a_code_already_registered_changes_nothing(client_for):
    existing = make_business(region_code=TOWN_A, name="原有餐厅")
    entries = AuditEntry.objects.count()
    response = client_for("town_a_officer").post(
        reverse("registry:business_create"), _form_data(credit_code=existing.credit_code, name="新名字")
    )
    assert response.status_code == 200
    assert "该代码已在登记簿中登记" in _text(response)
    existing.refresh_from_db()
    assert existing.name == "原有餐厅"
    assert AuditEntry.objects.count() == entries


def test_edit_through_the_form_records_before_and_after(client_for):
    business = make_business(region_code=TOWN_A, name="鑫隆餐厅", status="active")
    client = client_for("town_a_officer")
    form = client.get(reverse("registry:business_edit", args=[business.pk])).context["form"]
    assert form.initial["name"] == "鑫隆餐厅" and form.initial["region_code"] == TOWN_A
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name="鑫隆大酒楼", status="suspended")
    response = client.post(reverse("registry:business_edit", args=[business.pk]), data)
    assert response.status_code == 302
    business.refresh_from_db()
    assert business.name == "鑫隆大酒楼" and business.status == "suspended"
    entry = AuditEntry.objects.filter(object_id=str(business.pk), action="update").get()
    assert entry.before == {"name": "鑫隆餐厅", "status": "active"}
    page = _text(client.get(response["Location"]))
    assert "鑫隆餐厅" in page and "鑫隆大酒楼" in page  # before -> after
    assert "在营" in page and "停业" in page  # status labels, not codes


# -- import -------------------------------------------------------------------------------------


def _workbook(rows: list[list[object]]) -> bytes:
    from shian.registry.imports import IMPORT_HEADERS

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(IMPORT_HEADERS)
    index = {h: i for i, h in enumerate(IMPORT_HEADERS)}
    for row in rows:
        line: list[object] = [None] * len(IMPORT_HEADERS)
        for header, value in zip(("名称", "统一社会信用代码", "业态", "所属镇街"), row, strict=True):
            line[index[header]] = value
        sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client: Client, content: bytes, *, dry_run: bool = False, name: str = "登记簿.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data: dict[str, object] = {"file": SimpleUploadedFile(name, content)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("registry:business_import"), data)


def test_import_page_offers_the_template(client_for):
    client = client_for("town_a_officer")
    page = _text(client.get(reverse("registry:business_import")))
    assert "下载导入模板" in page
    response = client.get(reverse("registry:import_template"))
    assert response.status_code == 200
    assert "%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF" in response["Content-Disposition"]  # 导入模板
    assert client_for("viewer").get(reverse("registry:business_import")).status_code == 403


def test_import_of_good_rows_shows_the_counts(client_for):
    client = client_for("town_a_officer")
    content = _workbook(
        [
            ["导入餐厅一", credit_code(), "餐饮服务", "果园新村街道"],
            ["导入餐厅二", credit_code(), "餐饮", TOWN_A],
        ]
    )
    response = _upload(client, content, dry_run=True)
    assert response.context["report"].ok and response.context["report"].created == 2
    assert "试导入" in _text(response)
    assert not Business.objects.filter(name__startswith="导入餐厅").exists()
    response = _upload(client, content)
    report = response.context["report"]
    assert report.ok and report.created == 2 and not report.dry_run
    assert "导入完成" in _text(response)
    assert Business.objects.filter(name__startswith="导入餐厅", region_id=TOWN_A).count() == 2


def test_import_with_problems_lists_them_and_offers_the_marked_file_to_its_uploader(client_for):
    client = client_for("town_a_officer")
    content = _workbook(
        [
            ["坏行餐厅", "91120113MA05X1234", "餐饮服务", "果园新村街道"],
            ["外镇餐厅", credit_code(), "餐饮服务", "天穆镇"],
        ]
    )
    response = _upload(client, content)
    report = response.context["report"]
    assert not report.ok and report.issue_count >= 2
    page = _text(response)
    assert "文件未导入" in page
    assert "统一社会信用代码应为18位" in page
    assert not Business.objects.filter(name__in=["坏行餐厅", "外镇餐厅"]).exists()
    link = reverse("registry:import_report", args=[response.context["report_id"]])
    assert link in page
    download = client.get(link)
    assert download.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert "错误清单" in book.sheetnames
    # Another person (even of the same town) cannot fetch someone else's report.
    assert client_for("district_officer").get(link).status_code == 404


# -- audit trail and account --------------------------------------------------------------------


def test_audit_trail_is_scoped_to_the_town(client_for):
    a = make_business(region_code=TOWN_A, name="果园餐厅")
    b = make_business(region_code=TOWN_B, name="天穆超市")
    page = _text(client_for("town_a_officer").get("/audit/"))
    assert "操作审计" in page
    assert a.name in page and b.name not in page
    page = _text(client_for("district_officer").get("/audit/", {"action": "create"}))
    assert a.name in page and b.name in page
    assert client_for("viewer").get("/audit/").status_code == 403


def test_audit_trail_filters_by_object_and_day_and_exports_as_filtered(client_for):
    import datetime as dt

    from django.utils import timezone

    a = make_business(region_code=TOWN_A, name="果园餐厅")
    b = make_business(region_code=TOWN_B, name="天穆超市")
    district = client_for("district_officer")
    today = timezone.localdate()

    def shown(**params: str) -> set[str]:
        page = _text(district.get("/audit/", params))
        return {n for n in (a.name, b.name) if n in page}

    assert shown(q="果园餐厅") == {a.name}
    assert shown(q=str(b.pk), object_type="registry.business") == {b.name}
    assert shown(start=today.isoformat(), end=today.isoformat()) == {a.name, b.name}
    assert shown(start=(today + dt.timedelta(days=1)).isoformat()) == set()
    assert shown(end=(today - dt.timedelta(days=1)).isoformat()) == set()

    exports_before = AuditEntry.objects.filter(object_type="core.audit_export").count()
    response = district.get("/audit/", {"q": "果园餐厅", "format": "xlsx"})
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, body = list(rows[1]), [dict(zip(rows[1], r, strict=True)) for r in rows[2:]]
    assert header[0] == "序号" and body
    assert {r["对象"] for r in body} == {a.name}
    assert all(r["镇街"] == "果园新村街道" for r in body)
    assert any("果园餐厅" in (r["变更后"] or "") for r in body)
    # The export is itself in the trail, with what was asked for and how much was given.
    entry = AuditEntry.objects.filter(object_type="core.audit_export").latest("seq")
    assert AuditEntry.objects.filter(object_type="core.audit_export").count() == exports_before + 1
    assert entry.after == {"filters": {"q": "果园餐厅"}, "rows": len(body)}
    # A town officer's export holds its own town's entries only.
    town = client_for("town_a_officer").get("/audit/", {"format": "xlsx"})
    objects = {
        r[7]
        for r in list(openpyxl.load_workbook(io.BytesIO(town.content)).active.iter_rows(values_only=True))[2:]
    }
    assert a.name in objects and b.name not in objects


def test_account_page_creates_a_token_shown_once_and_revokes_it(client_for, personas):
    client = client_for("inspector")
    response = client.post("/account/", {"name": "统计脚本"})
    key = response.context["new_key"]
    assert key.startswith("shian_") and key in _text(response)
    assert response["Cache-Control"] == "no-store"
    page = _text(client.get("/account/"))
    assert "统计脚本" in page and key not in page
    token = personas("inspector").api_tokens.get()
    response = client.post(reverse("token_revoke", args=[token.pk]), follow=True)
    assert "已撤销" in _text(response)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_page_under_two_modules_marks_only_the_more_specific_one(client_for):
    """/sampling/quick-tests/ lies under /sampling/: the navigation marks 快检 alone as current."""
    page = client_for("district_officer").get(reverse("sampling:quick_test_list")).content.decode()
    assert page.count('aria-current="page"') == 1
    assert (
        f'<a href="{reverse("sampling:quick_test_list")}" class="active" aria-current="page">快检</a>' in page
    )
    listing = client_for("district_officer").get(reverse("sampling:sample_list")).content.decode()
    assert f'<a href="{reverse("sampling:sample_list")}" class="active" aria-current="page">' in listing
