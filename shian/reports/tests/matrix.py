"""Route matrix of the reports page (tests/route_matrix.py): district-wide documents for anyone
who may view the plan; the lab may not."""

from __future__ import annotations

from tests.route_matrix import VIEW, Check, World


def checks(world: World) -> list[Check]:
    return [
        Check("GET", "/reports/", VIEW),
        # A year with no plan is not offered: the form names the problem.
        Check(
            "POST",
            "/reports/",
            {**VIEW, **{p: 400 for p in VIEW if VIEW[p] == 200}},
            data={"kind": "quarterly", "year": "1999", "quarter": "1", "format": "pdf"},
        ),
    ]
