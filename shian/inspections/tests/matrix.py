"""Route matrix of inspections and rectification orders: pages, exports, photos and the API
(tests/route_matrix.py).

The objects: a submitted inspection of town A's catering business that failed item C1 (so a
rectification order is open), and a draft inspection of the same business with a finding and its
photo. Inspectors (district or town A's) and district officers record; everyone who reads the
register reads inspections in their scope; the lab reads none."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shian.core.models import AuditSource, Role
from shian.core.tests.factories import UserFactory
from shian.inspections import services
from shian.inspections.models import Rectification
from shian.inspections.tests.media_helpers import png_photo, signature_url
from shian.registry.models import Business
from tests.route_matrix import SEE_A, VIEW, Check, World, api, rule, same

ITEMS = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]
# Those who record inspections: the district office and inspectors (a town officer reads them).
RECORD_A = rule(
    403,
    district_admin=302,
    district_officer=302,
    inspector=302,
    town_a_inspector=302,
    town_b_officer=404,
    education_liaison=404,
    lab=404,
    anonymous=302,
)
RECORD_A_API = {
    **api(RECORD_A),
    **dict.fromkeys(("district_admin", "district_officer", "inspector", "town_a_inspector"), 200),
}
# Starting an inspection of town A's business: those who record, in their scope; a town officer or a
# viewer sees the business but records nothing (403); whoever cannot see it gets 404.
START_A = rule(
    403,
    district_admin=200,
    district_officer=200,
    inspector=200,
    town_a_inspector=200,
    town_b_officer=404,
    education_liaison=404,
    lab=404,
    anonymous=302,
)
RECORD = rule(
    403, district_admin=201, district_officer=201, inspector=201, town_a_inspector=201, anonymous=401
)


def build(world: World) -> None:
    business = Business.objects.get(pk=world["business_a"])
    team = [
        UserFactory.create(username=f"mx-inspector-{n}", role=Role.INSPECTOR, full_name=f"矩阵检查员{n}")
        for n in range(2)
    ]
    world["inspector_ids"] = [u.pk for u in team]
    day = timezone.localdate() - dt.timedelta(days=3)
    done = services.inspection_create(
        actor=None, source=AuditSource.SYSTEM, business=business, inspected_on=day, inspectors=team
    )
    services.inspection_record_answers(
        actor=None,
        source=AuditSource.SYSTEM,
        inspection=done,
        answers={c: ("fail" if c == "C1" else "pass") for c in ITEMS},
        findings={"C1": "从业人员健康证过期"},
    )
    services.inspection_sign(actor=None, source=AuditSource.SYSTEM, inspection=done, signed_by="负责人")
    services.inspection_submit(actor=None, source=AuditSource.SYSTEM, inspection=done)
    world["inspection_a"] = done.pk
    world["rectification_a"] = Rectification.objects.get(finding__inspection=done).pk

    draft = services.inspection_create(
        actor=None,
        source=AuditSource.SYSTEM,
        business=business,
        inspected_on=timezone.localdate(),
        inspectors=team,
    )
    services.inspection_record_answers(
        actor=None,
        source=AuditSource.SYSTEM,
        inspection=draft,
        answers={"C2": "fail"},
        findings={"C2": "操作间地面积水"},
    )
    photo = services.finding_photo_add(
        actor=None,
        source=AuditSource.SYSTEM,
        finding=draft.findings.get(item_code="C2"),
        data=png_photo((44, 55, 66)),
        name="积水.png",
    )
    world["draft_a"] = draft.pk
    world["finding_photo_a"] = photo.pk


def _create(w: World, *, people: str = "team") -> dict:
    ids = w["inspector_ids"] if people == "team" else [w.personas("lab").pk, w.personas("viewer").pk]
    return {
        "business_id": w["business_a"],
        "inspected_on": timezone.localdate().isoformat(),
        "inspector_ids": ids,
    }


def checks(world: World) -> list[Check]:
    done, draft, r = world["inspection_a"], world["draft_a"], world["rectification_a"]
    record_only = rule(
        403,
        anonymous=401,
        **dict.fromkeys(("district_admin", "district_officer", "inspector", "town_a_inspector"), 422),
    )
    return [
        Check("GET", "/inspections/", VIEW),
        Check(
            "GET",
            f"/inspections/new/?business={world['business_a']}",
            {k: (200 if v == 302 and k != "anonymous" else v) for k, v in RECORD_A.items()},
        ),
        Check(
            "POST",
            "/inspections/new/",
            RECORD_A,
            data=lambda w: {
                "business": str(w["business_a"]),
                "inspected_on": timezone.localdate().isoformat(),
                "inspectors": [str(i) for i in w["inspector_ids"]],
            },
            note="starting an inspection (optionally under a campaign) opens its checklist form",
        ),
        Check("GET", "/api/v1/inspections/campaigns", api(VIEW)),
        Check("GET", "/inspections/export.xlsx", VIEW),
        # The form's connectivity probe answers anyone, signed in or not.
        Check("GET", "/inspections/ping", same(204, anonymous=204)),
        Check("GET", "/inspections/?start=2024-01-01&end=2099-12-31&result=fail&kind=routine", VIEW),
        Check("GET", f"/inspections/start/?business={world['business_a']}", START_A),
        Check("GET", "/inspections/start/?business=999999", same(404)),
        Check(
            "POST",
            f"/inspections/start/?business={world['business_a']}",
            {**START_A, **{p: 302 for p, c in START_A.items() if c == 200}},
            data=lambda w: {
                "inspected_on": timezone.localdate().isoformat(),
                "kind": "routine",
                "inspectors": w["inspector_ids"],
            },
            note="a draft is made and the tablet form opens",
        ),
        Check("GET", f"/inspections/{done}/", SEE_A),
        Check("GET", "/inspections/999999/", same(404)),
        Check("POST", f"/inspections/{draft}/", RECORD_A, data={"a_C3": "pass"}),
        Check("GET", f"/inspections/{done}/record.xlsx", SEE_A),
        Check("GET", f"/inspections/photos/{world['finding_photo_a']}/", SEE_A),
        Check("GET", "/inspections/rectifications/", VIEW),
        Check("GET", "/inspections/rectifications/export.xlsx", VIEW),
        Check("GET", f"/inspections/rectifications/{r}/", SEE_A),
        Check(
            "POST",
            f"/inspections/rectifications/{r}/",
            {
                **RECORD_A,
                **dict.fromkeys(("district_admin", "district_officer", "inspector", "town_a_inspector"), 200),
            },
            data={"action": "extend", "due": "", "reason": ""},
            note="no new deadline: refused on the page",
        ),
        # The API.
        Check("GET", "/api/v1/inspections/", api(VIEW)),
        Check("GET", f"/api/v1/inspections/{done}", api(SEE_A)),
        Check("POST", "/api/v1/inspections/", RECORD, data=_create),
        Check(
            "POST",
            "/api/v1/inspections/",
            record_only,
            data=lambda w: _create(w, people="others"),
            note="a lab account and a viewer are not inspectors",
        ),
        Check("POST", f"/api/v1/inspections/{draft}/answers", RECORD_A_API, data={"answers": {"C3": "pass"}}),
        Check(
            "POST",
            f"/api/v1/inspections/{draft}/signature",
            RECORD_A_API,
            data=lambda w: {"signed_by": "负责人", "signature": signature_url()},
        ),
        Check(
            "POST",
            f"/api/v1/inspections/{draft}/findings/C2/photos",
            {
                **RECORD_A_API,
                **dict.fromkeys(("district_admin", "district_officer", "inspector", "town_a_inspector"), 201),
            },
            data=lambda w: {"file": _upload()},
            json=False,
        ),
        Check("GET", "/api/v1/inspections/rectifications/", api(VIEW)),
        Check(
            "POST",
            f"/api/v1/inspections/rectifications/{r}/follow-up",
            {
                **RECORD_A_API,
                **dict.fromkeys(("district_admin", "district_officer", "inspector", "town_a_inspector"), 201),
            },
            data=lambda w: {
                "inspected_on": timezone.localdate().isoformat(),
                "inspector_ids": w["inspector_ids"],
            },
        ),
        Check(
            "POST",
            f"/api/v1/inspections/rectifications/{r}/close",
            {
                **RECORD_A_API,
                **dict.fromkeys(("district_admin", "district_officer", "inspector", "town_a_inspector"), 422),
            },
            data=lambda w: {"closed_on": timezone.localdate().isoformat()},
            note="the follow-up is not submitted yet: refused",
        ),
    ]


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("现场.png", png_photo((77, 88, 99)), content_type="image/png")
