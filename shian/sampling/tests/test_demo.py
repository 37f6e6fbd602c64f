"""The demo year: samples judged by the real limits, unqualified ones with disposal tasks."""

from __future__ import annotations

import pytest

from shian.core.tests.factories import TOWN_A
from shian.sampling.demo import demo_sampling_build
from shian.sampling.models import DisposalTask, Sample
from shian.sampling.tests.helpers import business_in


@pytest.mark.django_db
def test_demo_builds_judged_samples_with_disposals(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    personas("district_officer")
    business_in(TOWN_A)
    lines: list[str] = []
    assert demo_sampling_build(seed=3, out=lines.append, count=60) == 60
    assert Sample.objects.filter(conclusion="undetermined").count() == 0
    bad = Sample.objects.filter(conclusion="unqualified").count()
    assert bad >= 1 and DisposalTask.objects.count() == bad
    assert demo_sampling_build(seed=3, out=lines.append, count=60) == 0  # idempotent
