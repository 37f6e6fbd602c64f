"""The lot graph: traces across a transformation, by depth and time window, through a hub lot,
and a cycle in bad data that must end instead of looping; the in-memory graph follows the
database as events arrive."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.trace import graphstore, selectors, services
from shian.trace.derive import counter_party, derive, moving_lots
from shian.trace.graph import SMALL, LotGraph, path_to
from shian.trace.models import Lot
from shian.trace.tests import docs

NOW = dt.datetime(2022, 6, 1, tzinfo=dt.UTC)


def test_small_and_large_phases_agree_on_a_hub():
    """A hub lot reaching more than SMALL nodes: every node found once, at its shortest depth."""
    n_shops = SMALL * 3
    src, dst, at = [1], [2], [100]  # hub 1 -> wholesaler node 2
    for k in range(n_shops):
        src.append(2)
        dst.append(10 + k)
        at.append(200 + k)
        # Each shop passes goods on to one restaurant.
        src.append(10 + k)
        dst.append(10 + n_shops + k)
        at.append(300 + k)
    g = LotGraph.build(n=10 + 2 * n_shops, src=src, dst=dst, at=at)
    r = g.trace(1, forward=True)
    assert len(r) == 2 + 2 * n_shops
    assert len(set(r.nodes.tolist())) == len(r)
    depth = dict(zip(r.nodes.tolist(), r.depth.tolist(), strict=True))
    assert depth[2] == 1 and depth[10] == 2 and depth[10 + n_shops] == 3
    assert path_to(r, 10 + n_shops + 5) == [1, 2, 15, 10 + n_shops + 5]
    # Depth and time window cut the search.
    assert len(g.trace(1, forward=True, max_depth=2)) == 2 + n_shops
    assert len(g.trace(1, forward=True, until=250)) == 2 + 51
    back = g.trace(10 + n_shops + 7, forward=False)
    assert back.nodes.tolist() == [10 + n_shops + 7, 17, 2, 1]


def test_the_other_party_of_a_shipment_is_the_owner_before_the_possessor_and_the_place():
    """CBV source/destination types in any spelling: the owning party is taken first, then the
    possessing party, then the location; a single entry is taken whatever its type."""
    shipped = {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "bizStep": "urn:epcglobal:cbv:bizstep:shipping",
        "eventTime": "2022-05-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "quantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.012345.L1", "quantity": 5, "uom": "XCN"}],
        "bizLocation": {"id": "urn:epc:id:sgln:6901234.00001.0"},
        "sourceList": [{"type": "possessing_party", "source": "urn:cn:uscc:A"}],
        "destinationList": [
            {"type": "location", "destination": "urn:cn:uscc:PLACE"},
            {"type": "https://ref.gs1.org/cbv/SDT-possessing_party", "destination": "urn:cn:uscc:CARRIER"},
            {"type": "urn:epcglobal:cbv:sdt:owning_party", "destination": "urn:cn:uscc:OWNER"},
        ],
    }
    d = derive(shipped)
    assert (d.movement, counter_party(d)) == ("ship", "urn:cn:uscc:OWNER")
    # The holder: the business location first, then the shipping side's party.
    assert d.holder_ids == ["https://id.gs1.org/414/6901234000016", "urn:cn:uscc:A"]
    assert [lot.identifier for lot in moving_lots(d)] == ["https://id.gs1.org/01/06901234123456/10/L1"]
    received = {
        **shipped,
        "bizStep": "receiving",
        "sourceList": [{"type": "location", "source": "urn:cn:uscc:B"}],
    }
    d = derive(received)
    assert (d.movement, counter_party(d)) == ("receive", "urn:cn:uscc:B")
    assert d.holder_ids[-1] == "urn:cn:uscc:OWNER"
    # Neither a shipment nor a receipt: no other party.
    observed = derive({**shipped, "bizStep": "storing"})
    assert (observed.movement, counter_party(observed)) == ("", "")


def test_a_cycle_in_bad_data_ends():
    """A lot shipped back and forth (or a data error making A->B->C->A) is visited once."""
    g = LotGraph.build(n=5, src=[1, 2, 3, 3], dst=[2, 3, 1, 4], at=[1, 2, 3, 4])
    r = g.trace(1, forward=True, max_depth=1000)
    assert sorted(r.nodes.tolist()) == [1, 2, 3, 4]
    big = SMALL * 2  # the same in the numpy phase: a ring of 2*SMALL nodes
    ring = LotGraph.build(n=big + 1, src=list(range(1, big + 1)), dst=[*range(2, big + 1), 1], at=[0] * big)
    assert len(ring.trace(1, forward=True, max_depth=10 * big)) == big


def test_overflow_edges_are_searched_until_rebuild():
    g = LotGraph.build(n=4, src=[1], dst=[2], at=[10])
    g.add_edges([(2, 3, 20, 5.0, "KGM")], last_edge_id=2)
    assert g.trace(1, forward=True).nodes.tolist() == [1, 2, 3]
    assert g.trace(3, forward=False).nodes.tolist() == [3, 2, 1]
    q, units = g.inflow(g.trace(1, forward=True), True)
    assert q.tolist()[2] == 5.0 and g.uoms[int(units[2])] == "KGM"


@pytest.mark.django_db
def test_trace_across_a_transformation_and_the_graph_follows_captures(personas):
    """Bulk salt received by a salt works is packed into retail lots (a transformation) and shipped
    to shops: a forward trace from the bulk lot reaches the shops; a backward trace from a shop's
    lot finds the bulk lot's supplier. An event captured after the first trace shows at once."""
    officer = personas("district_officer")
    supplier = docs.business("长芦盐场销售公司", TOWN_B, "production")
    works = docs.business("北辰盐业分装厂", TOWN_A, "production")
    shop_a = docs.business("果园新村粮油店", TOWN_A)
    shop_b = docs.business("天穆镇佳乐超市", TOWN_B)
    bulk = docs.ship(
        supplier,
        works,
        "BULK01",
        when="2022-04-01T08:00:00+08:00",
        qty=20000,
        epc_class=docs.lot_uri("BULK01", "054321"),
    )
    pack = docs.transform(works, [("BULK01", 20000)], [("SALT2204", 50000)], when="2022-04-02T08:00:00+08:00")
    to_a = docs.ship(works, shop_a, "SALT2204", when="2022-04-03T08:00:00+08:00", qty=400)
    services.epcis_capture(by=officer, document=docs.document(bulk, pack, to_a), source="api", now=NOW)
    bulk_at_supplier = Lot.objects.get(business=supplier)
    view = selectors.trace_for_user(user=officer, lot=bulk_at_supplier, forward=True)
    assert {b.business_id for b in view.businesses} == {supplier.pk, works.pk, shop_a.pk}
    # Captured later: the in-memory graph catches up before the next trace.
    to_b = docs.ship(works, shop_b, "SALT2204", when="2022-04-05T08:00:00+08:00", qty=300)
    services.epcis_capture(by=officer, document=docs.document(to_b), source="api", now=NOW)
    view = selectors.trace_for_user(user=officer, lot=bulk_at_supplier, forward=True)
    by_business = {b.business_id: b for b in view.businesses}
    assert set(by_business) == {supplier.pk, works.pk, shop_a.pk, shop_b.pk}
    assert by_business[shop_b.pk].quantity == 300 and by_business[shop_b.pk].depth == 3
    # A time window ending before the second shipment leaves shop B out.
    early = selectors.trace_for_user(
        user=officer, lot=bulk_at_supplier, forward=True, until=dt.date(2022, 4, 4)
    )
    assert shop_b.pk not in {b.business_id for b in early.businesses}
    shop_b_lot = Lot.objects.get(business=shop_b)
    origin = selectors.trace_for_user(user=officer, lot=shop_b_lot, forward=False)
    assert supplier.pk in {b.business_id for b in origin.businesses}
    # Town A's officer sees only town A's businesses in the same trace: nothing of town B.
    scoped = selectors.trace_for_user(
        user=personas("town_a_officer"),
        lot=Lot.objects.get(business=works, lot_number="SALT2204"),
        forward=True,
    )
    assert {b.business_id for b in scoped.businesses} == {works.pk, shop_a.pk}
    assert scoped.external_holders == 0
    assert graphstore.current_graph().edges == 4
    assert np.all(graphstore.current_graph().node_business[[bulk_at_supplier.pk]] == supplier.pk)
