"""The pages a case handler uses: opening a case from an unqualified sample, a refused decision
shown with its field, the to-dos, the public publication list with masked persons, the plan's
targets bound to this module's indicators."""

from __future__ import annotations

import datetime as dt
import io
import tomllib
from pathlib import Path

import openpyxl
import pytest

from shian.core import indicators
from shian.core.models import AuditSource, Region
from shian.core.todo import todo_for
from shian.enforcement import services
from shian.enforcement.models import Case, Publication
from shian.enforcement.workflow import CaseStatus
from shian.registry.tests.factories import make_business
from shian.sampling.models import Sample

pytestmark = pytest.mark.django_db
D = dt.date
PLAN = Path(__file__).resolve().parents[2] / "planning" / "data" / "beichen-2022.toml"


@pytest.fixture
def sample():
    shop = make_business(name="果园新村蔬菜店", region_code="120113001", business_type="wholesale_retail")
    return Sample.objects.create(
        code="BC-2022-0001",
        region=Region.objects.get(pk="120113001"),
        food_name="芹菜",
        business=shop,
        batch="20220301",
        conclusion="unqualified",
        sampled_on=D(2022, 3, 1),
    )


def test_open_a_case_from_an_unqualified_sample(client_for, sample):
    client = client_for("town_a_officer")
    page = client.get(f"/enforcement/new/?sample={sample.pk}").content.decode()
    assert "BC-2022-0001" in page and "芹菜" in page
    r = client.post(
        "/enforcement/new/",
        {
            "sample": sample.pk,
            "source_kind": "sample",
            "summary": "销售不合格芹菜",
            "lead_received_on": "2022-03-10",
        },
    )
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/enforcement/{case.pk}/"
    assert (case.business_id, case.source_type, case.source_id) == (
        sample.business_id,
        "sampling.sample",
        str(sample.pk),
    )
    detail = client.get(r["Location"]).content.decode()
    assert "核查线索并决定是否立案" in detail and "2022-03-31" in detail  # 15 working days from 10 Mar
    # Town B's officer cannot open a case on town A's sample: not found.
    assert client_for("town_b_officer").get(f"/enforcement/new/?sample={sample.pk}").status_code == 404


def test_refused_decision_names_the_field_and_changes_nothing(client_for, personas, sample):
    officer = personas("town_a_officer")
    case = services.case_open(
        by=officer,
        source=AuditSource.WEB,
        source_kind="sample",
        summary="x",
        lead_received_on=D(2022, 3, 1),
        business=sample.business,
        basis_code="fsl-124",
    )
    for status, day in ((CaseStatus.FILED, 2), (CaseStatus.INVESTIGATION, 3), (CaseStatus.NOTICE, 4)):
        services.case_transition(by=officer, source=AuditSource.WEB, case=case, to=status, on=D(2022, 3, day))
    client = client_for("town_a_officer")
    r = client.post(
        f"/enforcement/{case.pk}/decide/",
        {
            "on": "2022-04-15",
            "decision_number": "津辰罚1号",
            "kinds": ["fine"],
            "fine_amount": "500",
            "band": "lighter",
        },
        follow=True,
    )
    page = r.content.decode()
    assert "罚款金额" in page and "超出" in page and "第一百二十四条" in page
    case.refresh_from_db()
    assert case.status == CaseStatus.NOTICE and case.decided_on is None


def test_case_handler_todos(personas, sample):
    officer = personas("town_a_officer")
    services.case_open(
        by=officer,
        source=AuditSource.WEB,
        source_kind="sample",
        summary="x",
        lead_received_on=D(2022, 3, 1),
        business=sample.business,
    )
    items = {i.key: i for i in todo_for(officer, today=D(2022, 3, 5)) if i.module == "enforcement"}
    assert items["leads_to_file"].count == 1
    assert not [
        i for i in todo_for(personas("town_b_officer"), today=D(2022, 3, 5)) if i.key == "leads_to_file"
    ]


def test_public_list_masks_persons_and_exports(client_for, personas):
    officer = personas("district_officer")
    case = services.case_open(
        by=officer,
        source=AuditSource.WEB,
        source_kind="complaint",
        summary="无证加工熟食",
        lead_received_on=D(2022, 3, 1),
        region=Region.objects.get(pk="120113100"),
        party_kind="person",
        party_name="李小红",
        party_id_number="120113199001011234",
        basis_code="fsl-122",
    )
    for status, day in ((CaseStatus.FILED, 2), (CaseStatus.INVESTIGATION, 3), (CaseStatus.NOTICE, 4)):
        services.case_transition(by=officer, source=AuditSource.WEB, case=case, to=status, on=D(2022, 3, day))
    services.case_decide(
        by=officer,
        source=AuditSource.WEB,
        case=case,
        on=D(2022, 4, 1),
        decision_number="津辰罚2号",
        kinds=["fine"],
        fine_amount="60000",
        band="lighter",
    )
    services.publication_publish(
        by=officer, source=AuditSource.WEB, publication=Publication.objects.get(case=case), on=D(2022, 4, 6)
    )
    anon = client_for("anonymous")
    Publication.objects.filter(case=case).update(ends_on=D(2099, 1, 1))  # keep it current whatever today is
    page = anon.get("/penalties/").content.decode()
    assert "李某某" in page and "李小红" not in page and "1201**********1234" in page
    book = openpyxl.load_workbook(io.BytesIO(anon.get("/penalties/export.xlsx").content))
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert "李某某" in cells and "李小红" not in cells


