"""Route matrix of enforcement and credit (tests/route_matrix.py): cases of a catering business in
town A at each stage, a publication due, a listing proposed. The lab has no enforcement pages
(403); the education liaison oversees school canteens only, so town A's shop case is not found
for them; district staff alone publish, list and file to the credit system."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shian.core.models import AuditSource
from shian.enforcement import services
from shian.enforcement.models import Case, Listing, Publication
from shian.enforcement.workflow import CaseStatus
from shian.registry.tests.factories import make_business
from tests.route_matrix import PUBLIC, VIEW, Check, World, api, rule

TOWN_A = "120113001"
D = dt.date
SEE_A = rule(
    404,
    district_admin=200,
    district_officer=200,
    town_a_officer=200,
    inspector=200,
    town_a_inspector=200,
    viewer=200,
    lab=403,
    anonymous=302,
)
# A handler's act on town A's case: district and town A officers; readers see it but may not act.
HANDLE_A = rule(
    403,
    district_admin=302,
    district_officer=302,
    town_a_officer=302,
    town_b_officer=404,
    education_liaison=404,
    anonymous=302,
)
# The district's act on town A's record (publish, list): town A's officer sees it but may not.
PUBLISH_A = rule(
    403, district_admin=302, district_officer=302, town_b_officer=404, education_liaison=404, anonymous=302
)
OPEN = rule(
    403, district_admin=200, district_officer=200, town_a_officer=200, town_b_officer=200, anonymous=302
)
OPEN_A_POST = rule(
    403, district_admin=302, district_officer=302, town_a_officer=302, town_b_officer=404, anonymous=302
)
PUBLISH_POST = rule(403, district_admin=302, district_officer=302, anonymous=302)
API_HANDLE_A = rule(
    403,
    district_admin=200,
    district_officer=200,
    town_a_officer=200,
    town_b_officer=404,
    education_liaison=404,
    anonymous=401,
)
API_OPEN_A = rule(
    403, district_admin=201, district_officer=201, town_a_officer=201, town_b_officer=404, anonymous=401
)
WEB = AuditSource.SYSTEM


def _case(world: World, *, to: str) -> int:
    officer = world.personas("district_officer")
    case = services.case_open(
        by=officer,
        source=WEB,
        source_kind="inspection",
        summary="未按规定进货查验",
        lead_received_on=D(2022, 3, 1),
        business=world["enf_shop"],
        basis_code="fsl-126",
        campaigns=["iron_fist"],
    )
    steps = [CaseStatus.FILED, CaseStatus.INVESTIGATION, CaseStatus.NOTICE]
    for i, status in enumerate(steps):
        services.case_transition(by=officer, source=WEB, case=case, to=status, on=D(2022, 3, 2 + i))
        if status == to:
            break
    return case.pk


def build(world: World) -> None:
    world["enf_shop"] = make_business(
        name="果园新村执法示范超市", region_code=TOWN_A, business_type="catering", legal_representative="赵一"
    )
    officer = world.personas("district_officer")
    for name, to in (
        ("enf_case_inv_page", CaseStatus.INVESTIGATION),
        ("enf_case_inv_api", CaseStatus.INVESTIGATION),
        ("enf_case_notice_page", CaseStatus.NOTICE),
        ("enf_case_notice_api", CaseStatus.NOTICE),
        ("enf_case_decided", CaseStatus.NOTICE),
    ):
        world[name] = _case(world, to=to)
    decided = services.case_decide(
        by=officer,
        source=WEB,
        case=Case.objects.get(pk=world["enf_case_decided"]),
        on=D(2022, 4, 1),
        decision_number="津辰市监罚〔2022〕99号",
        kinds=["fine", "suspension"],
        fine_amount="40000",
        band="heavier",
        collective_discussion_on=D(2022, 3, 30),
    )
    world["enf_evidence_file"] = services.evidence_add(
        by=officer,
        source=WEB,
        case=Case.objects.get(pk=world["enf_case_inv_page"]),
        title="现场检查笔录",
        kind="书证",
        collected_on=D(2022, 3, 2),
        file=("现场检查笔录.pdf", b"%PDF-1.4\n% matrix\n%%EOF\n"),
    ).pk
    world["enf_publication"] = Publication.objects.get(case=decided).pk
    world["enf_listing"] = Listing.objects.create(
        case=decided,
        business=world["enf_shop"],
        region_id=TOWN_A,
        triggers=["additive_abuse"],
        proposed_on=D(2022, 4, 1),
    ).pk


def checks(world: World) -> list[Check]:
    shop = world["enf_shop"].pk
    today = timezone.localdate().isoformat()
    inv_page, inv_api = world["enf_case_inv_page"], world["enf_case_inv_api"]
    notice_page, notice_api = world["enf_case_notice_page"], world["enf_case_notice_api"]
    return [
        Check("GET", "/enforcement/", VIEW),
        Check("GET", "/enforcement/?status=lead&campaign=iron_fist&q=超市", VIEW),
        Check("GET", "/enforcement/export.xlsx", VIEW),
        Check("GET", "/enforcement/new/", OPEN),
        Check(
            "POST",
            "/enforcement/new/",
            OPEN_A_POST,
            data={
                "business": shop,
                "source_kind": "complaint",
                "summary": "投诉销售过期食品",
                "lead_received_on": "2022-05-01",
            },
        ),
        Check("GET", f"/enforcement/{inv_page}/", SEE_A),
        Check("GET", f"/enforcement/evidence/{world['enf_evidence_file']}/file/", SEE_A),
        Check("GET", "/enforcement/999999/", rule(404, lab=403, anonymous=302)),
        Check("POST", f"/enforcement/{inv_page}/status/", HANDLE_A, data={"to": "notice", "on": today}),
        Check(
            "POST",
            f"/enforcement/{inv_page}/facts/",
            HANDLE_A,
            data={"goods_value": "3000", "basis_code": "fsl-126"},
        ),
        Check(
            "POST",
            f"/enforcement/{notice_page}/decide/",
            HANDLE_A,
            data={"on": today, "decision_number": "矩阵1号", "kinds": ["warning"]},
        ),
        Check(
            "POST",
            f"/enforcement/{inv_page}/act/",
            HANDLE_A,
            data={"action": "evidence", "title": "进货台账", "kind": "书证", "on": today},
        ),
        Check("GET", "/enforcement/publications/", VIEW),
        Check(
            "POST",
            f"/enforcement/publications/{world['enf_publication']}/",
            PUBLISH_A,
            data={"action": "publish", "on": today},
        ),
        Check("GET", "/enforcement/listings/", VIEW),
        Check(
            "POST",
            f"/enforcement/listings/{world['enf_listing']}/",
            PUBLISH_A,
            data={"action": "list", "on": today},
        ),
        Check("GET", "/enforcement/typical/", VIEW),
        Check("GET", "/enforcement/filings/", VIEW),
        Check("POST", "/enforcement/filings/", PUBLISH_POST),
        Check("GET", "/enforcement/filings/export.xlsx", VIEW),
        Check("GET", "/enforcement/filings/export.json", VIEW),
        Check("GET", "/enforcement/bans/?name=赵一", VIEW),
        Check("GET", "/enforcement/credit/", VIEW),
        Check("GET", f"/enforcement/credit/{shop}/", SEE_A),
        Check("GET", f"/enforcement/credit/{shop}/export.xlsx", SEE_A),
        Check("GET", "/penalties/", PUBLIC),
        Check("GET", "/penalties/export.xlsx", PUBLIC),
        Check("GET", "/penalties/typical/", PUBLIC),
        Check("GET", "/api/v1/enforcement/cases?status=investigation", api(VIEW)),
        Check(
            "POST",
            "/api/v1/enforcement/cases",
            API_OPEN_A,
            data={
                "business_id": shop,
                "source_kind": "sample",
                "summary": "抽检不合格",
                "lead_received_on": "2022-05-02",
            },
        ),
        Check("GET", f"/api/v1/enforcement/cases/{inv_api}", api(SEE_A)),
        Check(
            "POST",
            f"/api/v1/enforcement/cases/{inv_api}/transition",
            API_HANDLE_A,
            data={"to": "notice", "on": today},
        ),
        Check(
            "POST",
            f"/api/v1/enforcement/cases/{inv_api}/facts",
            API_HANDLE_A,
            data={"facts": {"ill_persons": 2}},
        ),
        Check(
            "POST",
            f"/api/v1/enforcement/cases/{notice_api}/decision",
            API_HANDLE_A,
            data={"on": today, "decision_number": "矩阵2号", "kinds": ["warning"]},
        ),
        Check("GET", f"/api/v1/enforcement/credit/{shop}", api(SEE_A)),
        Check("GET", "/api/v1/enforcement/bans?name=赵一", api(VIEW)),
        Check("GET", "/api/v1/enforcement/filings", api(VIEW)),
    ]
