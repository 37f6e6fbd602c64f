"""A year of evidence for the index benchmark, at the demo generator's ratios to the register.

The demo writes, for 12,000 businesses (`shian demo --scale district`), 1–3 inspections a year per
active business with their findings and rectification orders, the plan's campaign inspections,
2,400 samples and 1,200 quick tests; a city of 300,000 businesses gets the same per business.

- Inspections, findings, rectifications and campaign inspections: the demo's own bulk paths
  (`shian.inspections.demo`), for the benchmark's year only.
- Samples (with their test items, deadlines, status history, disposal tasks and steps) and quick
  tests (with their history): the demo's service paths write a set of originals, at most the
  demo's own 2,400 and 1,200, so every shape is the one the services produce; `core.bulk` then
  writes copies of them over the whole register (each copy at another business of the same kind,
  in that business's town), so the city holds 0.2 samples and 0.1 quick tests per business as
  the demo does.
- Complaints, incidents, enforcement cases: the demo's builders as they are (a district's year).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

DEMO_BUSINESSES = 12_000  # the district demo's register, to which the counts below belong
DEMO_SAMPLES = 2_400
DEMO_QUICK_TESTS = 1_200


def _copies(businesses: int) -> int:
    return max(1, round(businesses / DEMO_BUSINESSES))


def _clone(
    model: Any,
    rows: Sequence[dict[str, Any]],
    *,
    copies: int,
    change: Callable[[dict[str, Any], int], dict[str, Any]],
) -> dict[tuple[int, int], int]:
    """Insert `copies` copies of `rows` (dicts of attribute values, `id` first) through
    `core.bulk`, each copy changed by `change(row, copy)`; returns {(old id, copy): new id}."""
    from shian.core.bulk import allocate_ids, insert_rows

    if not rows:
        return {}
    fields = [f.attname for f in model._meta.concrete_fields]
    json_fields = [f.attname for f in model._meta.concrete_fields if f.get_internal_type() == "JSONField"]
    ids = iter(allocate_ids(model, len(rows) * copies))
    new: dict[tuple[int, int], int] = {}
    out = []
    import json

    for j in range(copies):
        for row in rows:
            values = change(dict(row), j)
            values["id"] = new[(row["id"], j)] = next(ids)
            for name in json_fields:
                values[name] = None if values[name] is None else json.dumps(values[name], ensure_ascii=False)
            out.append([values[f] for f in fields])
    for i in range(0, len(out), 50_000):
        insert_rows(model, fields, out[i : i + 50_000], json_text=json_fields)
    return new


def _values(model: Any, **filters: Any) -> list[dict[str, Any]]:
    fields = [f.attname for f in model._meta.concrete_fields]
    return list(model.objects.filter(**filters).order_by("id").values(*fields))


def evidence_build(*, businesses: int, seed: int, year: int, out: Callable[[str], object] = print) -> None:
    """Write the year's evidence once; each step is skipped when its records exist (the demo's
    builders skip themselves; the copies are marked by their sample numbers), so an interrupted
    build resumes."""
    import datetime as dt

    from django.db import connection, transaction

    from shian.demo.services import demo_users_ensure
    from shian.inspections.demo import demo_campaign_inspections_generate, demo_inspections_generate
    from shian.inspections.models import Inspection
    from shian.registry.models import Business, BusinessStatus, BusinessType
    from shian.sampling import demo as sampling_demo
    from shian.sampling.models import (
        DisposalStep,
        DisposalTask,
        QuickTest,
        QuickTestChange,
        Sample,
        SampleDeadline,
        StatusChange,
        TestItem,
    )

    demo_users_ensure(seed=seed)
    copies = _copies(businesses)
    per_copy = businesses / copies / DEMO_BUSINESSES
    started = dt.datetime.now(dt.UTC)

    def step(name: str) -> None:
        out(f"  {name} ({(dt.datetime.now(dt.UTC) - started).total_seconds():.0f} s)")

    if not Inspection.objects.filter(inspected_on__year=year).exists():
        demo_inspections_generate(seed=seed, years=(year,), out=out)
        demo_campaign_inspections_generate(seed=seed, out=out)
        step("inspections")
    n_samples = min(DEMO_SAMPLES, round(DEMO_SAMPLES * per_copy))
    sampling_demo.demo_sampling_build(seed=seed, out=lambda _s: None, count=n_samples)
    sampling_demo.demo_quick_tests_build(
        seed=seed, out=lambda _s: None, count=min(DEMO_QUICK_TESTS, round(DEMO_QUICK_TESTS * per_copy))
    )
    step(f"{n_samples} samples and their quick tests through the services")
    if copies > 1 and not Sample.objects.filter(code__endswith="-01").exists():
        rng = random.Random(seed + 11)  # benchmark data must be reproducible
        by_type: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for bid, btype, region in (
            Business.objects.filter(status=BusinessStatus.ACTIVE)
            .order_by("id")
            .values_list("id", "business_type", "region_id")
            .iterator(chunk_size=50_000)
        ):
            by_type[btype].append((bid, region))
        business_type = dict(
            Business.objects.filter(status=BusinessStatus.ACTIVE).values_list("id", "business_type")
        )
        moved: dict[tuple[int, int], tuple[int, str]] = {}  # (original business, copy) → (business, town)

        def move(bid: int | None, region: str, j: int) -> tuple[int | None, str]:
            if bid is None or j == 0:
                return bid, region
            if (bid, j) not in moved:
                moved[(bid, j)] = rng.choice(by_type[business_type.get(bid, BusinessType.CATERING)])
            return moved[(bid, j)]

        with transaction.atomic():
            samples = _values(Sample)
            extra = copies - 1  # copy 0 is the original

            copy_region: dict[tuple[int, int], str] = {}  # (original sample, copy) → the copy's town

            def sample_copy(row: dict[str, Any], j: int) -> dict[str, Any]:
                row["business_id"], row["region_id"] = move(row["business_id"], row["region_id"], j + 1)
                copy_region[(row["id"], j)] = row["region_id"]
                row["code"] = f"{row['code']}-{j + 1:02d}"
                return row

            sample_ids = _clone(Sample, samples, copies=extra, change=sample_copy)

            def child(row: dict[str, Any], j: int) -> dict[str, Any]:
                if "region_id" in row:  # a test item carries its sample's town
                    row["region_id"] = copy_region[(row["sample_id"], j)]
                row["sample_id"] = sample_ids[(row["sample_id"], j)]
                return row

            for model in (TestItem, SampleDeadline, StatusChange):
                _clone(model, _values(model), copies=extra, change=child)

            def task_copy(row: dict[str, Any], j: int) -> dict[str, Any]:
                row["sample_id"] = sample_ids[(row["sample_id"], j)]
                row["business_id"], row["region_id"] = move(row["business_id"], row["region_id"], j + 1)
                return row

            task_ids = _clone(DisposalTask, _values(DisposalTask), copies=extra, change=task_copy)

            def step_copy(row: dict[str, Any], j: int) -> dict[str, Any]:
                row["task_id"] = task_ids[(row["task_id"], j)]
                return row

            _clone(DisposalStep, _values(DisposalStep), copies=extra, change=step_copy)

            def quick_copy(row: dict[str, Any], j: int) -> dict[str, Any]:
                row["business_id"], row["region_id"] = move(row["business_id"], row["region_id"], j + 1)
                # Two copies may land at one market: the stall tells them apart (the same stall,
                # product, item and time at one market is one test).
                row["stall"] = f"{row['stall']}-{j + 1:02d}"
                if row["followup_sample_id"] is not None:
                    row["followup_sample_id"] = sample_ids[(row["followup_sample_id"], j)]
                return row

            quick_ids = _clone(QuickTest, _values(QuickTest), copies=extra, change=quick_copy)

            def change_copy(row: dict[str, Any], j: int) -> dict[str, Any]:
                row["quick_test_id"] = quick_ids[(row["quick_test_id"], j)]
                return row

            _clone(QuickTestChange, _values(QuickTestChange), copies=extra, change=change_copy)
        step(f"samples and quick tests copied to {copies} times the originals")
    from shian.complaints.demo import demo_complaints_build
    from shian.enforcement.demo import demo_enforcement_build
    from shian.incidents.demo import demo_incidents_build

    demo_enforcement_build(seed=seed, count=250, out=lambda _s: None)
    demo_complaints_build(seed=seed, out=lambda _s: None)
    demo_incidents_build(seed=seed, out=lambda _s: None)
    step("cases, complaints and incidents")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
