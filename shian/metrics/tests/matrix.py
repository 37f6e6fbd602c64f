"""Route matrix of the town index: the ranking, a town's page, a unit's page and the run action
(tests/route_matrix.py). The published index is every town's to see; a unit's page is its own
liaison's (another unit's is a 404 to them) and the district's."""

from __future__ import annotations

from shian.core.models import AuditSource
from shian.metrics import services
from tests.route_matrix import VIEW, Check, World, rule


def build(world: World) -> None:
    run = services.index_compute(actor=None, source=AuditSource.SYSTEM, year=2022, quarter=1)
    world["index_published"] = False
    try:
        services.index_publish(actor=None, source=AuditSource.SYSTEM, run=run)
        world["index_published"] = True
    except Exception:  # noqa: S110 - a run with no score stays a draft
        pass


def checks(world: World) -> list[Check]:
    office = rule(403, district_admin=302, district_officer=302, anonymous=302)
    quarter = (
        VIEW
        if world["index_published"]
        else rule(404, district_admin=200, district_officer=200, lab=403, anonymous=302)
    )
    return [
        # To the latest run the person may see; a page saying there is none yet when none.
        Check(
            "GET",
            "/index/",
            rule(302, lab=403)
            if world["index_published"]
            else rule(200, district_admin=302, district_officer=302, lab=403, anonymous=302),
        ),
        Check("GET", "/index/2022/q1/", quarter),
        Check("GET", "/index/2019/q1/", rule(404, lab=403, anonymous=302)),
        Check("POST", "/index/run/", office, data={"year": "2022", "quarter": "1"}),
        Check("GET", "/index/towns/120113001/", VIEW),
        Check("GET", "/index/towns/120113100/", VIEW),
        Check("GET", "/index/towns/999/", rule(404, lab=403, anonymous=302)),
        Check("GET", "/index/units/education/", VIEW),
        Check("GET", "/index/units/propaganda/", {**VIEW, "education_liaison": 404}),
    ]
