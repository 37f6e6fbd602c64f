"""Route matrix of traceability: pages, exports, the public consumer pages and the EPCIS/trace API
(tests/route_matrix.py). A lot, a recall and a capture in town A; the lab has no trace pages (403);
the education liaison oversees school canteens only, so a shop's lot is not found for them."""

from __future__ import annotations

import datetime as dt

from shian.core.models import Region
from shian.registry.models import BusinessType
from shian.registry.tests.factories import make_business
from shian.sampling.models import Sample
from shian.trace import services
from shian.trace.identifiers import public_code
from shian.trace.models import Lot, Recall
from shian.trace.tests import docs
from tests.route_matrix import CHANGE, PUBLIC, VIEW, Check, World, api, rule

TOWN_A, TOWN_B = "120113001", "120113100"
# A record in town A as a trace page shows it: the lab lacks the module (403), not the record.
SEE_A = rule(
    404,
    district_admin=200,
    district_officer=200,
    town_a_officer=200,
    inspector=200,
    town_a_inspector=200,
    viewer=200,
    lab=403,
    anonymous=302,
)
RECALL = rule(403, district_admin=200, district_officer=200, anonymous=302)
# Linking a sample to town A's lot: capture staff of town A and the district; readers may see the
# lot but not change it; town B's officer and the liaison do not see it.
LINK_A = rule(
    403,
    district_admin=302,
    district_officer=302,
    town_a_officer=302,
    town_b_officer=404,
    education_liaison=404,
    anonymous=302,
)
CAPTURE_A = rule(
    403, district_admin=201, district_officer=201, town_a_officer=201, town_b_officer=400, anonymous=401
)
CAPTURE_JOB = rule(
    403, district_admin=200, district_officer=200, town_a_officer=404, town_b_officer=404, anonymous=401
)


def build(world: World) -> None:
    mill = make_business(name="果园新村示范米业", region_code=TOWN_A, business_type=BusinessType.PRODUCTION)
    shop = make_business(
        name="果园新村示范超市", region_code=TOWN_A, business_type=BusinessType.WHOLESALE_RETAIL
    )
    shop_b = make_business(
        name="天穆镇示范超市", region_code=TOWN_B, business_type=BusinessType.WHOLESALE_RETAIL
    )
    officer = world.personas("district_officer")
    doc = docs.document(
        docs.commission(mill, "M2203", when="2022-03-01T09:00:00+08:00", name="示范大米 5kg", line="other"),
        docs.ship(mill, shop, "M2203", when="2022-03-02T09:00:00+08:00", qty=100),
        docs.ship(mill, shop_b, "M2203", when="2022-03-02T10:00:00+08:00", qty=50),
    )
    result = services.epcis_capture(
        by=officer, document=doc, source="api", now=dt.datetime(2022, 6, 1, tzinfo=dt.UTC)
    )
    lot = Lot.objects.get(business=mill)
    sample = Sample.objects.create(
        code="MATRIX-TRACE-1",
        region=Region.objects.get(pk=TOWN_A),
        food_name="大米",
        business=mill,
        batch="M2203",
        conclusion="unqualified",
    )
    recall = Recall.objects.create(
        lot=lot,
        sample=sample,
        region_id=TOWN_A,
        reason="矩阵测试",
        opened_on=dt.date(2022, 3, 23),
        opened_by=officer,
    )
    world["trace_lot_a"] = lot.pk
    world["trace_code_a"] = public_code(lot.identifier)
    world["trace_sample_a"] = sample.pk
    world["trace_recall_a"] = recall.pk
    world["trace_capture"] = result.capture.pk if result.capture else 0
    world["trace_mill"] = mill
    world["trace_shop"] = shop


def _capture_doc(world: World) -> dict:
    mill, shop = world["trace_mill"], world["trace_shop"]
    return docs.document(docs.ship(mill, shop, "M2203", when="2022-03-09T09:00:00+08:00", qty=20))


def checks(world: World) -> list[Check]:
    lot, recall, code = world["trace_lot_a"], world["trace_recall_a"], world["trace_code_a"]
    return [
        Check("GET", "/trace/", VIEW),
        Check("GET", "/trace/?q=示范&line=other", VIEW),
        Check("GET", "/trace/lots/export.xlsx", VIEW),
        Check("GET", f"/trace/lots/{lot}/", SEE_A),
        Check("GET", f"/trace/lots/{lot}/?depth=1&since=2022-03-01&until=2022-03-31", SEE_A),
        Check("GET", "/trace/lots/999999/", rule(404, lab=403, anonymous=302)),
        Check("GET", f"/trace/lots/{lot}/trace.xlsx", SEE_A),
        Check("POST", f"/trace/lots/{lot}/samples/", LINK_A, data=lambda w: {"sample": w["trace_sample_a"]}),
        Check("GET", "/trace/capture/", CHANGE),
        Check("GET", "/trace/capture/template.xlsx", CHANGE),
        Check("GET", "/trace/recalls/", VIEW),
        Check("GET", f"/trace/recalls/new/?sample={world['trace_sample_a']}&lot={lot}", RECALL),
        Check("GET", f"/trace/recalls/{recall}/", SEE_A),
        Check("GET", f"/trace/recalls/{recall}/trace.xlsx", SEE_A),
        Check("GET", "/trace/coverage/", VIEW),
        Check("GET", "/trace/coverage/?format=xlsx", VIEW),
        Check("GET", "/trace/queries/", VIEW),
        Check("GET", "/trace/cold-chain/", VIEW),
        Check("GET", "/trace/cold-chain/export.xlsx", VIEW),
        Check("GET", "/t/", PUBLIC),
        Check("GET", f"/t/{code}", PUBLIC),
        Check("GET", f"/t/qr/{code}.svg", PUBLIC),
        Check("GET", "/t/?code=NOSUCHCODE12345678", rule(404, anonymous=404)),
        Check("POST", "/api/v1/epcis/capture", CAPTURE_A, data=_capture_doc),
        Check("GET", f"/api/v1/epcis/capture/{world['trace_capture']}", CAPTURE_JOB),
        Check("GET", "/api/v1/epcis/events?eventType=ObjectEvent", api(rule(200, lab=403))),
        Check("GET", "/api/v1/epcis/events/export", api(rule(200, lab=403))),
        Check("GET", f"/api/v1/trace/lots/{lot}/trace?direction=backward", api(SEE_A)),
    ]
