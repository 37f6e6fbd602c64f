"""The demo's inspection history: deterministic, submitted records with findings and orders."""

from __future__ import annotations

import pytest

from shian.inspections.demo import demo_inspections_generate
from shian.inspections.models import Inspection, Rectification
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db


def test_demo_history_is_generated_once():
    for i in range(5):
        make_business(name=f"演示{i}", business_type="catering" if i % 2 else "production")
    n = demo_inspections_generate(seed=1, years=(2023, 2024), out=lambda _s: None)
    assert n == Inspection.objects.count() > 0
    assert all(i.inspectors.count() == 2 for i in Inspection.objects.all())
    assert Rectification.objects.filter(closed_on__isnull=True).count() == 0
    assert demo_inspections_generate(seed=1, years=(2023,), out=lambda _s: None) == 0
