"""The demo's complaints, reports, incidents and drill: the town index's complaint and incident
components, the ranking's complaint feature and the plan's drill target get figures."""

from __future__ import annotations

import time

import pytest

from shian.complaints.demo import demo_complaints_build, demo_participation_build
from shian.complaints.models import Complaint
from shian.core.indicators import Period, compute
from shian.demo.services import demo_register_generate
from shian.incidents.demo import demo_incidents_build
from shian.registry.models import BusinessEvent


@pytest.mark.django_db
def test_demo_complaints_and_incidents(personas):
    personas("district_officer")
    demo_register_generate(count=1500, seed=7)
    started = time.perf_counter()
    n = demo_complaints_build(seed=7, out=lambda s: None, count=40)
    m = demo_incidents_build(seed=7, out=lambda s: None)
    listed = demo_participation_build(seed=7, out=lambda s: None)
    elapsed = time.perf_counter() - started
    assert n == 50 and m >= 6
    assert Complaint.objects.filter(status="closed").count() > 25
    assert BusinessEvent.objects.filter(kind="complaint_upheld").exists()
    on_time = compute("complaints.handled_on_time", Period.year(2022))
    assert on_time.value is not None and 60 < on_time.value < 100
    assert compute("incidents.count_per_100k", Period.year(2022)).value is not None
    assert compute("incidents.drills_held", Period.year(2022)).value == 1
    assert demo_complaints_build(seed=7, out=lambda s: None) == 0
    assert listed > 0 and compute("complaints.surveys_held", Period.year(2022)).value == 1
    assert compute("complaints.satisfaction_rate", Period.year(2022)).value is not None
    print(f"demo complaints {n} and incidents {m}: {elapsed:.1f}s")
