"""Route matrix of sampling: samples, results, disposal, quick tests, labs, the public portal and
the API (tests/route_matrix.py).

The objects: a notified unqualified sample of town A's catering business, sent to the lab
persona's lab, with its disposal task open; a sample task (not yet sampled) in town A; a sample of
town B's school canteen sent to no lab; a positive quick test told to the operator at town A's
market (its objection window open). A sample is a lab's when it was sent to that lab, so the lab
sees sample A and nothing of the towns' own work (disposal, quick tests)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from shian.core.models import AuditSource, Region
from shian.registry.models import Business
from shian.registry.tests.factories import make_business
from shian.sampling import quicktests, services
from shian.sampling.tests.helpers import lab_for
from shian.sampling.workflow import SampleStatus
from tests.route_matrix import (
    CHANGE,
    PUBLIC,
    SEE_SCHOOL_B,
    Check,
    World,
    api,
    rule,
    same,
)

# Sample A: town A's, and the lab's (it was sent there).
SEE_SAMPLE_A = rule(200, town_b_officer=404, education_liaison=404, anonymous=302, business_a=404)
# Writes on sample A by those who run sampling (district and town A): others who see it get 403.
MANAGE_A = rule(
    403,
    district_admin=302,
    district_officer=302,
    town_a_officer=302,
    town_b_officer=404,
    education_liaison=404,
    anonymous=302,
    business_a=404,
)
# Town A's own work (a disposal, a quick test): the lab never sees it.
SEE_TOWN_A = rule(200, town_b_officer=404, education_liaison=404, lab=404, anonymous=302)
MANAGE_TOWN_A = {**MANAGE_A, "lab": 404}
RESULTS = rule(403, district_admin=200, district_officer=200, town_a_officer=200, town_b_officer=200, lab=200)
RESULTS["anonymous"] = 302
# Every staff persona reads sampling (the lab its own samples); a business account has its own
# samples on its portal, not the sampling module (403; a sample is not found for it, 404).
SAMPLING = {**same(200), "business_a": 403}


def build(world: World) -> None:
    officer = world.personas("district_officer")
    lab = lab_for(world.personas("lab"))
    a = Region.objects.get(pk="120113001")
    business_a = Business.objects.get(pk=world["business_a"])
    sample = services.sample_create(
        by=officer,
        code="MX-A-1",
        region=a,
        food_name="大米",
        category_path="粮食加工品-大米",
        produced_on=dt.date(2026, 3, 1),
        lab=lab,
        business=business_a,
    )
    day = dt.date(2026, 3, 10)
    for status in (SampleStatus.SAMPLED, SampleStatus.DELIVERED):
        services.sample_set_status(sample=sample, status=status, by=officer, on=day)
    services.sample_results_record(
        sample=sample,
        results=[("镉(以Cd计)", "0.32mg/kg")],
        by=world.personas("lab"),
        on=dt.date(2026, 3, 20),
    )
    services.sample_set_status(
        sample=sample, status=SampleStatus.NOTIFIED, by=officer, on=dt.date(2026, 3, 23)
    )
    task = services.disposal_task_open(sample=sample, by=officer, on=dt.date(2026, 3, 24))
    world["sample_a"] = sample.pk
    world["disposal_a"] = task.pk

    pending = services.sample_create(
        by=officer,
        code="MX-A-2",
        region=a,
        food_name="面粉",
        category_path="粮食加工品-小麦粉",
        business=business_a,
    )
    world["sample_task_a"] = pending.pk
    # A sample recorded on site with its photo (stored once under its SHA-256, whoever runs this).
    from shian.inspections.tests.media_helpers import png_photo, signature_url

    photographed = services.sample_create(
        by=officer,
        code="MX-A-3",
        region=a,
        food_name="食用油",
        category_path="食用油、油脂及其制品",
        business=business_a,
        lab=lab,
    )
    services.sample_record_on_site(
        actor=officer,
        sample=photographed,
        batch="",
        produced_on=None,
        sampled_on=timezone.localdate(),
        quantity=Decimal("2"),
        quantity_unit="kg",
        backup_quantity=Decimal("1"),
        backup_kept_by="经营者",
        manufacturer="",
        specification="",
        signed_by="张三",
        signature=signature_url(),
        photos=[("matrix.png", png_photo((11, 22, 33)))],
    )
    world["sample_photo_a"] = photographed.photos.get().pk
    school_b = make_business(
        name="天穆镇抽检小学食堂", region_code="120113100", business_type="school_canteen", categories=["31"]
    )
    sample_b = services.sample_create(
        by=officer,
        code="MX-B-1",
        region=Region.objects.get(pk="120113100"),
        food_name="馒头",
        category_path="粮食加工品-小麦粉",
        business=school_b,
    )
    world["sample_school_b"] = sample_b.pk

    market = make_business(name="果园新村农贸市场", region_code="120113001", business_type="agri_market")
    world["market_a"] = market.pk
    world["non_market_a"] = business_a.pk
    qt = quicktests.quick_test_record(
        actor=officer,
        source=AuditSource.SYSTEM,
        data=quicktests.QuickTestInput(
            business=market,
            stall="3号摊",
            product="韭菜",
            item="有机磷和氨基甲酸酯类农药",
            result="positive",
            tested_at=timezone.now() - dt.timedelta(hours=1),
            tester=officer,
        ),
    )
    quicktests.quick_test_notify(
        actor=officer,
        source=AuditSource.SYSTEM,
        quick_test=qt,
        measures=["stop_sale"],
        measures_note="",
        at=None,
    )
    world["quick_test_a"] = qt.pk


def _quick_test(w: World, market: int) -> dict:
    return {
        "market_id": market,
        "stall": "5号摊",
        "product": "菠菜",
        "item": "有机磷和氨基甲酸酯类农药",
        "result": "negative",
        "tested_at": (timezone.now() - dt.timedelta(minutes=30)).isoformat(),
    }


def _on_site(w: World) -> dict:
    from shian.inspections.tests.media_helpers import signature_url

    return {
        "sampled_on": timezone.localdate().isoformat(),
        "quantity": "2",
        "quantity_unit": "kg",
        "backup_quantity": "1",
        "backup_kept_by": "经营者",
        "signed_by": "张三",
        "signature": signature_url(),
    }


def checks(world: World) -> list[Check]:
    a, task_a, b = world["sample_a"], world["sample_task_a"], world["sample_school_b"]
    d, qt = world["disposal_a"], world["quick_test_a"]
    manage_api = {
        **api(MANAGE_TOWN_A),
        **dict.fromkeys(("district_admin", "district_officer", "town_a_officer"), 200),
    }
    return [
        Check("GET", "/sampling/", SAMPLING),
        Check("GET", "/sampling/export.xlsx", SAMPLING),
        Check("GET", "/sampling/unqualified/", SAMPLING),
        Check("GET", f"/sampling/{a}/", SEE_SAMPLE_A),
        Check("GET", f"/sampling/{b}/", SEE_SCHOOL_B),
        Check("GET", "/sampling/999999/", same(404)),
        Check("GET", f"/sampling/{a}/form.xlsx", SEE_SAMPLE_A),
        Check(
            "POST",
            f"/sampling/{a}/status/",
            MANAGE_A,
            data={"status": "closed"},
            note="refused by the workflow",
        ),
        Check(
            "POST",
            f"/sampling/{task_a}/on-site/",
            {**MANAGE_TOWN_A, "district_admin": 400, "district_officer": 400, "town_a_officer": 400},
            data={"quantity": ""},
            note="an incomplete record is refused by field",
        ),
        Check("POST", f"/sampling/{a}/disposal/", MANAGE_A, note="already open: refused with a message"),
        Check("GET", f"/sampling/photos/{world['sample_photo_a']}/", SEE_SAMPLE_A),
        Check("GET", "/sampling/photos/999999/", same(404)),
        Check("GET", "/sampling/results/import/", RESULTS),
        Check("GET", "/sampling/results/template.xlsx", RESULTS),
        Check("GET", "/sampling/public/", PUBLIC),
        Check("GET", "/sampling/public/export.xlsx", PUBLIC),
        Check("GET", "/sampling/labs/", SAMPLING),
        Check("GET", "/sampling/labs/export.xlsx", SAMPLING),
        Check("GET", "/sampling/limits/", SAMPLING),
        Check("GET", "/sampling/limits/?food=韭菜&item=镉(以Cd计)&result=0.1mg/kg&on=2026-03-01", SAMPLING),
        Check("GET", "/sampling/limits/?food=韭菜&on=not-a-date", rule(400, anonymous=302, business_a=403)),
        Check("GET", f"/sampling/disposal/{d}/", SEE_TOWN_A),
        Check("POST", f"/sampling/disposal/{d}/step/", MANAGE_TOWN_A, data={"kind": "seal"}),
        Check("POST", f"/sampling/disposal/{d}/close/", MANAGE_TOWN_A, note="steps missing: refused"),
        Check("GET", "/sampling/quick-tests/", SAMPLING),
        Check("GET", "/sampling/quick-tests/export.xlsx", SAMPLING),
        Check("GET", "/sampling/quick-tests/new/", CHANGE),
        Check("GET", "/sampling/quick-tests/import/", CHANGE),
        Check("GET", "/sampling/quick-tests/template.xlsx", CHANGE),
        Check("GET", f"/sampling/quick-tests/{qt}/", SEE_TOWN_A),
        Check("POST", f"/sampling/quick-tests/{qt}/notify/", MANAGE_TOWN_A, note="already told: refused"),
        Check("POST", f"/sampling/quick-tests/{qt}/objection/", MANAGE_TOWN_A, note="no reason: refused"),
        Check("POST", f"/sampling/quick-tests/{qt}/retest/", MANAGE_TOWN_A),
        Check("POST", f"/sampling/quick-tests/{qt}/confirm/", MANAGE_TOWN_A),
        Check("POST", f"/sampling/quick-tests/{qt}/followup/", MANAGE_TOWN_A),
        # The API.
        Check("GET", "/api/v1/sampling/samples", api(SAMPLING)),
        Check("GET", f"/api/v1/sampling/samples/{a}", api(SEE_SAMPLE_A)),
        Check("GET", f"/api/v1/sampling/samples/{b}", api(SEE_SCHOOL_B)),
        Check(
            "POST",
            f"/api/v1/sampling/samples/{a}/results",
            # Those who record results get the workflow's refusal (the sample is past testing).
            {
                **api(rule(403, town_b_officer=404, education_liaison=404, business_a=404)),
                "district_admin": 422,
                "district_officer": 422,
                "town_a_officer": 422,
                "lab": 422,
            },
            data={"items": [{"item": "铅(以Pb计)", "result": "0.01mg/kg"}]},
        ),
        Check(
            "POST",
            f"/api/v1/sampling/samples/{task_a}/on-site",
            {
                **api(rule(403, town_b_officer=404, education_liaison=404, lab=404)),
                "district_admin": 200,
                "district_officer": 200,
                "town_a_officer": 200,
            },
            data=_on_site,
            json=False,
        ),
        Check(
            "GET",
            "/api/v1/sampling/limits/explain?food=韭菜&item=镉(以Cd计)&result=0.1mg/kg&on=2026-03-01",
            api(SAMPLING),
        ),
        Check("GET", "/api/v1/sampling/limits/explain?food=韭菜", api(same(422))),
        Check("GET", "/api/v1/sampling/quick-tests", api(SAMPLING)),
        Check("GET", f"/api/v1/sampling/quick-tests/{qt}", api(SEE_TOWN_A)),
        Check(
            "POST",
            "/api/v1/sampling/quick-tests",
            api(rule(403, district_admin=201, district_officer=201, town_a_officer=201, town_b_officer=422)),
            data=lambda w: _quick_test(w, w["market_a"]),
            note="town B names town A's market: unknown to them, by no name",
        ),
        Check(
            "POST",
            "/api/v1/sampling/quick-tests",
            api(rule(403, district_admin=422, district_officer=422, town_a_officer=422, town_b_officer=422)),
            data=lambda w: _quick_test(w, w["non_market_a"]),
            note="a business that is not a market",
        ),
        Check(
            "POST",
            f"/api/v1/sampling/quick-tests/{qt}/objection",
            manage_api,
            data={"reason": "不服快检结果"},
        ),
    ]
