"""A crawl of the demo's detail pages: a small register with the demo's own generators (the
inspection history from 2021, before the rules' first editions; a year of samples and quick
tests; grades), then a deterministic sample of every kind of detail page, as the district office
and as a town officer. Not one answers 500."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from shian.core.models import AuditSource
from shian.demo.services import demo_register_generate
from shian.inspections.demo import demo_inspections_generate
from shian.inspections.models import Inspection, Rectification
from shian.registry.models import Business
from shian.risk.services import risk_regrade_bulk
from shian.sampling.demo import demo_quick_tests_build, demo_sampling_build
from shian.sampling.models import DisposalTask, QuickTest, Sample

PER_KIND = 25  # pages of each kind, drawn with a fixed seed


def _draw(ids: list[int], rng: random.Random) -> list[int]:
    return rng.sample(ids, min(PER_KIND, len(ids)))


@pytest.mark.django_db
def test_a_sampled_crawl_of_the_demo_finds_no_server_error(client_for):
    quiet = lambda _s: None  # noqa: E731
    demo_register_generate(count=150, seed=7)
    demo_inspections_generate(seed=7, out=quiet)
    risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=dt.date(2024, 12, 31))
    demo_sampling_build(seed=7, out=quiet, count=120)
    demo_quick_tests_build(seed=7, out=quiet, count=120)
    assert Inspection.objects.filter(inspected_on__lt=dt.date(2022, 3, 15)).exists()

    rng = random.Random(7)
    pages: list[str] = []
    for pk in _draw(list(Business.objects.values_list("pk", flat=True)), rng):
        pages += [f"/registry/businesses/{pk}/", f"/risk/grades/{pk}/", f"/api/v1/businesses/{pk}"]
    for pk in _draw(list(Inspection.objects.values_list("pk", flat=True)), rng):
        pages += [f"/inspections/{pk}/", f"/inspections/{pk}/record.xlsx", f"/api/v1/inspections/{pk}"]
    for pk in _draw(list(Rectification.objects.values_list("pk", flat=True)), rng):
        pages.append(f"/inspections/rectifications/{pk}/")
    for pk in _draw(list(Sample.objects.values_list("pk", flat=True)), rng):
        pages += [f"/sampling/{pk}/", f"/sampling/{pk}/form.xlsx", f"/api/v1/sampling/samples/{pk}"]
    for pk in _draw(list(QuickTest.objects.values_list("pk", flat=True)), rng):
        pages += [f"/sampling/quick-tests/{pk}/", f"/api/v1/sampling/quick-tests/{pk}"]
    for pk in _draw(list(DisposalTask.objects.values_list("pk", flat=True)), rng):
        pages.append(f"/sampling/disposal/{pk}/")
    pages += ["/risk/plan/2021/", "/risk/plan/2022/", "/risk/plan/2024/", "/inspections/", "/sampling/"]
    assert len(pages) > 200

    errors = []
    for who in ("district_officer", "town_a_officer"):
        client = client_for(who)
        for url in pages:
            status = client.get(url).status_code
            if status >= 500:
                errors.append((who, url, status))
    assert not errors, errors
