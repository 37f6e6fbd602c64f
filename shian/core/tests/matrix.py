"""Route matrix of the account page, API tokens and the audit trail (tests/route_matrix.py)."""

from __future__ import annotations

from shian.core.tokens import api_token_create
from tests.route_matrix import ALL_200, PUBLIC, Check, World, api, row, same

AUDIT = row(200, 200, 200, 200, 403, 403, 403, 403, 403, 302)


def build(world: World) -> None:
    # A token of the district officer's: only its owner may revoke it; for anyone else it does not exist.
    token, _key = api_token_create(user=world.personas("district_officer"), name="矩阵令牌")
    world["officer_token"] = token.pk


def checks(world: World) -> list[Check]:
    return [
        Check("GET", "/audit/", AUDIT),
        Check("GET", "/account/", ALL_200),
        Check("POST", "/account/", same(200), data={"name": ""}, note="an empty token name is refused"),
        Check(
            "POST",
            f"/account/tokens/{world['officer_token']}/revoke/",
            # Its owner and the administrator (who may revoke anyone's) revoke it; for the rest it does not exist.
            row(302, 302, 404, 404, 404, 404, 404, 404, 404, 302),
        ),
        Check("GET", "/api/v1/openapi.json", PUBLIC),
        Check("GET", "/api/v1/docs", PUBLIC),
        Check("GET", "/api/v1/jurisdiction/regions", api(ALL_200)),
        Check("GET", "/api/v1/jurisdiction/departments", api(ALL_200)),
        Check("GET", "/api/v1/jurisdiction/deadline?start=2024-09-27&working_days=5", api(ALL_200)),
    ]
