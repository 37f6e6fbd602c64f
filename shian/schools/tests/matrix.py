"""Route matrix of schools and canteens (tests/route_matrix.py). School A is in town A, its
canteen contracted to business A (so the business account records its accompanied meals and
files its own certificates); school B is in town B. The education liaison oversees school canteens:
it sees every school, but not a caterer's open-kitchen status or certificates (404)."""

from __future__ import annotations

from shian.registry.models import Business
from shian.registry.tests.factories import make_business
from shian.schools.models import School, SchoolSupplier
from tests.route_matrix import VIEW, Check, World, api, rule

TOWN_A, TOWN_B = "120113001", "120113100"
# Readers of the school list: every staff persona but the lab; not a business account.
READ = VIEW
MANAGE_PAGE = rule(
    403,
    district_admin=200,
    district_officer=200,
    town_a_officer=200,
    town_b_officer=200,
    education_liaison=200,
    anonymous=302,
)
SEE_SCHOOL_A = rule(200, town_b_officer=404, lab=403, business_a=403, anonymous=302)
SEE_SCHOOL_B = rule(
    200, town_a_officer=404, town_a_inspector=404, town_a_viewer=404, lab=403, business_a=403, anonymous=302
)
# School A's accompanied meals: the operator's business account records them too.
MEALS_A = {**SEE_SCHOOL_A, "business_a": 200}
MEALS_A_POST = {
    **MEALS_A,
    **dict.fromkeys(("inspector", "town_a_inspector", "viewer", "town_a_viewer"), 403),
}
MEALS_B = {**SEE_SCHOOL_B, "business_a": 404}
# Business A (a caterer in town A) as staff who keep statuses and certificates see it.
EDIT_CATERER_A = rule(
    403,
    district_admin=200,
    district_officer=200,
    town_a_officer=200,
    town_b_officer=404,
    education_liaison=404,
    anonymous=302,
)
CERTIFICATE_A = {**EDIT_CATERER_A, "business_a": 200}


def build(world: World) -> None:
    canteen_a = make_business(
        name="果园新村示范小学食堂", region_code=TOWN_A, business_type="school_canteen", categories=["31"]
    )
    provider = make_business(
        name="果园新村集体用餐配送中心",
        region_code=TOWN_A,
        business_type="central_kitchen",
        categories=["31"],
    )
    operator = Business.objects.get(pk=world["business_a"])
    school_a = School.objects.create(
        code="1112000001",
        name="果园新村示范小学",
        level="primary",
        ownership="public",
        pupils=800,
        region_id=TOWN_A,
        canteen=canteen_a,
        canteen_operation="contracted",
        operator=operator,
        meals=["lunch"],
    )
    SchoolSupplier.objects.create(school=school_a, business=provider, role="meal_provider")
    school_b = School.objects.create(
        code="1112000002",
        name="天穆镇中心小学",
        level="primary",
        ownership="public",
        rural=True,
        pupils=500,
        region_id=TOWN_B,
        canteen_id=world["school_b"],
        meals=["lunch"],
    )
    world["school_a_id"] = school_a.pk
    world["school_b_id"] = school_b.pk


def checks(world: World) -> list[Check]:
    a, b, caterer = world["school_a_id"], world["school_b_id"], world["business_a"]
    return [
        Check("GET", "/schools/", READ),
        Check("GET", "/schools/?region=120113100&level=primary&rural=1", READ),
        Check("GET", "/schools/export.xlsx", READ),
        Check("GET", "/schools/import/", MANAGE_PAGE),
        Check("POST", "/schools/import/", MANAGE_PAGE, note="no file: refused with a message"),
        Check("GET", "/schools/import/template.xlsx", MANAGE_PAGE),
        Check("GET", f"/schools/{a}/", SEE_SCHOOL_A),
        Check("GET", f"/schools/{b}/", SEE_SCHOOL_B),
        Check("GET", "/schools/999999/", rule(404, lab=403, business_a=403, anonymous=302)),
        Check("GET", f"/schools/{a}/meals/", MEALS_A),
        Check("GET", f"/schools/{b}/meals/", MEALS_B),
        Check(
            "POST", f"/schools/{a}/meals/", MEALS_A_POST, data={"meal": "lunch"}, note="no person: refused"
        ),
        Check("GET", "/schools/open-kitchen/", READ),
        Check("GET", "/schools/open-kitchen/?group=t10&level=missing", READ),
        Check("GET", f"/schools/open-kitchen/{caterer}/", EDIT_CATERER_A),
        Check(
            "POST",
            f"/schools/open-kitchen/{caterer}/",
            EDIT_CATERER_A,
            data={"level": "internet", "cameras": "0"},
            note="internet-connected without cameras: refused",
        ),
        Check("GET", "/schools/certificates/", READ),
        Check("GET", "/schools/certificates/?state=uncertified", READ),
        Check("GET", "/schools/certificates/export.xlsx?state=expiring", READ),
        Check("GET", f"/schools/certificates/new/{caterer}/", CERTIFICATE_A),
        Check(
            "POST",
            f"/schools/certificates/new/{caterer}/",
            CERTIFICATE_A,
            data={"kind": "haccp"},
            note="refused",
        ),
        Check("GET", "/api/v1/schools/", api(READ)),
        Check("GET", "/api/v1/schools/certificates", api(READ)),
        Check("GET", f"/api/v1/schools/{a}", api(SEE_SCHOOL_A)),
        Check("GET", f"/api/v1/schools/{b}", api(SEE_SCHOOL_B)),
        Check(
            "POST",
            f"/api/v1/schools/{a}/meals",
            {
                **api(MEALS_A_POST),
                **dict.fromkeys(
                    (
                        "district_admin",
                        "district_officer",
                        "town_a_officer",
                        "education_liaison",
                        "business_a",
                    ),
                    422,
                ),
            },
            data={"on": "2000-01-01", "meal": "lunch", "person": "张校长", "person_role": "headmaster"},
            note="a date long past: refused",
        ),
    ]
