"""Labs: workload and on-time rate (/sampling/labs/), who sees which lab, the xlsx export, and
linking lab accounts in the admin (audited)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from shian.core.audit import audit_verify
from shian.core.models import AuditEntry, Role
from shian.core.tests.factories import PERSONAS, TOWN_A, UserFactory
from shian.sampling import services
from shian.sampling.admin import LabMemberForm
from shian.sampling.models import Lab, LabMember
from shian.sampling.selectors import lab_workloads_for_user
from shian.sampling.tests.helpers import DAY, delivered_sample, lab_for

pytestmark = pytest.mark.django_db
AFTER = dt.date(2026, 6, 1)  # after every deadline below


@pytest.fixture
def labs(personas):
    """Lab A (the lab persona's): one report on time, one late, one still at the lab. Lab B: one
    on time, one still at the lab. Every sample delivered on DAY (2026-03-10): the lab_report
    deadline is 20 working days later, in April."""
    officer, lab_user = personas("district_officer"), personas("lab")
    lab_a = lab_for(lab_user, name="甲检测中心", cma="CMA-A")
    lab_b = Lab.objects.create(name="乙检测中心", cma_number="CMA-B")
    plan = [
        (lab_a, lab_user, dt.date(2026, 3, 20)),
        (lab_a, lab_user, dt.date(2026, 5, 20)),
        (lab_a, lab_user, None),
        (lab_b, officer, dt.date(2026, 3, 25)),
        (lab_b, officer, None),
    ]
    for i, (lab, tester, reported) in enumerate(plan):
        sample = delivered_sample(officer=officer, lab=lab, code=f"L{i}", town=TOWN_A)
        if reported:
            services.sample_results_record(
                sample=sample, results=[("镉(以Cd计)", "0.05mg/kg")], by=tester, on=reported
            )
    return lab_a, lab_b


def figures(rows):
    return {
        r.lab.name: (r.assigned, r.in_progress, r.overdue, r.returned, r.on_time, r.on_time_rate)
        for r in rows
    }


def test_workload_and_on_time_rate(labs, personas, django_assert_num_queries):
    """《食品安全抽样检验管理办法》第二十四条第二款: the report within 20 working days of delivery
    (data/deadlines.toml lab_report); on-time rate = reports out by the deadline ÷ reports out."""
    with django_assert_num_queries(2):  # the labs, then one grouped count whatever their number
        rows = lab_workloads_for_user(user=personas("district_officer"), today=AFTER)
    assert figures(rows) == {"乙检测中心": (2, 1, 1, 1, 1, 100.0), "甲检测中心": (3, 1, 1, 2, 1, 50.0)}
    before = lab_workloads_for_user(user=personas("district_officer"), today=DAY)
    assert [r.overdue for r in before] == [0, 0]  # nothing is overdue on the day of delivery
    later = lab_workloads_for_user(user=personas("district_officer"), today=AFTER, start=dt.date(2026, 3, 11))
    assert figures(later)["甲检测中心"] == (0, 0, 0, 0, 0, None)


def test_a_lab_user_sees_only_its_own_lab(labs, personas, client_for):
    lab_a, lab_b = labs
    rows = lab_workloads_for_user(user=personas("lab"), today=AFTER)
    assert [r.lab for r in rows] == [lab_a]
    client = client_for("lab")
    page = client.get("/sampling/labs/").content.decode()
    assert "甲检测中心" in page and "乙检测中心" not in page
    assert client.get(f"/sampling/labs/?lab={lab_b.pk}").status_code == 404  # not yours = missing
    assert client.get("/sampling/labs/?lab=999999").status_code == 404
    assert client.get(f"/sampling/labs/export.xlsx?lab={lab_b.pk}").status_code == 404


@pytest.mark.parametrize("who", [*PERSONAS, "anonymous"])
def test_who_sees_which_labs(who, labs, client_for):
    """The office sees every lab; a lab its own; others the labs that tested samples in their scope
    (every sample here is in town A)."""
    want = {
        "district_admin": {"甲检测中心", "乙检测中心"},
        "district_officer": {"甲检测中心", "乙检测中心"},
        "town_a_officer": {"甲检测中心", "乙检测中心"},
        "town_b_officer": set(),
        "education_liaison": set(),  # school canteens only: none of these samples
        "inspector": {"甲检测中心", "乙检测中心"},
        "town_a_inspector": {"甲检测中心", "乙检测中心"},
        "lab": {"甲检测中心"},
        "viewer": {"甲检测中心", "乙检测中心"},
    }
    response = client_for(who).get("/sampling/labs/")
    if who == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert {name for name in ("甲检测中心", "乙检测中心") if name in page} == want[who]


def test_export_opens_in_excel_with_the_page_figures(labs, client_for):
    response = client_for("district_officer").get(
        "/sampling/labs/export.xlsx?start=2026-03-01&end=2026-03-31"
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "2026-03-01 至 2026-03-31" in rows[0][0]
    assert rows[1] == (
        "承检机构",
        "CMA证书编号",
        "分配样品",
        "检验中",
        "超期未出报告",
        "已出报告",
        "按时出具",
        "按时率(%)",
    )
    body = {r[0]: r[2:] for r in rows[2:]}
    assert body["甲检测中心"][0] == 3 and body["甲检测中心"][3:] == (2, 1, 50)
    assert body["乙检测中心"][3:] == (1, 1, 100)
    own = load_workbook(io.BytesIO(client_for("lab").get("/sampling/labs/export.xlsx").content)).active
    assert [r[0] for r in own.iter_rows(min_row=3, values_only=True)] == ["甲检测中心"]


def test_a_bad_period_is_named_and_nothing_is_counted(labs, client_for):
    client = client_for("district_officer")
    response = client.get("/sampling/labs/?start=2026-13-01")
    assert response.status_code == 400
    page = response.content.decode()
    assert "抽样日期自：请输入有效日期" in page and "甲检测中心" not in page
    swapped = client.get("/sampling/labs/?start=2026-04-01&end=2026-03-01")
    assert swapped.status_code == 400 and "至：结束日期早于开始日期" in swapped.content.decode()
    assert client.get("/sampling/labs/export.xlsx?end=nonsense").status_code == 400


@pytest.fixture
def admin_client(personas, client_for):
    user = personas("district_admin")
    user.is_staff = user.is_superuser = True
    user.save()
    return client_for("district_admin")


def test_the_office_links_a_lab_account_in_the_admin_and_it_is_audited(labs, admin_client):
    _lab_a, lab_b = labs
    account = UserFactory.create(username="lab-b-tech", role=Role.LAB)
    response = admin_client.post("/admin/sampling/labmember/add/", {"user": account.pk, "lab": lab_b.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert LabMember.objects.get(user=account).lab == lab_b
    entry = AuditEntry.objects.filter(object_type="sampling.labmember").latest("seq")
    assert entry.action == "create" and entry.after["lab_id"] == lab_b.pk
    assert audit_verify().ok
    # the new account now sees lab B's samples, not lab A's
    rows = lab_workloads_for_user(user=account, today=AFTER)
    assert [(r.lab, r.assigned) for r in rows] == [(lab_b, 2)]


def test_the_admin_refuses_to_link_an_account_that_is_not_a_lab(labs, admin_client, personas):
    _lab_a, lab_b = labs
    officer = personas("town_a_officer")
    response = admin_client.post("/admin/sampling/labmember/add/", {"user": officer.pk, "lab": lab_b.pk})
    assert response.status_code == 200  # the form again: only lab accounts are offered
    assert not LabMember.objects.filter(user=officer).exists()
    assert not AuditEntry.objects.filter(object_type="sampling.labmember").exists()
    form = LabMemberForm(data={"user": officer.pk, "lab": lab_b.pk})  # the same rule without the admin
    assert not form.is_valid()
    assert form.errors["user"] == ["账号“town_a_officer”的角色不是“检验机构”，不能关联到承检机构。"]


def test_a_lab_is_registered_in_the_admin_with_an_audit_entry(admin_client):
    response = admin_client.post(
        "/admin/sampling/lab/add/",
        {
            "name": "丙检测中心",
            "cma_number": "CMA-C",
            "active": "on",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "0",
            "members-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    lab = Lab.objects.get(name="丙检测中心")
    assert AuditEntry.objects.filter(
        object_type="sampling.lab", object_id=str(lab.pk), action="create"
    ).exists()
    assert "丙检测中心" in admin_client.get("/admin/sampling/lab/").content.decode()
