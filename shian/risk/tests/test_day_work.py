"""The risk module in a person's day: planned and drawn visits on the inspector's to-do and "my
visits" page with a start link each; draws made and published from the web with the seed shown,
listing businesses and inspectors by name; the plan's workload by name with headers; a grade's
page naming its source, never a rule identifier."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from shian.core.models import AuditSource, Role
from shian.core.tests.factories import TOWN_A, UserFactory
from shian.core.todo import todo_for
from shian.inspections import services as inspection_services
from shian.registry.tests.factories import make_business
from shian.risk import services
from shian.risk.models import Draw, RiskGrade

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 12, 15)


@pytest.fixture
def world(monkeypatch, personas):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    cache.clear()
    me = personas("inspector")
    me.full_name = "王检查"
    me.save()
    partner = UserFactory.create(username="li", role=Role.INSPECTOR, full_name="李协查")
    shops = [
        make_business(name=f"果园新村{n}号饭店", region_code=TOWN_A, business_type="catering")
        for n in range(3)
    ]
    services.risk_regrade_bulk(actor=None, source=AuditSource.SYSTEM, on=dt.date(2024, 12, 31))
    yield {"me": me, "partner": partner, "shops": shops}
    cache.clear()


def _draw(world, code="2025-q4-1"):
    return services.draw_create(
        actor=None,
        source=AuditSource.SYSTEM,
        code=code,
        title="2025年第四季度双随机抽查",
        seed=7,
        population=[(b.pk, "A") for b in world["shops"]],
        ratios={"A": 1},
        inspectors=[world["me"].pk, world["partner"].pk],
        on=dt.date(2025, 12, 1),
    )


def test_planned_visits_are_on_the_inspectors_to_do_with_a_start_link(world, client_for):
    items = [i for i in todo_for(world["me"], today=TODAY) if i.module == "risk"]
    visits = [i for i in items if i.key.startswith("visit-")]
    assert visits, "every graded business has at least one visit planned in the year"
    first = visits[0]
    assert first.url.startswith("/inspections/start/?business=") and first.action
    assert f"with={world['partner'].pk}" in first.url
    assert any(shop.name in first.title for shop in world["shops"])
    assert all(i.overdue == (i.due < TODAY) for i in visits)
    page = client_for("inspector").get("/risk/visits/").content.decode()
    assert "果园新村0号饭店" in page and 'href="/inspections/start/?business=' in page
    # A town officer has no visits of their own; the office sees the plan's late visits counted.
    assert not [i for i in todo_for(world["partner"], today=TODAY) if i.key == "plan_overdue"]


def test_a_drawn_visit_is_on_the_to_do_until_it_is_made(world):
    d = _draw(world)
    drawn = [i for i in todo_for(world["me"], today=TODAY) if i.key.startswith("draw-")]
    assert len(drawn) == 3 and all(f"draw={d.code}" in i.url and "kind=random" in i.url for i in drawn)
    inspection_services.inspection_create(
        actor=None,
        source=AuditSource.SYSTEM,
        business=world["shops"][0],
        inspected_on=TODAY,
        inspectors=[world["me"], world["partner"]],
        kind="random",
        draw_code=d.code,
    )
    left = [i for i in todo_for(world["me"], today=TODAY) if i.key.startswith("draw-")]
    assert len(left) == 2 and all(f"business={world['shops'][0].pk}&" not in i.url for i in left)


def test_the_public_draw_names_businesses_and_inspectors(world, client_for):
    d = _draw(world)
    public = client_for("anonymous").get(f"/risk/draws/{d.code}/").content.decode()
    assert "果园新村1号饭店" in public and "王检查" in public and "李协查" in public
    assert str(d.seed) in public
    assert "/inspections/start/" not in public  # no link into the platform for the public
    mine = client_for("inspector").get(f"/risk/draws/{d.code}/").content.decode()
    assert f'href="/inspections/start/?business={world["shops"][0].pk}' in mine


def test_a_draw_is_made_and_published_from_the_web(world, client_for):
    client = client_for("district_officer")
    form = client.get("/risk/draws/new/").content.decode()
    assert 'name="seed"' in form and 'name="ratio_A"' in form
    r = client.post(
        "/risk/draws/new/",
        {"population": "grade", "title": "年末抽查", "seed": "20251215", "ratio_A": "1", "ratio_B": "0.5"},
    )
    d = Draw.objects.get(seed=20251215)
    assert r.status_code == 302 and r["Location"] == f"/risk/draws/{d.code}/"
    assert d.title == "年末抽查" and d.created_by.username == "district_officer"
    assert services.draw_rerun(d).businesses == d.result["businesses"]
    assert d.ratios == {"A": 1.0, "B": 0.5, "C": 0.1, "D": 0.1}  # a stratum left blank: 0.1, as on the CLI
    grades = list(RiskGrade.objects.values_list("grade", flat=True))
    assert {k: v[0] for k, v in d.result["strata"].items()} == {g: grades.count(g) for g in set(grades)}


def test_a_bad_ratio_or_seed_is_refused_and_nothing_is_drawn(world, client_for):
    client = client_for("district_officer")
    r = client.post("/risk/draws/new/", {"population": "grade", "seed": "5", "ratio_A": "很多"})
    assert "抽取比例须为0至1之间的小数" in r.content.decode()
    r = client.post("/risk/draws/new/", {"population": "grade", "seed": "-3", "ratio_A": "0.1"})
    assert "随机种子须为非负整数" in r.content.decode()
    assert not Draw.objects.exists()
    assert client_for("inspector").post("/risk/draws/new/", {"seed": "5"}).status_code == 403


def test_the_plans_workload_names_inspectors_under_headers(world, client_for):
    html = client_for("district_officer").get("/risk/plan/2025/").content.decode()
    assert '<th scope="col">检查人员</th>' in html
    assert "王检查" in html and "李协查" in html
    assert f"#{world['me'].pk}<" not in html


def test_a_grade_page_names_its_source_not_a_rule_identifier(world, client_for):
    g = RiskGrade.objects.get(business=world["shops"][0])
    html = client_for("inspector").get(f"/risk/grades/{g.business_id}/").content.decode()
    assert g.edition not in html
    assert "食品生产经营风险分级管理办法" in html
    assert f'href="/inspections/start/?business={g.business_id}"' in html


def test_a_plan_that_cannot_be_made_names_the_town(world, client_for, personas):
    from shian.core.tests.factories import TOWN_B

    make_business(name="天穆镇饭店", region_code=TOWN_B, business_type="catering")
    services.risk_regrade_bulk(actor=None, source=AuditSource.SYSTEM, on=dt.date(2024, 12, 31))
    world["partner"].region_id = TOWN_A
    world["partner"].save()
    me = personas("inspector")
    me.region_id = TOWN_A
    me.save()
    html = client_for("district_officer").get("/risk/plan/2025/").content.decode()
    assert "检查人员少于两名" in html and "天穆镇" in html and TOWN_B not in html