def test_plan_targets_t15_and_t21_are_bound_to_registered_indicators():
    plan = tomllib.loads(PLAN.read_text(encoding="utf-8"))
    bound = {t["code"]: t.get("indicator") for t in plan["target"]}
    assert bound["T15-typical-cases"] == "enforcement.typical_case_quarters"
    assert bound["T21-results-filed"] == "enforcement.results_filed"
    assert indicators.get("enforcement.typical_case_quarters") and indicators.get("enforcement.results_filed")


def test_api_bounds_and_case_list_queries(client_for, personas, sample, django_assert_max_num_queries):
    from shian.core.tokens import api_token_create

    _, key = api_token_create(user=personas("district_officer"), name="t")
    anon = client_for("anonymous")
    for url in ("/api/v1/enforcement/cases?offset=-1", "/api/v1/enforcement/cases?limit=100000"):
        r = anon.get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
        assert r.status_code == 422 and (b"offset" in r.content or b"limit" in r.content)
    officer = personas("district_officer")
    for i in range(12):
        services.case_open(
            by=officer,
            source=AuditSource.WEB,
            source_kind="inspection",
            summary=f"案{i}",
            lead_received_on=D(2022, 3, 1),
            business=sample.business,
            campaigns=["iron_fist", "school"],
        )
    client = client_for("district_officer")
    client.get("/enforcement/")  # warm the session and the scope
    with django_assert_max_num_queries(12):
        page = client.get("/enforcement/?campaign=iron_fist").content.decode()
    assert page.count("铁拳行动") >= 12


def test_case_export_is_audited_with_its_filters(client_for, personas, sample):
    from shian.core.models import AuditAction, AuditEntry

    services.case_open(
        by=personas("town_a_officer"),
        source=AuditSource.WEB,
        source_kind="sample",
        summary="x",
        lead_received_on=D(2022, 3, 1),
        business=sample.business,
    )
    r = client_for("town_a_officer").get("/enforcement/export.xlsx?status=lead")
    assert r.status_code == 200
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT, object_type="enforcement.export").get()
    assert entry.after == {"filters": {"status": "lead"}, "rows": 1}


def test_credit_file_gathers_samples_ledger_and_cases(client_for, personas, sample):
    from django.utils import timezone

    recent = timezone.localdate() - dt.timedelta(days=10)
    Sample.objects.filter(pk=sample.pk).update(sampled_on=recent)
    services.case_open(
        by=personas("district_officer"),
        source=AuditSource.WEB,
        source_kind="sample",
        summary="销售不合格芹菜",
        lead_received_on=recent,
        business=sample.business,
    )
    page = client_for("town_a_officer").get(f"/enforcement/credit/{sample.business_id}/").content.decode()
    assert "监督抽检 芹菜" in page and "销售不合格芹菜" in page and 'id="credit-class">A<' in page
    assert client_for("town_b_officer").get(f"/enforcement/credit/{sample.business_id}/").status_code == 404
    r = client_for("town_a_officer").get(f"/api/v1/enforcement/credit/{sample.business_id}")
    assert r.status_code == 200 and r.json()["credit_class"] == "A" and len(r.json()["cases"]) == 1


def test_credit_classes_as_they_stood_on_a_date(client_for, sample):
    from shian.registry.models import BusinessEventKind
    from shian.registry.services import business_event_append

    business_event_append(
        actor=None,
        source=AuditSource.SYSTEM,
        business=sample.business,
        kind=BusinessEventKind.SERIOUS_DISHONESTY_LISTED,
        occurred_on=D(2022, 5, 1),
        origin_type="test",
        origin_id="1",
    )
    client = client_for("town_a_officer")
    assert "D 类 1" in client.get("/enforcement/credit/?on=2022-06-01").content.decode()
    assert (
        "D 类 0" in client.get("/enforcement/credit/?on=2026-01-01").content.decode()
    )  # out of the 36 months
    assert client.get("/enforcement/credit/?on=nonsense").status_code == 200


def test_credit_classes_keep_their_date_across_class_links_and_export(client_for, sample):
    """Classes as they stood on 1 June 2022: the links to each class keep that date, and the
    export is the class shown on that date."""
    import io

    import openpyxl

    from shian.registry.models import BusinessEventKind
    from shian.registry.services import business_event_append

    business_event_append(
        actor=None,
        source=AuditSource.SYSTEM,
        business=sample.business,
        kind=BusinessEventKind.SERIOUS_DISHONESTY_LISTED,
        occurred_on=D(2022, 5, 1),
        origin_type="test",
        origin_id="1",
    )
    client = client_for("town_a_officer")
    page = client.get("/enforcement/credit/?on=2022-06-01").content.decode()
    assert 'value="2022-06-01"' in page
    assert "?class=D&amp;on=2022-06-01" in page
    d_only = client.get("/enforcement/credit/?class=D&on=2022-06-01").content.decode()
    assert sample.business.name in d_only and "D 类 1" in d_only
    response = client.get("/enforcement/credit/?class=D&on=2022-06-01&format=xlsx")
    got = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert got[0][0] == "企业信用风险分类（2022-06-01）"
    rows = [dict(zip(got[1], r, strict=True)) for r in got[2:]]
    assert [(r["主体"], r["分类"], r["分类名称"]) for r in rows] == [
        (sample.business.name, "D", "信用风险高")
    ]
    assert rows[0]["统一社会信用代码"] == sample.business.credit_code
    # Today the listing is out of the 36 months: no D.
    later = client.get("/enforcement/credit/?class=D&format=xlsx")
    assert len(list(openpyxl.load_workbook(io.BytesIO(later.content)).active.iter_rows())) == 2
