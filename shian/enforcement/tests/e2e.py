"""The world the enforcement browser test starts from (run inside the test server's `shian
shell`): a district officer and a vegetable shop in town A whose celery sample was judged
unqualified. Prints the sample's id."""

from __future__ import annotations

import datetime as dt

from shian.core.models import Region, Role, User
from shian.registry.tests.factories import make_business
from shian.sampling.models import Sample

USERNAME, PASSWORD = "e2e_enforcement", "E2e-enforcement-pass-2022"


def setup() -> None:
    User.objects.create_user(
        USERNAME, password=PASSWORD, role=Role.DISTRICT_OFFICER, full_name="区市场监管局 执法测试员"
    )
    shop = make_business(
        name="果园新村鲜蔬店",
        region_code="120113001",
        business_type="wholesale_retail",
        legal_representative="周明",
    )
    sample = Sample.objects.create(
        code="BC2022-E2E-ENF",
        region=Region.objects.get(pk="120113001"),
        food_name="芹菜",
        business=shop,
        batch="20220315",
        sampled_on=dt.date(2022, 3, 15),
        conclusion="unqualified",
    )
    print(f"sample={sample.pk}")
