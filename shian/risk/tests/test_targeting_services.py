"""Predictive targeting with the database: the scored run and its audit entry, notes (audited,
scoped: another town's business is a 404), the page in Chinese with its filters and export, the
command, the API, and the annual plan's visits unchanged by the ordering."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections import Counter

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from shian.core.models import AuditEntry, AuditSource, Role
from shian.core.tests.factories import TOWN_A, TOWN_B, UserFactory
from shian.inspections.demo import demo_inspections_generate
from shian.registry.tests.factories import make_business
from shian.risk import selectors, services
from shian.risk.models import TargetingNote, TargetingRun, TargetingScore

pytestmark = pytest.mark.django_db
ON = dt.date(2024, 12, 31)


@pytest.fixture
def world():
    for i in range(2):
        UserFactory.create(username=f"tins{i}", role=Role.INSPECTOR)
    a = [make_business(name=f"果园新村餐厅{i}", region_code=TOWN_A) for i in range(24)]
    b = [
        make_business(name=f"天穆镇小吃{i}", region_code=TOWN_B, business_type="small_workshop")
        for i in range(16)
    ]
    demo_inspections_generate(seed=3, years=(2022, 2023, 2024), out=lambda _s: None)
    return a, b


@pytest.fixture
def run(world):
    return services.targeting_score(actor=None, source=AuditSource.COMMAND, on=ON)


def test_score_writes_the_run_every_business_and_one_audit_entry(world, run):
    a, b = world
    scores = list(TargetingScore.objects.filter(run=run).order_by("rank"))
    assert run.businesses == len(scores) == len(a) + len(b)
    assert [s.rank for s in scores] == list(range(1, len(scores) + 1))
    assert all(x.score >= y.score for x, y in itertools.pairwise(scores))
    assert {s.region_id for s in scores} == {TOWN_A, TOWN_B}
    assert all(len(s.reasons) <= 3 for s in scores) and any(s.reasons for s in scores)
    assert run.weights["names"][0] == "serious_1y" and len(run.weights["coef"]) == len(run.weights["names"])
    ev = run.metrics["evaluation"]
    assert ev["cutoff"] == "2024-06-30" and ev["start"] == "2024-07-01" and ev["inspections"] > 0
    assert run.metrics["complaints"].startswith("投诉特征取自主体事件台账")
    entry = AuditEntry.objects.get(object_type="risk.targeting_run")
    assert entry.object_id == str(run.pk) and entry.after["businesses"] == len(scores)


def test_scoring_needs_the_manage_capability(world, personas):
    with pytest.raises(PermissionDenied):
        services.targeting_score(actor=personas("town_a_officer"), source=AuditSource.WEB, on=ON)
    assert not TargetingRun.objects.exists()


def test_scoring_without_history_is_refused_with_a_sentence(db):
    make_business(name="新开业餐厅")
    with pytest.raises(ValidationError, match="尚无检查记录"):
        services.targeting_score(actor=None, source=AuditSource.COMMAND, on=ON)
    assert not TargetingRun.objects.exists()


def test_annotation_is_audited_and_bad_text_changes_nothing(world, run, personas):
    a, _b = world
    inspector = personas("town_a_inspector")
    note = services.targeting_annotate(
        actor=inspector, source=AuditSource.WEB, business=a[0], text="  后厨改造中，下月再查 ", run=run
    )
    assert note.text == "后厨改造中，下月再查" and note.region_id == TOWN_A
    entry = AuditEntry.objects.get(object_type="risk.targetingnote")
    assert entry.actor_id == inspector.pk and entry.after["text"] == "后厨改造中，下月再查"
    for bad in ("   ", "长" * 501):
        with pytest.raises(ValidationError, match="备注"):
            services.targeting_annotate(actor=inspector, source=AuditSource.WEB, business=a[0], text=bad)
    assert TargetingNote.objects.count() == 1


def test_annotating_another_towns_business_is_a_404_and_writes_nothing(world, run, client_for):
    a, b = world
    client = client_for("town_a_officer")
    assert client.post(f"/risk/targeting/{b[0].pk}/notes/", {"text": "看看"}).status_code == 404
    assert client.post("/risk/targeting/99999999/notes/", {"text": "看看"}).status_code == 404
    assert client_for("viewer").post(f"/risk/targeting/{a[0].pk}/notes/", {"text": "看看"}).status_code == 403
    api = client_for("town_a_inspector").post(
        f"/api/v1/risk/targeting/{b[0].pk}/notes", {"text": "看看"}, content_type="application/json"
    )
    assert api.status_code == 404
    assert not TargetingNote.objects.exists()
    assert not AuditEntry.objects.filter(object_type="risk.targetingnote").exists()


def test_htmx_note_returns_the_rows_notes(world, run, client_for):
    a, _b = world
    r = client_for("town_a_inspector").post(
        f"/risk/targeting/{a[1].pk}/notes/", {"text": "已约谈负责人"}, HTTP_HX_REQUEST="true"
    )
    body = r.content.decode()
    assert r.status_code == 200 and "已约谈负责人" in body and f'id="notes-{a[1].pk}"' in body
    r = client_for("town_a_inspector").post(
        f"/risk/targeting/{a[1].pk}/notes/", {"text": ""}, HTTP_HX_REQUEST="true"
    )
    assert "备注：请填写内容" in r.content.decode()
    assert TargetingNote.objects.count() == 1


def test_page_is_chinese_and_scoped_with_filters_and_export(world, run, client_for):
    a, b = world
    client = client_for("town_a_officer")
    page = client.get("/risk/targeting/").content.decode()
    assert "预测性排序" in page and "严重问题平均提前发现" in page and "主要理由" in page
    assert a[0].name in page or "果园新村餐厅" in page
    assert "天穆镇小吃" not in page
    assert f"共 {len(a)} 户" in page
    graded = TargetingScore.objects.filter(run=run, region_id=TOWN_A).values_list("grade", flat=True)
    g, n = Counter(graded).most_common(1)[0]
    assert f"共 {n} 户" in client.get(f"/risk/targeting/?grade={g}").content.decode()
    book = openpyxl.load_workbook(io.BytesIO(client.get("/risk/targeting/export.xlsx").getvalue()))
    rows = list(book.active.iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(a) and all(str(r[1]).startswith("果园新村餐厅") for r in rows)
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    api = client_for("town_b_officer").get("/api/v1/risk/targeting?limit=1000").json()
    assert len(api) == len(b) and {r["region_code"] for r in api} == {TOWN_B}


def test_list_page_queries_do_not_grow_with_rows_or_notes(
    world, run, client_for, django_assert_max_num_queries
):
    a, _b = world
    client = client_for("town_a_inspector")
    client.get("/risk/targeting/")  # session and scope warm-up
    for shop in a[:10]:
        client.post(f"/risk/targeting/{shop.pk}/notes/", {"text": "复查"})
    with django_assert_max_num_queries(QUERY_BUDGET):
        page = client.get("/risk/targeting/").content.decode()
    assert page.count("复查") == 10


QUERY_BUDGET = 12


def test_page_before_any_run_says_how_to_score(db, client_for):
    page = client_for("district_officer").get("/risk/targeting/").content.decode()
    assert "尚未评分" in page and "shian risk target" in page


def test_the_plan_keeps_every_visit_with_and_without_the_model(world, run, client_for):
    """Legal minimums: the year's planned visits are the same set with and without the scores."""
    services.risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=ON)
    plain = selectors.targeting_plan_worklist(year=2025, run=None)
    ranked = selectors.targeting_plan_worklist(year=2025, run=run)
    assert Counter(plain) == Counter(ranked) and len(ranked) >= 40
    assert selectors.annual_plan(year=2025).under_minimum == []
    scores = dict(TargetingScore.objects.filter(run=run).values_list("business_id", "score"))
    for x, y in itertools.pairwise(ranked):
        if (x.region, x.due) == (y.region, y.due):
            assert scores[x.business_id] >= scores[y.business_id]
    # The town's export of the same list: its own visits only, all of them, in that order.
    r = client_for("town_a_officer").get("/risk/targeting/worklist.xlsx?year=2025")
    book = openpyxl.load_workbook(io.BytesIO(r.getvalue()))
    rows = list(book.active.iter_rows(min_row=3, values_only=True))
    town_a = [v for v in ranked if v.region == TOWN_A]
    assert len(rows) == len(town_a) and {r[0] for r in rows} == {"果园新村街道"}
    assert [r[1] for r in rows] == [v.due.isoformat() for v in town_a]


