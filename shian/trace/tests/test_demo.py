"""The demo's traceability: lots at producers, wholesalers and shops, the cold-chain warehouse, and
one recall with a disposal task per business reached; T20 and T05 computed from its records."""

from __future__ import annotations

import pytest

from shian.core.indicators import Period, compute
from shian.demo.services import demo_register_generate
from shian.sampling.models import DisposalTask
from shian.trace.demo import demo_trace_build
from shian.trace.models import ColdChainRecord, Lot, LotEdge, Recall, RecallBusiness


@pytest.mark.django_db
def test_demo_trace(personas):
    personas("district_officer")
    demo_register_generate(count=1500, seed=7)
    n = demo_trace_build(seed=7, out=lambda s: None)
    assert n > 500 and LotEdge.objects.count() > 300
    assert Lot.objects.filter(business__business_type="production").exists()
    recall = Recall.objects.get()
    reached = RecallBusiness.objects.filter(recall=recall)
    assert reached.count() >= 3
    assert DisposalTask.objects.filter(sample=recall.sample).count() == reached.count()
    assert ColdChainRecord.objects.exclude(missing=[]).exists()
    t20 = compute("trace.formula_query_growth", Period.year(2022))
    assert t20.value is not None and t20.value > 0
    t05 = compute("trace.cold_chain_check_coverage", Period.year(2022))
    assert t05.value is not None and t05.value > 0
    assert demo_trace_build(seed=7, out=lambda s: None) == 0  # a second run adds nothing
