"""The capped count of a list (shian.core.lists): a list longer than the cap shows "25+" with a
pager that still goes on, the API says its count is capped, and an export still holds every row."""

from __future__ import annotations

import io

import openpyxl
import pytest

from shian.core.lists import CappedPaginator
from shian.core.models import AuditSource
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.registry.models import Business
from shian.registry.services import business_bulk_upsert
from shian.web.templatetags.shian_tags import num, page_numbers

from .factories import business_input

CAP, PAGE = 25, 10
ROWS_A, ROWS_B = 28, 3  # 31 businesses: past the cap of 25, and three pages of 10 past it


@pytest.fixture
def register(db, settings):
    settings.SHIAN_LIST_COUNT_CAP = CAP
    settings.SHIAN_PAGE_SIZE = PAGE
    rows = [business_input(name=f"北辰测试餐厅{i:03d}", region_code=TOWN_A) for i in range(ROWS_A)]
    rows += [business_input(name=f"北辰测试超市{i:03d}", region_code=TOWN_B) for i in range(ROWS_B)]
    business_bulk_upsert(actor=None, source=AuditSource.SYSTEM, data=rows, check_permission=False)
    return sorted(Business.objects.values_list("name", flat=True))


def test_a_list_past_the_cap_shows_a_lower_bound_and_its_pager_goes_on(register, client_for):
    client = client_for("district_officer")

    first = client.get("/registry/businesses/")
    page = first.context["page"]
    assert (page.paginator.count, page.paginator.capped) == (CAP, True)
    html = first.content.decode()
    assert "共 25+ 条" in html
    assert "只计数到 25 条，列表还有更多" in html
    assert 'href="/registry/businesses/?page=2"' in html
    # No last page is known: the numbers end in a gap, with no link to a "last" page 3.
    assert page_numbers(page) == [1, 2, 3, None]

    # Page 3 is the last within the cap, yet "next" goes on: its request counts that far.
    third = client.get("/registry/businesses/?page=3")
    page = third.context["page"]
    assert [b.name for b in page.object_list] == register[20:30]
    assert page.has_next() and page.next_page_number() == 4
    assert 'href="/registry/businesses/?page=4"' in third.content.decode()

    # Page 4 counts to 40, finds 31: the count is exact again, and the pager ends there.
    fourth = client.get("/registry/businesses/?page=4")
    page = fourth.context["page"]
    assert [b.name for b in page.object_list] == register[30:]
    assert (page.paginator.count, page.paginator.capped, page.has_next()) == (31, False, False)
    assert page_numbers(page) == [1, 2, 3, 4]
    html = fourth.content.decode()
    assert "共 31 条" in html and "只计数到" not in html


def test_a_list_within_the_cap_counts_exactly(register, client_for):
    response = client_for("district_officer").get(f"/registry/businesses/?region={TOWN_B}")
    page = response.context["page"]
    assert (page.paginator.count, page.paginator.capped) == (ROWS_B, False)
    assert "只计数到" not in response.content.decode()
    assert page_numbers(page) == [1]


def test_an_absurd_page_number_answers_the_last_page(register, client_for):
    # The count's LIMIT grows with the page asked for, but stays inside what the database accepts.
    response = client_for("district_officer").get("/registry/businesses/?page=" + "9" * 30)
    assert response.status_code == 200
    assert [b.name for b in response.context["page"].object_list] == register[30:]


def test_the_label_in_english(register, client_for):
    client = client_for("district_officer")
    client.cookies["django_language"] = "en"
    html = client.get("/registry/businesses/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "25+ businesses in total" in html
    assert "Counted up to 25 only, and the list goes on" in html


def test_every_list_of_the_shared_helper_is_capped(register, client_for):
    # The audit trail (core) pages through the same helper, 50 entries a page: a first page counts
    # at least its own 50 rows, so 31 + 30 businesses (an entry each) make it "50+".
    more = [business_input(name=f"北辰测试面馆{i:03d}", region_code=TOWN_A) for i in range(30)]
    business_bulk_upsert(actor=None, source=AuditSource.SYSTEM, data=more, check_permission=False)
    page = client_for("district_admin").get("/audit/").context["page"]
    assert (str(page.paginator.count), num(page.paginator.count)) == ("50+", "50+")
    assert page.paginator.num_pages == 1 and page.has_next()


def test_the_api_says_when_its_count_is_capped(register, client_for):
    client = client_for("district_officer")
    first = client.get(f"/api/v1/businesses/?page_size={PAGE}").json()
    assert (first["count"], first["count_capped"], len(first["results"])) == (CAP, True, PAGE)
    last = client.get(f"/api/v1/businesses/?page_size={PAGE}&page=4").json()
    assert (last["count"], last["count_capped"]) == (31, False)
    assert [r["name"] for r in last["results"]] == register[30:]
    town = client.get(f"/api/v1/businesses/?region={TOWN_B}").json()
    assert (town["count"], town["count_capped"]) == (ROWS_B, False)


def test_the_openapi_document_describes_the_capped_count(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["BusinessPage"]
    assert {"count", "count_capped"} <= set(schema["required"])
    assert schema["properties"]["count_capped"]["type"] == "boolean"
    assert "more than count" in schema["properties"]["count"]["description"]


def test_an_export_still_holds_every_row(register, client_for):
    response = client_for("district_officer").get("/registry/businesses/export.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    names = sorted(row[rows[0].index("名称")] for row in rows[1:])
    assert names == register  # all 31, past the list's cap of 25


def test_the_paginator_over_a_plain_list():
    page = CappedPaginator(list(range(7)), 3, cap=5).get_page("2")
    assert (page.paginator.count, list(page.object_list), page.has_next()) == (6, [3, 4, 5], True)