def test_command_scores_and_evaluates(world, capsys):
    call_command("risk", "target", "--on", "2024-12-31", "--top", "3")
    out = capsys.readouterr().out
    assert "平均提前" in out and "AUC" in out and "排名前 3 的主体" in out
    assert TargetingRun.objects.count() == 1
    call_command("risk", "target", "--evaluate", "--cutoff", "2023-06-30")
    out = capsys.readouterr().out
    assert "训练至 2023-06-30，测试期 2023-07-01 至 2023-12-31" in out and "前半期" in out
    assert TargetingRun.objects.count() == 1  # evaluation writes nothing


PERSONAS = [
    "district_admin",
    "district_officer",
    "town_a_officer",
    "town_b_officer",
    "education_liaison",
    "inspector",
    "town_a_inspector",
    "lab",
    "viewer",
    "anonymous",
]
# persona -> (list page, export, API list, note on a town-A business: 302 back to the list when
# written, 404 outside the scope, 403 without the capability)
MATRIX = {
    "district_admin": (200, 200, 200, 302),
    "district_officer": (200, 200, 200, 302),
    "town_a_officer": (200, 200, 200, 302),
    "town_b_officer": (200, 200, 200, 404),
    "education_liaison": (200, 200, 200, 404),  # schools only: a restaurant is not theirs
    "inspector": (200, 200, 200, 302),
    "town_a_inspector": (200, 200, 200, 302),
    "lab": (403, 403, 403, 404),  # a lab's scope holds no business
    "viewer": (200, 200, 200, 403),
    "anonymous": (302, 302, 401, 302),
}


def test_permission_matrix_of_the_targeting_pages(db, client_for):
    shop = make_business(name="果园新村矩阵餐厅", region_code=TOWN_A)
    got = {}
    for name in PERSONAS:
        c = client_for(name)
        got[name] = (
            c.get("/risk/targeting/").status_code,
            c.get("/risk/targeting/export.xlsx").status_code,
            c.get("/api/v1/risk/targeting").status_code,
            c.post(f"/risk/targeting/{shop.pk}/notes/", {"text": f"{name} 的备注"}).status_code,
        )
    assert got == MATRIX
    written = set(TargetingNote.objects.values_list("author__username", flat=True))
    assert written == {n for n, row in MATRIX.items() if row[3] == 302 and n != "anonymous"}
