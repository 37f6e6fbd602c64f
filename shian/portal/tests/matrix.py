"""Route matrix of the business portal (tests/route_matrix.py). The business account (persona
business_a) acts for the register's business A in town A: it sees A's inspection, rectification
order and sample, and another business's are not found (404). Its report on A's order awaits
review; a special-food producer in town A has filed its self-inspection report."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shian.core.models import AuditSource, Role
from shian.core.tests.factories import UserFactory
from shian.inspections import services as inspection_services
from shian.inspections.models import Rectification
from shian.inspections.tests.matrix import ITEMS
from shian.inspections.tests.media_helpers import png_photo
from shian.portal import services
from shian.registry.models import Business
from shian.registry.tests.factories import make_business
from tests.route_matrix import PUBLIC, Check, World, api, rule

TOWN_A, TOWN_B = "120113001", "120113100"
# The business's own portal: only a business account has it.
OWN = rule(403, business_a=200, anonymous=302)
# Another business's record on the portal: not found for the business, a page staff lack for staff.
OTHERS = rule(403, business_a=404, anonymous=302)
# Reviewing a business's report on town A's order: those who record inspections, in scope.
REVIEW_A = rule(
    403, district_admin=200, district_officer=200, inspector=200, town_a_inspector=200, anonymous=302
)
REVIEW_LIST = REVIEW_A
# The office's pages (self-inspection reports, business accounts): district and town officers.
MANAGE = rule(
    403, district_admin=200, district_officer=200, town_a_officer=200, town_b_officer=200, anonymous=302
)
MANAGE_A = {**MANAGE, "town_b_officer": 404}
# A report's photo: the business that filed it, and the reviewers in scope.
PHOTO_A = {**REVIEW_A, "business_a": 200}
SELF_FILE_A = {**MANAGE_A}


def _inspect(business: Business, finding: str) -> Rectification:
    team = [
        UserFactory.create(username=f"mx-portal-{business.pk}-{n}", role=Role.INSPECTOR) for n in range(2)
    ]
    day = timezone.localdate() - dt.timedelta(days=2)
    done = inspection_services.inspection_create(
        actor=None, source=AuditSource.SYSTEM, business=business, inspected_on=day, inspectors=team
    )
    inspection_services.inspection_record_answers(
        actor=None,
        source=AuditSource.SYSTEM,
        inspection=done,
        answers={c: ("fail" if c == "C1" else "pass") for c in ITEMS},
        findings={"C1": finding},
    )
    inspection_services.inspection_sign(
        actor=None, source=AuditSource.SYSTEM, inspection=done, signed_by="店长"
    )
    inspection_services.inspection_submit(actor=None, source=AuditSource.SYSTEM, inspection=done)
    return Rectification.objects.get(finding__inspection=done)


def build(world: World) -> None:
    owner = world.personas("business_a")
    r = Rectification.objects.get(pk=world["rectification_a"])
    report = services.rectification_report_submit(
        actor=owner,
        source=AuditSource.WEB,
        rectification=r,
        text="已为全部从业人员办理健康证",
        photos=[("健康证.png", png_photo((10, 120, 30)))],
    )
    world["portal_report_a"] = report.pk
    world["portal_photo_a"] = report.photos.get().pk
    other = make_business(name="天穆镇乙餐厅", region_code=TOWN_B, business_type="catering")
    other_r = _inspect(other, "冷藏柜温度超标")
    world["portal_other_rectification"] = other_r.pk
    world["portal_other_inspection"] = other_r.finding.inspection_id
    producer = make_business(
        name="果园新村保健食品厂", region_code=TOWN_A, business_type="special_food", categories=["27"]
    )
    filed = services.self_inspection_submit(
        actor=None,
        source=AuditSource.SYSTEM,
        business=producer,
        year=timezone.localdate().year,
        items_checked=40,
        problems_found=2,
        problems_fixed=2,
        summary="生产质量管理体系运行正常",
        file=("自查报告.pdf", b"%PDF-1.4\n% matrix\n"),
    )
    world["portal_self_inspection_a"] = filed.pk
    asking = make_business(
        name="果园新村申请账户小吃店",
        region_code=TOWN_A,
        business_type="catering",
        business_licence="JY11201130099001",
    )
    req = services.account_request_submit(
        source=AuditSource.WEB,
        credit_code=asking.credit_code or "",
        licence_number="JY11201130099001",
        contact="李店长",
        phone="022-26390000",
        username="mx-asking",
    )
    world["portal_account_request_a"] = req.pk


def checks(world: World) -> list[Check]:
    a = world["business_a"]
    r, i, s = world["rectification_a"], world["inspection_a"], world["sample_a"]
    rep, photo, si = world["portal_report_a"], world["portal_photo_a"], world["portal_self_inspection_a"]
    other_r, other_i = world["portal_other_rectification"], world["portal_other_inspection"]
    return [
        Check("GET", "/portal/", OWN),
        Check("GET", f"/portal/inspections/{i}/", OWN),
        Check("GET", f"/portal/inspections/{other_i}/", OTHERS),
        Check("GET", f"/portal/rectifications/{r}/", OWN),
        Check("GET", f"/portal/rectifications/{other_r}/", OTHERS),
        Check(
            "POST",
            f"/portal/rectifications/{r}/",
            OWN,
            data={"text": "再次报告"},
            note="a report already awaits review: refused with a message",
        ),
        Check("POST", f"/portal/rectifications/{other_r}/", OTHERS, data={"text": "不是我的"}),
        Check("GET", f"/portal/samples/{s}/", OWN),
        Check("GET", f"/portal/samples/{world['sample_school_b']}/", OTHERS),
        # Business A is a caterer: the law asks no self-inspection report of it.
        Check("GET", "/portal/self-inspections/new/", OTHERS),
        Check("GET", f"/portal/self-inspections/{si}/file/", {**SELF_FILE_A, "business_a": 404}),
        Check("GET", f"/portal/photos/{photo}/", PHOTO_A),
        Check(
            "GET",
            "/portal/photos/999999/",
            {
                **PHOTO_A,
                **dict.fromkeys(
                    ("district_admin", "district_officer", "inspector", "town_a_inspector", "business_a"), 404
                ),
            },
        ),
        Check("GET", "/portal/review/rectifications/", REVIEW_LIST),
        Check("GET", "/portal/review/rectifications/?status=accepted", REVIEW_LIST),
        Check("GET", f"/portal/review/rectifications/{rep}/", REVIEW_A),
        Check(
            "POST",
            f"/portal/review/rectifications/{rep}/",
            REVIEW_A,
            data={"decision": "return", "note": ""},
            note="returned without a reason: refused with a message",
        ),
        Check("GET", "/portal/review/self-inspections/", MANAGE),
        Check("GET", f"/portal/review/self-inspections/{si}/", MANAGE_A),
        Check(
            "POST",
            f"/portal/review/self-inspections/{si}/",
            MANAGE_A,
            data={"decision": "return", "note": ""},
            note="returned without a reason: refused with a message",
        ),
        Check("GET", f"/portal/accounts/new/{a}/", MANAGE_A),
        Check("POST", f"/portal/accounts/new/{a}/", MANAGE_A, data={"username": ""}, note="no name: refused"),
        Check("GET", "/portal/register/", PUBLIC),
        Check(
            "POST",
            "/portal/register/",
            PUBLIC,
            data={},
            note="empty: refused with a message",
        ),
        Check("GET", "/portal/review/accounts/", MANAGE),
        Check("GET", f"/portal/review/accounts/{world['portal_account_request_a']}/", MANAGE_A),
        Check(
            "POST",
            f"/portal/review/accounts/{world['portal_account_request_a']}/",
            MANAGE_A,
            data={"decision": "reject", "note": ""},
            note="rejected without a reason: refused with a message",
        ),
        Check("GET", "/api/v1/portal/me", api(OWN)),
        Check("GET", "/api/v1/portal/rectifications", api(OWN)),
        Check(
            "POST",
            f"/api/v1/portal/rectifications/{r}/reports",
            {**api(OWN), "business_a": 422},
            data={"text": "再次报告"},
            note="a report already awaits review: 422",
        ),
        Check("POST", f"/api/v1/portal/rectifications/{other_r}/reports", api(OTHERS), data={"text": "x"}),
        Check("GET", "/api/v1/portal/samples", api(OWN)),
        Check("GET", "/api/v1/portal/reports", api(REVIEW_LIST)),
    ]
