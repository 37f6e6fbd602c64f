"""Route matrix of the annual plan: status, targets and figures, units' and towns' reports,
supervision notices and the annual sampling plan, pages and API (tests/route_matrix.py).

The objects: the 2022 plan with its reports opened for every unit and town, and a supervision
notice to the education bureau. A report or a notice is its unit's or its town's: a town officer,
or an inspector or viewer attached to a town, sees that town's only; the district sees all; a
liaison sees their unit's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from shian.core.models import Department, Region
from shian.planning.models import AnnualPlan, ProgressReport, ReportedFigure, SupervisionNotice, Target
from shian.planning.planfile import parse_plan
from shian.planning.services import ensure_reports, plan_load
from tests.route_matrix import SEE_A, VIEW, Check, World, api, row, rule

PLAN_2022 = Path(__file__).resolve().parent.parent / "data" / "beichen-2022.toml"
# A unit's record (the education bureau's report or notice): the district and the unit see it.
SEE_UNIT = row(200, 200, 404, 404, 200, 200, 404, 404, 200, 302)
# Reporting a figure on a target a unit or a town answers for (the education bureau's target,
# assigned to every town): those who report, for themselves.
FIGURE = rule(
    403,
    district_admin=201,
    district_officer=201,
    town_a_officer=201,
    town_b_officer=201,
    education_liaison=201,
    lab=404,
    anonymous=401,
)


def build(world: World) -> None:
    spec = parse_plan(
        PLAN_2022.read_text(encoding="utf-8"),
        departments=set(Department.objects.values_list("code", flat=True)),
        regions=set(Region.objects.values_list("code", flat=True)),
    )
    plan = plan_load(actor=None, source="system", spec=spec)
    ensure_reports(plan=plan, periods=["Q1"])
    world["plan_year"] = plan.year
    world["target_edu"] = Target.objects.get(task__plan=plan, code="T11-haccp").pk
    world["report_town_a"] = ProgressReport.objects.get(plan=plan, period="Q1", region_id="120113001").pk
    world["report_edu"] = ProgressReport.objects.get(plan=plan, period="Q1", department_id="education").pk
    task = plan.tasks.get(no=11)
    notice = SupervisionNotice.objects.create(
        plan=plan,
        task=task,
        target_id=world["target_edu"],
        department_id="education",
        reason="目标“校外供餐单位建立HACCP体系的比例”滞后",
        rule="matrix",
        issued_on=dt.date(2022, 6, 30),
        response_due=dt.date(2022, 7, 7),
    )
    world["notice_edu"] = notice.pk
    # Two figures of the education bureau awaiting review: one for the page, one for the API.
    for key in ("figure_edu", "figure_edu_api"):
        world[key] = ReportedFigure.objects.create(
            target_id=world["target_edu"],
            department_id="education",
            period_end=dt.date(2022, 6, 30),
            value=80,
            evidence_refs="北辰教育〔2022〕12号 校外供餐单位体系认证汇总表",
        ).pk


def _plan(world: World) -> AnnualPlan:
    return AnnualPlan.objects.get(year=world["plan_year"])


def checks(world: World) -> list[Check]:
    y, t = world["plan_year"], world["target_edu"]
    ra, re_, n = world["report_town_a"], world["report_edu"], world["notice_edu"]
    office = ("district_admin", "district_officer")
    return [
        Check("GET", "/plan/", rule(302, lab=403)),
        Check("GET", f"/plan/{y}/", VIEW),
        Check("GET", f"/plan/{y}/targets/{t}/", {**VIEW, "lab": 404, "business_a": 404}),
        Check("GET", f"/plan/{y}/targets/999999/", rule(404, anonymous=302)),
        Check("GET", f"/plan/{y}/reports/", VIEW),
        Check("GET", f"/plan/reports/{ra}/", SEE_A),
        Check("GET", f"/plan/reports/{re_}/", SEE_UNIT),
        Check(
            "POST",
            f"/plan/reports/{ra}/",
            {
                **SEE_A,
                **dict.fromkeys((*office, "inspector", "town_a_inspector", "viewer", "town_a_viewer"), 403),
                "town_a_officer": 302,
            },
            data={"action": "save", "body": "一季度工作情况"},
            note="only its town writes it",
        ),
        Check("GET", f"/plan/{y}/notices/", VIEW),
        Check("GET", f"/plan/{y}/sampling/", VIEW),
        Check("GET", f"/plan/{y}/sampling/cells/?category=01", VIEW),
        Check("GET", f"/plan/{y}/figures/", VIEW),
        Check(
            "POST",
            f"/plan/{y}/figures/",
            rule(403, district_admin=302, district_officer=302, anonymous=302),
            data={"figure": str(world["figure_edu"]), "decision": "accept"},
            note="the district office reviews reported figures",
        ),
        Check("GET", f"/api/v1/plans/{y}/figures", api(VIEW)),
        Check(
            "POST",
            f"/api/v1/plans/figures/{world['figure_edu_api']}/review",
            api(rule(403, district_admin=200, district_officer=200)),
            data={"decision": "return", "reason": "请附体系认证证书"},
        ),
        # The API.
        Check("GET", f"/api/v1/plans/{y}/status", api(VIEW)),
        Check(
            "POST",
            f"/api/v1/plans/targets/{t}/figures",
            FIGURE,
            data={"value": "80", "period_end": "2022-06-30", "note": "上半年", "evidence_refs": "汇总表"},
        ),
        Check(
            "POST",
            f"/api/v1/plans/targets/{t}/figures",
            {**FIGURE, "town_a_officer": 422, "town_b_officer": 422, "education_liaison": 422},
            data={
                "value": "100",
                "period_end": "2022-09-30",
                "department": "propaganda",
                "evidence_refs": "汇总表",
            },
            note="a town or a unit reports for itself only, never as another unit",
        ),
        Check("GET", f"/api/v1/plans/{y}/reports", api(VIEW)),
        Check(
            "POST",
            f"/api/v1/plans/{y}/reports",
            api(rule(403, town_a_officer=200, town_b_officer=200, education_liaison=200)),
            data={"period": "Q1", "body": "一季度工作情况"},
        ),
        Check(
            "POST",
            f"/api/v1/plans/reports/{ra}/status",
            api(
                {
                    **SEE_A,
                    **dict.fromkeys(
                        (*office, "inspector", "town_a_inspector", "viewer", "town_a_viewer"), 403
                    ),
                }
            ),
            data={"status": "submitted"},
        ),
        Check("GET", f"/api/v1/plans/{y}/notices", api(VIEW)),
        Check(
            "POST",
            f"/api/v1/plans/notices/{n}/response",
            api({**SEE_UNIT, **dict.fromkeys((*office, "inspector", "viewer"), 403)}),
            data={"response": "已督促各校外供餐单位建立体系"},
        ),
        Check("GET", f"/api/v1/plans/{y}/sampling", api(VIEW)),
        Check(
            "POST",
            f"/api/v1/plans/{y}/sampling/adopt",
            api(rule(403, district_admin=201, district_officer=201)),
        ),
    ]
