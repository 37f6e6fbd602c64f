"""Route matrix of background jobs (tests/route_matrix.py). Anyone signed in has a jobs page (their
own, maybe empty); starting an export needs the export's capabilities (the lab and a business
account have none: 403); a job is its owner's alone — anyone else gets 404, as for a missing one."""

from __future__ import annotations

from shian.core.models import AuditSource
from shian.jobs import services
from tests.route_matrix import Check, World, rule, same

START = rule(302, lab=403, business_a=403)
OWNER_ONLY = rule(404, district_officer=200, anonymous=302)


def build(world: World) -> None:
    owner = world.personas("district_officer")
    job, _ = services.job_submit(
        actor=owner, kind="inspections", data={"query": "result=fail"}, source=AuditSource.WEB
    )
    world["job"] = services.job_run(job_id=job.pk).pk


def checks(world: World) -> list[Check]:
    job = world["job"]
    return [
        Check("GET", "/jobs/", same(200)),
        Check("POST", "/jobs/start/", START, data={"job": "inspections", "query": "region=120113001"}),
        Check("GET", f"/jobs/{job}/", OWNER_ONLY),
        Check("GET", f"/jobs/{job}/status/", OWNER_ONLY),
        Check("GET", f"/jobs/{job}/download/", OWNER_ONLY),
    ]
