"""The demo's complaints, reports, incidents and drill: the town index's complaint and incident
components, the ranking's complaint feature and the plan's drill target get figures."""

from __future__ import annotations

import time

import pytest

from shian.complaints.demo import demo_complaints_build, demo_participation_build
from shian.complaints.models import Complaint, VoteRound
from shian.core.indicators import Period, compute
from shian.demo.services import demo_register_generate
from shian.incidents.demo import demo_incidents_build
from shian.incidents.models import Incident
from shian.registry.models import BusinessEvent


@pytest.mark.django_db
def test_demo_complaints_and_incidents(personas, client_for):
    personas("district_officer")
    demo_register_generate(count=1500, seed=7)
    started = time.perf_counter()
    n = demo_complaints_build(seed=7, out=lambda s: None, count=24)
    m = demo_incidents_build(seed=7, out=lambda s: None)
    listed = demo_participation_build(seed=7, out=lambda s: None, votes=40)
    elapsed = time.perf_counter() - started
    assert n == 30 and m >= 6
    assert Complaint.objects.filter(status="closed").count() > 12
    assert BusinessEvent.objects.filter(kind="complaint_upheld").exists()
    on_time = compute("complaints.handled_on_time", Period.year(2022))
    assert on_time.value is not None and 60 < on_time.value < 100
    assert compute("incidents.count_per_100k", Period.year(2022)).value is not None
    assert compute("incidents.drills_held", Period.year(2022)).value == 1
    assert demo_complaints_build(seed=7, out=lambda s: None) == 0
    assert listed > 0 and compute("complaints.surveys_held", Period.year(2022)).value == 1
    assert compute("complaints.satisfaction_rate", Period.year(2022)).value is not None
    print(f"demo complaints {n} and incidents {m}: {elapsed:.1f}s")
    # A crawl of the module's pages over the demo data: not one answers a server error.
    pages = [
        "/complaints/",
        "/complaints/?format=xlsx",
        "/complaints/surveys/",
        "/complaints/votes/",
        "/complaints/lists/",
        "/complaints/checks/",
        "/incidents/",
        "/incidents/drills/",
        "/incidents/cases/",
        "/ts/lists/",
        "/",
    ]
    pages += [
        f"/complaints/{pk}/" for pk in Complaint.objects.order_by("id").values_list("pk", flat=True)[:15]
    ]
    pages += [f"/incidents/{pk}/" for pk in Incident.objects.values_list("pk", flat=True)]
    pages += [f"/ts/vote/{pk}/" for pk in VoteRound.objects.values_list("pk", flat=True)]
    for who in ("district_officer", "town_a_officer"):
        client = client_for(who)
        bad = {url: code for url in pages if (code := client.get(url).status_code) not in (200, 404)}
        assert bad == {}, who
