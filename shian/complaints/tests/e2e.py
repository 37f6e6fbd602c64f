"""The world the complaints browser test starts from (run inside the test server's `shian shell`):
an officer of 天穆镇."""

from __future__ import annotations

from shian.core.models import Region, Role, User

USERNAME, PASSWORD = "e2e_complaints", "E2e-complaints-2022"


def setup() -> None:
    User.objects.create_user(
        USERNAME,
        password=PASSWORD,
        role=Role.TOWN_OFFICER,
        region=Region.objects.get(pk="120113100"),
        full_name="天穆镇 投诉承办员",
    )
