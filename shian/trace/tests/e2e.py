"""The world the recall browser test starts from (run inside the test server's `shian shell`):
a district officer, a rice mill in town A shipping a lot to a wholesaler in town B and a shop, and
the lot's sample judged unqualified and notified. Prints the ids the test needs."""

from __future__ import annotations

import datetime as dt

from shian.core.models import Region, Role, User
from shian.sampling import services as sampling_services
from shian.sampling.models import Lab, LabMember
from shian.sampling.workflow import SampleStatus as S
from shian.trace import services
from shian.trace.identifiers import public_code
from shian.trace.models import Lot
from shian.trace.tests import docs

USERNAME, PASSWORD = "e2e_trace", "E2e-trace-pass-2022"


def setup() -> None:
    officer = User.objects.create_user(
        USERNAME, password=PASSWORD, role=Role.DISTRICT_OFFICER, full_name="区食安办 追溯测试员"
    )
    mill = docs.business("北辰区宜兴埠米业有限公司", "120113001", "production")
    wholesaler = docs.business("天穆粮油批发部", "120113100")
    shop = docs.business("果园新村佳佳超市", "120113001")
    doc = docs.document(
        docs.commission(
            mill, "R2203", when="2022-03-01T09:00:00+08:00", name="东北大米 5kg", line="other", qty=2000
        ),
        docs.ship(mill, wholesaler, "R2203", when="2022-03-02T09:00:00+08:00", qty=1200),
        docs.ship(wholesaler, shop, "R2203", when="2022-03-04T09:00:00+08:00", qty=80),
    )
    services.epcis_capture(by=officer, document=doc, source="api", now=dt.datetime(2022, 6, 1, tzinfo=dt.UTC))
    lab = Lab.objects.create(name="北辰区食品检验所", cma_number="CMA-E2E-1")
    lab_user = User.objects.create_user("e2e_lab", password=PASSWORD, role=Role.LAB)
    LabMember.objects.create(user=lab_user, lab=lab)
    sample = sampling_services.sample_create(
        by=officer,
        code="BC2022-E2E-01",
        region=Region.objects.get(pk="120113001"),
        food_name="大米",
        category_path="粮食加工品-大米",
        produced_on=dt.date(2022, 3, 1),
        lab=lab,
        business=mill,
        batch="R2203",
    )
    for status in (S.SAMPLED, S.DELIVERED):
        sampling_services.sample_set_status(sample=sample, status=status, by=officer, on=dt.date(2022, 3, 10))
    sampling_services.sample_results_record(
        sample=sample, results=[("镉(以Cd计)", "0.32mg/kg")], by=lab_user, on=dt.date(2022, 3, 20)
    )
    sampling_services.sample_set_status(sample=sample, status=S.NOTIFIED, by=officer, on=dt.date(2022, 3, 22))
    shop_lot = Lot.objects.get(business=shop)
    print(
        f"sample={sample.pk} lot={Lot.objects.get(business=mill).pk} code={public_code(shop_lot.identifier)}"
    )
