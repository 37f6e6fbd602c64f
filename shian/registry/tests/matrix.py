"""Route matrix of the register: pages, export, import and API (tests/route_matrix.py)."""

from __future__ import annotations

from typing import Any

from shian.core.tests.factories import BUSINESS_A_CREDIT_CODE
from shian.registry.tests.factories import credit_code, make_business
from tests.route_matrix import (
    CHANGE,
    EDIT_A,
    EDIT_SCHOOL_B,
    NOT_FOUND,
    SEE_A,
    SEE_SCHOOL_B,
    VIEW,
    Check,
    World,
    api,
    row,
)

# Recording an event of town A's business: officers with the ledger right in whose scope it is;
# those who see it without the right get 403; anyone else "not found".
RECORD_EVENT_A = row(201, 201, 201, 404, 404, 403, 403, 404, 403, 302)

# Creating in town A: town B's officer may not name town A (a located validation error, 422).
API_CREATE_A = row(201, 201, 201, 422, 403, 403, 403, 403, 403, 401)


def build(world: World) -> None:
    # Business A is the one the matrix's business account (persona business_a) acts for.
    a = make_business(
        name="果园新村甲餐厅",
        region_code="120113001",
        business_type="catering",
        credit_code=BUSINESS_A_CREDIT_CODE,
    )
    school_b = make_business(
        name="天穆镇中心小学食堂", region_code="120113100", business_type="school_canteen", categories=["31"]
    )
    world["business_a"] = a.pk
    world["school_b"] = school_b.pk
    world["application_a"] = _application(a).pk


def _application(business: Any) -> Any:
    """A renewal of business A's licence, accepted in town A (made directly: the matrix's world)."""
    import datetime as dt

    from shian.registry.models import ApplicationPerson, LicenceApplication

    app = LicenceApplication.objects.create(
        kind="renewal",
        category="business",
        business=business,
        applicant_name=business.name,
        business_type=business.business_type,
        region_id=business.region_id,
        received_on=dt.date(2024, 3, 4),
        due_on=dt.date(2024, 3, 18),
    )
    ApplicationPerson.objects.create(
        application=app, role="legal_representative", name="张建国", id_key="0" * 64, id_masked="1201****4417"
    )
    return app


# Moving town A's application: officers who may change it; who sees it without the right, 403.
MOVE_A = row(302, 302, 302, 404, 404, 403, 403, 404, 403, 302)
API_MOVE_A = row(200, 200, 200, 404, 404, 403, 403, 404, 403, 401)


def _payload(region: str, **extra: object) -> dict:
    return {
        "name": "接口新增餐厅",
        "credit_code": credit_code(),
        "business_type": "catering",
        "categories": ["31"],
        "region_code": region,
        "address": "测试路9号",
        "business_licence": None,
        **extra,
    }


def _version(pk: int) -> str:
    from shian.registry.models import Business
    from shian.registry.services import business_version

    return business_version(Business.objects.get(pk=pk))


def checks(world: World) -> list[Check]:
    a, school_b = world["business_a"], world["school_b"]
    return [
        Check("GET", "/registry/businesses/", VIEW),
        Check("GET", "/registry/businesses/?region=120113100", VIEW),
        Check("GET", "/registry/businesses/export.xlsx", VIEW),
        Check("GET", f"/registry/businesses/{a}/", SEE_A),
        Check("GET", f"/registry/businesses/{a}/edit/", EDIT_A),
        Check("GET", f"/registry/businesses/{school_b}/", SEE_SCHOOL_B),
        Check("GET", f"/registry/businesses/{school_b}/edit/", EDIT_SCHOOL_B),
        Check("GET", "/registry/businesses/999999/", NOT_FOUND),
        Check("GET", "/registry/businesses/new/", CHANGE),
        Check("GET", "/registry/import/", CHANGE),
        Check("GET", "/registry/import/template.xlsx", CHANGE),
        Check(
            "GET",
            "/registry/import/reports/no-such-report.xlsx",
            row(404, 404, 404, 404, 403, 403, 403, 403, 403, 302),
        ),
        Check("GET", "/api/v1/businesses/", api(VIEW)),
        Check("GET", f"/api/v1/businesses/{a}", api(SEE_A)),
        Check("GET", f"/api/v1/businesses/{a}/history", api(SEE_A)),
        Check("GET", f"/api/v1/businesses/{a}/events", api(SEE_A)),
        Check(
            "POST",
            f"/api/v1/businesses/{a}/events",
            api(RECORD_EVENT_A),
            data={"kind": "incident", "occurred_on": "2024-06-01", "note": "就餐者腹泻，已调查"},
            note="officers record events of businesses in their scope",
        ),
        Check(
            "PUT",
            f"/api/v1/businesses/{a}",
            api(EDIT_A),
            data=lambda w: _payload("120113001", name="改名餐厅", version=_version(w["business_a"])),
        ),
        Check("POST", "/api/v1/businesses/", API_CREATE_A, data=lambda w: _payload("120113001")),
        *_application_checks(world),
    ]


def _application_checks(world: World) -> list[Check]:
    app = world["application_a"]
    new = {
        "kind": "new",
        "category": "business",
        "received_on": "2024-03-04",
        "persons": [{"role": "legal_representative", "name": "刘芳", "id_number": "120113199002146628"}],
        "applicant_name": "果园新村刘记面馆",
        "address": "北仓道12号",
        "region_code": "120113001",
        "business_type": "catering",
    }
    return [
        Check("GET", "/registry/applications/", VIEW),
        Check("GET", "/registry/applications/?clock=overdue&status=accepted", VIEW),
        Check("GET", "/registry/applications/export.xlsx", VIEW),
        Check("GET", "/registry/applications/new/", CHANGE),
        Check("GET", f"/registry/applications/{app}/", SEE_A),
        Check("GET", "/registry/applications/999999/", NOT_FOUND),
        Check(
            "POST",
            f"/registry/applications/{app}/transition/",
            MOVE_A,
            data={"target": "review", "on": "2024-03-05"},
        ),
        Check("GET", "/api/v1/licence-applications/", api(VIEW)),
        Check("GET", f"/api/v1/licence-applications/{app}", api(SEE_A)),
        Check("POST", "/api/v1/licence-applications/", API_CREATE_A, data=new),
        Check(
            "POST",
            f"/api/v1/licence-applications/{app}/transition",
            API_MOVE_A,
            # Withdrawn: allowed from 受理 and 审查 alike, whichever check runs first.
            data={"target": "withdrawn", "on": "2024-03-05", "reason": "申请人书面申请撤回"},
        ),
    ]
