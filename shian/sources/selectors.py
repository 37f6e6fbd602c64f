"""Reads of the sources module, scoped to the acting person (core.scoping.unit_scope_q); the
banned-pesticide view reads samples and quick tests through the sampling module's selectors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Sum

from shian.core.indicators import Period
from shian.core.scoping import unit_records_for
from shian.sampling.selectors import quick_tests_for_user, results_for_user

from . import rules
from .models import GrainLot, GrainSample, GrainStore, GrainTest


@dataclass(frozen=True)
class StoreMonitoring:
    """Task 八 for one store: tonnes taken in, samples taken and needed, rice cadmium coverage."""

    store: GrainStore
    tonnes: Decimal
    samples: int
    needed: int
    rice_lots: int
    rice_lots_with_cadmium: int

    @property
    def per_10k(self) -> Decimal | None:
        return rules.samples_per_10k(self.samples, self.tonnes)

    @property
    def density_met(self) -> bool:
        return self.samples >= self.needed

    @property
    def cadmium_coverage(self) -> Decimal | None:
        if not self.rice_lots:
            return None
        return Decimal(self.rice_lots_with_cadmium) / Decimal(self.rice_lots) * 100


def grain_monitoring_by_store(*, user: Any, period: Period) -> list[StoreMonitoring]:
    stores = unit_records_for(GrainStore.objects.select_related("region"), user).order_by("code")
    in_period = Q(lots__received_on__gte=period.start, lots__received_on__lte=period.end)
    tonnes = dict(stores.annotate(t=Sum("lots__tonnes", filter=in_period)).values_list("pk", "t"))
    samples = dict(
        stores.annotate(
            n=Count(
                "samples",
                filter=Q(samples__sampled_on__gte=period.start, samples__sampled_on__lte=period.end),
            )
        ).values_list("pk", "n")
    )
    cd = GrainTest.objects.filter(lot=OuterRef("pk"), direction="intake", cadmium_mg_kg__isnull=False)
    rice = (
        GrainLot.objects.filter(
            store__in=stores, grain="rice", received_on__gte=period.start, received_on__lte=period.end
        )
        .annotate(cd=Exists(cd))
        .values_list("store_id", "cd")
    )
    lots: dict[int, list[int]] = {}
    for store_id, has_cd in rice:
        pair = lots.setdefault(store_id, [0, 0])
        pair[0] += 1
        pair[1] += int(has_cd)
    out = []
    for s in stores:
        t = tonnes.get(s.pk) or Decimal(0)
        out.append(
            StoreMonitoring(
                store=s,
                tonnes=t,
                samples=samples.get(s.pk, 0),
                needed=rules.samples_needed(t, on=period.end),
                rice_lots=lots.get(s.pk, [0, 0])[0],
                rice_lots_with_cadmium=lots.get(s.pk, [0, 0])[1],
            )
        )
    return out


def grain_samples_without_store(*, user: Any, period: Period) -> int:
    return (
        unit_records_for(GrainSample.objects.all(), user)
        .filter(store__isnull=True, sampled_on__gte=period.start, sampled_on__lte=period.end)
        .count()
    )


@dataclass(frozen=True)
class BannedHit:
    """A test that found a substance banned (or restricted on that food) on its date."""

    kind: str  # "sample" or "quick_test"
    pk: int
    code: str
    food: str
    item: str
    on: dt.date
    region: str
    status: rules.PesticideStatus | None  # None: a class quick test to be confirmed
    note: str = ""


CLASS_ITEMS = ("有机磷", "氨基甲酸酯", "农药残留", "农残")


def banned_hits_for_user(*, user: Any, period: Period, limit: int = 500) -> list[BannedHit]:
    """Unqualified test items of samples, and positive quick tests, in the period that name a
    pesticide banned on the test date, or restricted on the food tested (data/pesticides.toml).
    A positive enzyme-inhibition quick test names a class, not a substance: listed to confirm."""

    hits: list[BannedHit] = []
    items = (
        results_for_user(user)
        .filter(
            verdict="unqualified",
            sample__sampled_on__gte=period.start,
            sample__sampled_on__lte=period.end,
        )
        .select_related("sample__region")
        .order_by("-sample__sampled_on")[: limit * 4]
    )
    for it in items:
        on = it.sample.sampled_on
        if on is None:
            continue
        try:
            st = rules.pesticide_status(it.item, on=on, product=it.sample.food_name)
        except LookupError:
            continue
        if st.flagged:
            hits.append(
                BannedHit(
                    "sample",
                    it.sample_id,
                    it.sample.code,
                    it.sample.food_name,
                    it.item,
                    on,
                    it.sample.region.name,
                    st,
                )
            )
    quick = (
        quick_tests_for_user(user)
        .filter(result="positive", tested_at__date__gte=period.start, tested_at__date__lte=period.end)
        .select_related("region")
        .order_by("-tested_at")[:limit]
    )
    for q in quick:
        on = q.tested_at.date()
        try:
            st = rules.pesticide_status(q.item, on=on, product=q.product)
        except LookupError:
            continue
        if st.flagged:
            hits.append(BannedHit("quick_test", q.pk, q.stall, q.product, q.item, on, q.region.name, st))
        elif any(w in q.item for w in CLASS_ITEMS):
            hits.append(
                BannedHit(
                    "quick_test",
                    q.pk,
                    q.stall,
                    q.product,
                    q.item,
                    on,
                    q.region.name,
                    None,
                    note="快检只能判定类别；须抽样定量检测确证是否为禁限用农药",
                )
            )
    hits.sort(key=lambda h: h.on, reverse=True)
    return hits[:limit]
