"""Recall from an unqualified sample's lot: the scope (businesses, towns, quantities), the FSMA 204
sortable spreadsheet, a disposal task for every business reached through the sampling module's
service, the lots marked recalled so the public page says so at once, and the audit entry."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from shian.core.models import AuditEntry
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.sampling import services as sampling_services
from shian.sampling.models import DisposalTask
from shian.sampling.tests.helpers import lab_for
from shian.sampling.workflow import SampleStatus as S
from shian.trace import selectors, services
from shian.trace.identifiers import public_code
from shian.trace.models import ConsumerQueryCount, Lot, LotStatus, Recall, RecallBusiness
from shian.trace.tests import docs

NOW = dt.datetime(2022, 6, 1, tzinfo=dt.UTC)


@pytest.fixture
def world(personas):
    officer = personas("district_officer")
    mill = docs.business("北辰区宜兴埠米业有限公司", TOWN_A, "production")
    wholesaler = docs.business("天穆粮油批发部", TOWN_B)
    shop_a = docs.business("果园新村佳佳超市", TOWN_A)
    shop_b = docs.business("天穆镇惠民超市", TOWN_B)
    doc = docs.document(
        docs.commission(
            mill, "R2203", when="2022-03-01T09:00:00+08:00", name="东北大米 5kg", line="other", qty=2000
        ),
        docs.ship(mill, wholesaler, "R2203", when="2022-03-02T09:00:00+08:00", qty=1200),
        docs.ship(mill, shop_a, "R2203", when="2022-03-02T11:00:00+08:00", qty=100),
        docs.ship(wholesaler, shop_b, "R2203", when="2022-03-04T09:00:00+08:00", qty=80),
    )
    services.epcis_capture(by=officer, document=doc, source="api", now=NOW)
    lab_user = personas("lab")
    sample = sampling_services.sample_create(
        by=officer,
        code="BC2022-0301",
        region=mill.region,
        food_name="大米",
        category_path="粮食加工品-大米",
        produced_on=dt.date(2022, 3, 1),
        lab=lab_for(lab_user),
        business=mill,
        batch="R2203",
    )
    for status in (S.SAMPLED, S.DELIVERED):
        sampling_services.sample_set_status(sample=sample, status=status, by=officer, on=dt.date(2022, 3, 10))
    sampling_services.sample_results_record(
        sample=sample, results=[("镉(以Cd计)", "0.32mg/kg")], by=lab_user, on=dt.date(2022, 3, 20)
    )
    sampling_services.sample_set_status(sample=sample, status=S.NOTIFIED, by=officer, on=dt.date(2022, 3, 22))
    sample.refresh_from_db()
    return {
        "officer": officer,
        "mill": mill,
        "wholesaler": wholesaler,
        "shop_a": shop_a,
        "shop_b": shop_b,
        "sample": sample,
    }


def _start(world) -> Recall:
    lot = Lot.objects.get(business=world["mill"])
    view = selectors.trace_for_user(user=world["officer"], lot=lot, forward=True)
    return services.recall_open(
        by=world["officer"],
        lot=lot,
        sample=world["sample"],
        reason="抽检不合格：镉超标",
        on=dt.date(2022, 3, 23),
        scope_rows=[
            services.ScopeBusiness(b.business_id, b.region_id, b.lots, b.quantity, b.uom, b.depth)
            for b in view.businesses
        ],
        lots_reached=view.lot_ids,
    )


@pytest.mark.django_db
def test_recall_scope_tasks_status_and_audit(world):
    assert world["sample"].conclusion == "unqualified"
    recall = _start(world)
    rows = {r.business_id: r for r in RecallBusiness.objects.filter(recall=recall)}
    assert set(rows) == {world[k].pk for k in ("mill", "wholesaler", "shop_a", "shop_b")}
    assert float(rows[world["shop_b"].pk].quantity) == 80 and rows[world["shop_b"].pk].depth == 2
    assert {r.region_id for r in rows.values()} == {TOWN_A, TOWN_B}
    # One disposal task per business, through sampling's service: the sample's own moved it to
    # disposal; the others belong to their businesses' towns.
    tasks = DisposalTask.objects.filter(sample=world["sample"])
    assert tasks.count() == 4
    assert {t.region_id for t in tasks.filter(business__isnull=False)} == {TOWN_A, TOWN_B}
    world["sample"].refresh_from_db()
    assert world["sample"].status == S.DISPOSAL
    assert all(r.disposal_id for r in rows.values())
    assert set(Lot.objects.values_list("status", flat=True)) == {LotStatus.RECALLED}
    entry = AuditEntry.objects.filter(object_type="trace.recall").latest("seq")
    assert entry.after["businesses"] == 4 and entry.actor_id == world["officer"].pk


@pytest.mark.django_db
def test_recall_needs_an_unqualified_sample_and_the_right_role(world, personas):
    lot = Lot.objects.get(business=world["mill"])
    with pytest.raises(PermissionDenied):
        services.recall_open(
            by=personas("town_a_officer"),
            lot=lot,
            sample=world["sample"],
            reason="x",
            on=dt.date(2022, 3, 23),
            scope_rows=[],
            lots_reached=[],
        )
    qualified = sampling_services.sample_create(
        by=world["officer"], code="BC2022-0302", region=world["mill"].region, food_name="大米"
    )
    with pytest.raises(ValidationError):
        services.recall_open(
            by=world["officer"],
            lot=lot,
            sample=qualified,
            reason="x",
            on=dt.date(2022, 3, 23),
            scope_rows=[],
            lots_reached=[],
        )
    assert Recall.objects.count() == 0 and not Lot.objects.filter(status=LotStatus.RECALLED).exists()


@pytest.mark.django_db
def test_public_page_says_recalled_at_once_and_counts_queries(world):
    client = Client()
    code = public_code(Lot.objects.get(business=world["shop_b"]).identifier)
    page = client.get(f"/t/{code}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "东北大米 5kg" in text and "天穆粮油批发部" in text and "<svg" in text
    assert "已被召回" not in text
    _start(world)
    text = client.get(f"/t/{code}").content.decode()
    assert "该批次已被召回" in text and "不合格" in text
    assert sum(ConsumerQueryCount.objects.values_list("count", flat=True)) == 2
    assert client.get("/t/01/06901234000000/10/NOPE").status_code == 404


@pytest.mark.django_db
def test_public_page_speaks_english_when_chosen(world, settings):
    from django.utils import translation

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    code = public_code(Lot.objects.get(business=world["shop_b"]).identifier)
    _start(world)
    try:
        text = client.get(f"/t/{code}").content.decode()
    finally:
        translation.activate(settings.LANGUAGE_CODE)
    assert "This lot has been recalled" in text and "Beichen District food trace look-up" in text
    assert "该批次已被召回" not in text


@pytest.mark.django_db
def test_fsma_spreadsheet_and_recall_pages(world, client_for):
    recall = _start(world)
    officer = client_for("district_officer")
    response = officer.get(f"/trace/recalls/{recall.pk}/trace.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = book.active
    header = [c.value for c in ws[3]]
    assert header[0].startswith("关键追踪事件") and header[1].startswith("追溯批次码")
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    shipped = [r for r in rows if r[0].startswith("发货")]
    assert {r[11] for r in shipped} == {"天穆粮油批发部", "果园新村佳佳超市", "天穆镇惠民超市"}
    assert sorted(r[3] for r in shipped) == [80, 100, 1200]
    detail = officer.get(f"/trace/recalls/{recall.pk}/").content.decode()
    assert "天穆镇惠民超市" in detail and "/sampling/disposal/" in detail
    # Town A's officer sees the recall's town A businesses only.
    town_a = client_for("town_a_officer").get(f"/trace/recalls/{recall.pk}/").content.decode()
    assert "果园新村佳佳超市" in town_a and "天穆镇惠民超市" not in town_a
    assert client_for("town_b_officer").get(f"/trace/recalls/{recall.pk}/").status_code == 404


@pytest.mark.django_db
def test_recall_list_filters_pages_and_exports_with_disposals_closed(world, client_for):
    recall = _start(world)
    # The shop's town closed its disposal; the other three are open.
    shop_task = RecallBusiness.objects.get(recall=recall, business=world["shop_a"]).disposal_id
    DisposalTask.objects.filter(pk=shop_task).update(status="closed", closed_on=dt.date(2022, 4, 1))
    officer = client_for("district_officer")
    link = f"/trace/recalls/{recall.pk}/"

    def listed(query: str) -> bool:
        return link in officer.get(f"/trace/recalls/?{query}").content.decode()

    assert listed("") and listed("q=R2203") and listed("q=BC2022-0301") and listed("status=open")
    assert listed(f"region={TOWN_A}")
    assert not listed("q=R9999") and not listed("status=closed") and not listed(f"region={TOWN_B}")
    # An unknown status is no filter.
    assert listed("status=lost")
    assert link not in client_for("town_b_officer").get("/trace/recalls/").content.decode()

    response = officer.get("/trace/recalls/?q=R2203&format=xlsx")
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, body = list(rows[1]), rows[2:]
    assert len(body) == 1
    row = dict(zip(header, body[0], strict=True))
    assert row["启动日期"] == "2022-03-23" and row["不合格样品编号"] == "BC2022-0301"
    assert row["涉及经营主体"] == 4 and row["核查处置已办结"] == 1
    assert row["涉及批次节点"] == recall.lots_reached
    empty = officer.get("/trace/recalls/?status=closed&format=xlsx")
    assert len(list(openpyxl.load_workbook(io.BytesIO(empty.content)).active.iter_rows())) == 2
