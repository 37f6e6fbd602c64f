"""Route matrix of risk grades, the annual inspection plan, the public draws and the predictive
work list (tests/route_matrix.py).

The objects: every business graded (town A's catering business among them) and one published
draw. The draws are public (双随机、一公开); everything else is read in scope by those who read
the register, and the lab reads none of it."""

from __future__ import annotations

import datetime as dt

from shian.core.models import AuditSource
from shian.registry.models import Business
from shian.risk import services
from tests.route_matrix import PUBLIC, SEE_A, VIEW, Check, World, api, rule, same

# A note on the work list: the people who plan and make visits, in their scope.
ANNOTATE_A = rule(
    403,
    district_admin=302,
    district_officer=302,
    town_a_officer=302,
    inspector=302,
    town_a_inspector=302,
    town_b_officer=404,
    education_liaison=404,
    lab=404,
    anonymous=302,
)


# Making a draw: the district office; the person's own visits: those who record inspections.
DRAW_MANAGE = rule(403, district_admin=200, district_officer=200, anonymous=302)
RECORDERS = rule(
    403, district_admin=200, district_officer=200, inspector=200, town_a_inspector=200, anonymous=302
)


def build(world: World) -> None:
    services.risk_regrade_bulk(actor=None, source=AuditSource.SYSTEM, on=dt.date(2024, 12, 31))
    a = Business.objects.get(pk=world["business_a"])
    services.draw_create(
        actor=None,
        source=AuditSource.SYSTEM,
        code="mx-2024-1",
        title="2024年第一次双随机抽查",
        seed=7,
        population=[(a.pk, "A")],
        ratios={"A": 1},
        inspectors=world["inspector_ids"],
        on=dt.date(2024, 12, 31),
    )


def checks(world: World) -> list[Check]:
    a = world["business_a"]
    annotate_api = {
        **api(ANNOTATE_A),
        **dict.fromkeys(
            ("district_admin", "district_officer", "town_a_officer", "inspector", "town_a_inspector"), 201
        ),
    }
    return [
        Check("GET", "/risk/grades/", VIEW),
        Check("GET", "/risk/grades/export.xlsx", VIEW),
        Check("GET", f"/risk/grades/{a}/", SEE_A),
        Check(
            "POST",
            f"/risk/grades/{a}/events/",
            rule(
                403,
                district_admin=302,
                district_officer=302,
                town_a_officer=302,
                town_b_officer=404,
                education_liaison=404,
                lab=404,
                anonymous=302,
            ),
            data={"kind": "incident", "occurred_on": "2024-06-01", "note": "就餐者腹泻，已调查"},
            note="officers record events of businesses in their scope",
        ),
        Check("GET", "/risk/grades/999999/", same(404)),
        Check("GET", "/risk/plan/2025/", VIEW),
        # A year before the rules' first edition: a clear answer on the page, never a crash.
        Check("GET", "/risk/plan/2022/", VIEW),
        Check("GET", "/risk/targeting/", VIEW),
        Check("GET", "/risk/targeting/export.xlsx", VIEW),
        Check("GET", "/risk/targeting/worklist.xlsx?year=2025", VIEW),
        Check("POST", f"/risk/targeting/{a}/notes/", ANNOTATE_A, data={"text": "后厨改造中，下月复查"}),
        Check("GET", "/risk/draws/", PUBLIC),
        Check("GET", "/risk/draws/mx-2024-1/", PUBLIC),
        Check("GET", "/risk/draws/new/", DRAW_MANAGE),
        Check("GET", "/risk/draws/new/?population=type", DRAW_MANAGE),
        Check(
            "POST",
            "/risk/draws/new/",
            {**DRAW_MANAGE, "district_admin": 302, "district_officer": 302},
            data={
                "population": "grade",
                "ratio_A": "1",
                "ratio_B": "0",
                "ratio_C": "0",
                "ratio_D": "0",
                "seed": "11",
            },
            note="drawn and published: the draw's page",
        ),
        Check("GET", "/risk/visits/", RECORDERS),
        Check("GET", "/risk/draws/no-such-draw/", same(404, anonymous=404)),
        Check("GET", "/api/v1/risk/grades", api(VIEW)),
        Check("GET", "/api/v1/risk/grades/mix", api(VIEW)),
        Check("GET", f"/api/v1/risk/grades/{a}", api(SEE_A)),
        Check("GET", "/api/v1/risk/draws", PUBLIC),
        Check("GET", "/api/v1/risk/targeting", api(VIEW)),
        Check("POST", f"/api/v1/risk/targeting/{a}/notes", annotate_api, data={"text": "已约谈负责人"}),
    ]
