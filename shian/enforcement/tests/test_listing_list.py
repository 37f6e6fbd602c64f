"""The serious-dishonesty list page: filtered by party or case number, status and town, paged,
exported as filtered, and scoped to the town officer's town."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from shian.core.models import AuditSource
from shian.enforcement import services
from shian.enforcement.models import Listing, ListingStatus, Publication
from shian.enforcement.tests.test_services import open_case, walk_to_notice
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db
D = dt.date
TOWN_A, TOWN_B = "120113001", "120113002"


def _proposed(officer, name: str, town: str, number: str) -> Listing:
    """A business whose licence was revoked for a listing trigger: proposed for the list."""
    shop = make_business(
        name=name, region_code=town, business_type="wholesale_retail", legal_representative="王某"
    )
    case = open_case(officer, shop, basis_code="fsl-123")
    services.case_facts_record(
        by=officer,
        source=AuditSource.WEB,
        case=case,
        facts={"goods_value": "5000"},
        listing_triggers=["non_food_substance"],
    )
    walk_to_notice(officer, case)
    services.case_decide(
        by=officer,
        source=AuditSource.WEB,
        case=case,
        on=D(2022, 4, 15),
        decision_number=number,
        kinds=["fine", "licence_revocation"],
        fine_amount="120000",
        band="ordinary",
        collective_discussion_on=D(2022, 4, 14),
    )
    return Listing.objects.get(case=case)


@pytest.fixture
def listings(personas):
    officer = personas("district_officer")
    listed = _proposed(officer, "果园新村示范超市", TOWN_A, "津辰罚〔2022〕3号")
    services.listing_decide(
        by=officer, source=AuditSource.WEB, listing=listed, on=D(2022, 4, 20), list_it=True
    )
    proposed = _proposed(officer, "天穆镇示范粮油店", TOWN_B, "津辰罚〔2022〕4号")
    return {"listed": listed, "proposed": proposed}


def _names(client, query: str) -> set[str]:
    page = client.get(f"/enforcement/listings/?{query}").content.decode()
    return {n for n in ("果园新村示范超市", "天穆镇示范粮油店") if n in page}


def test_the_list_filters_by_text_status_and_town(listings, client_for):
    district = client_for("district_officer")
    assert _names(district, "") == {"果园新村示范超市", "天穆镇示范粮油店"}
    assert _names(district, f"status={ListingStatus.LISTED}") == {"果园新村示范超市"}
    assert _names(district, f"status={ListingStatus.PROPOSED}") == {"天穆镇示范粮油店"}
    assert _names(district, f"region={TOWN_B}") == {"天穆镇示范粮油店"}
    assert _names(district, "q=粮油") == {"天穆镇示范粮油店"}
    assert _names(district, f"q={listings['listed'].case.number}") == {"果园新村示范超市"}
    assert _names(district, "status=nonsense") == {"果园新村示范超市", "天穆镇示范粮油店"}
    # Town A's officer: its own town's listing only, whatever it asks for.
    assert _names(client_for("town_a_officer"), f"region={TOWN_B}") == set()
    assert _names(client_for("town_a_officer"), "") == {"果园新村示范超市"}


def test_the_export_is_the_filtered_list(listings, client_for):
    response = client_for("district_officer").get(
        f"/enforcement/listings/?status={ListingStatus.LISTED}&format=xlsx"
    )
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, body = list(rows[1]), rows[2:]
    assert len(body) == 1
    row = dict(zip(header, body[0], strict=True))
    assert row["当事人"] == "果园新村示范超市" and row["状态"] == "已列入"
    assert row["列入日期"] == "2022-04-20" and row["期满日期"] == "2025-04-20"
    assert row["统一社会信用代码"] == listings["listed"].business.credit_code


def test_the_publications_export_is_the_filtered_list_with_the_late_ones_marked(listings, client_for):
    """The two revocations' decisions (15 April 2022) are due for publication 20 working days on
    and were never published: both are late today."""
    import io as _io

    client = client_for("district_officer")
    response = client.get("/enforcement/publications/?status=due&format=xlsx")
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(_io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, body = list(rows[1]), [dict(zip(rows[1], r, strict=True)) for r in rows[2:]]
    assert header[:2] == ["案号", "当事人（公示）"]
    assert {r["决定书文号"] for r in body} == {"津辰罚〔2022〕3号", "津辰罚〔2022〕4号"}
    assert {r["逾期未公示"] for r in body} == {"是"}
    # The due date as the publication holds it (its 20 working days are tested with the rule).
    due = {p.case.decision_number: p.due_on.isoformat() for p in Publication.objects.select_related("case")}
    assert {r["决定书文号"]: r["应公示日期"] for r in body} == due
    assert client.get("/enforcement/publications/?status=published&format=xlsx").status_code == 200
    published = list(
        openpyxl.load_workbook(
            _io.BytesIO(client.get("/enforcement/publications/?status=published&format=xlsx").content)
        ).active.iter_rows(values_only=True)
    )
    assert len(published) == 2  # title and header: nothing published


def test_the_pager_keeps_the_filters(listings, client_for, settings):
    settings.SHIAN_PAGE_SIZE = 1
    client = client_for("district_officer")
    first = client.get("/enforcement/listings/?q=示范").content.decode()
    assert "1 / 2" in first
    assert 'href="?q=%E7%A4%BA%E8%8C%83&amp;page=2" rel="next"' in first
    second = client.get("/enforcement/listings/?q=示范&page=2").content.decode()
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # Each page shows one of the two, and together both.
    shown = [{n for n in ("果园新村示范超市", "天穆镇示范粮油店") if n in page} for page in (first, second)]
    assert len(shown[0]) == len(shown[1]) == 1 and shown[0] | shown[1] == {
        "果园新村示范超市",
        "天穆镇示范粮油店",
    }
