"""Index pages: the quarter's ranking with a schematic map of the towns coloured by score, and a
page per town with its trend, its components and its plan work (reports, alerts)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shian.core.models import AuditSource, Region, RegionLevel, User
from shian.core.permissions import Cap, has_cap, require_cap
from shian.planning import selectors as plan_selectors
from shian.planning.models import AnnualPlan, PlanStatus

from . import selectors, services
from .models import IndexRun

# Tile positions of the schematic map (column, row): streets in the urban south-east, towns around
# them, zones and farms at the edges. A schematic, not a survey map: it says so on the page.
TILE_POSITIONS = {
    "120113001": (4, 4),
    "120113002": (5, 4),
    "120113003": (5, 5),
    "120113004": (4, 5),
    "120113005": (3, 5),
    "120113006": (4, 6),
    "120113007": (5, 6),
    "120113008": (3, 6),
    "120113100": (2, 5),
    "120113101": (2, 3),
    "120113102": (3, 1),
    "120113103": (1, 2),
    "120113104": (1, 4),
    "120113106": (4, 3),
    "120113107": (5, 2),
    "120113108": (4, 1),
    "120113111": (6, 3),
    "120113400": (3, 3),
    "120113401": (3, 4),
    "120113402": (1, 6),
    "120113403": (2, 1),
    "120113404": (6, 1),
    "120113500": (6, 5),
    "120113501": (2, 6),
}


def _colour(score: Any) -> str:
    if score is None:
        return "#d5dbe3"
    s = float(score)
    if s >= 90:
        return "#2f9e6f"
    if s >= 80:
        return "#7fbf6a"
    if s >= 70:
        return "#e0c040"
    if s >= 60:
        return "#e0a030"
    return "#c45a5a"


@login_required
def index_home(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.PLAN_VIEW)
    run = selectors.runs_for_user(user=request.user).order_by("-year", "-quarter").first()
    if run is None:
        return render(
            request,
            "metrics/index.html",
            {
                "table": None,
                "can_manage": has_cap(request.user, Cap.PLAN_MANAGE),
                "year": timezone.localdate().year,
            },
        )
    return redirect("metrics:quarter", year=run.year, quarter=run.quarter)


@login_required
def index_quarter(request: HttpRequest, year: int, quarter: int) -> HttpResponse:
    require_cap(request.user, Cap.PLAN_VIEW)
    table = selectors.index_for_user(user=request.user, year=year, quarter=quarter)
    scores = {row.region_id: row for row in table.rows}
    tiles: list[dict[str, Any]] = []
    for region in Region.objects.exclude(level=RegionLevel.DISTRICT):
        col, row = TILE_POSITIONS.get(region.code, (7, 1 + len(tiles) % 6))
        score = scores.get(region.code)
        tiles.append(
            {
                "region": region,
                "col": col,
                "row": row,
                "score": score,
                "colour": _colour(score.score if score else None),
                "included": score is not None,
            }
        )
    runs = selectors.runs_for_user(user=request.user).order_by("year", "quarter")
    return render(
        request,
        "metrics/index.html",
        {
            "table": table,
            "tiles": tiles,
            "runs": runs,
            "year": year,
            "quarter": quarter,
            "can_manage": has_cap(request.user, Cap.PLAN_MANAGE),
        },
    )


@login_required
@require_POST
def index_action(request: HttpRequest) -> HttpResponse:
    actor = cast(User, request.user)
    require_cap(actor, Cap.PLAN_MANAGE)
    try:
        year, quarter = int(request.POST["year"]), int(request.POST["quarter"])
    except (KeyError, ValueError):
        raise Http404 from None
    try:
        if request.POST.get("action") == "publish":
            run = IndexRun.objects.filter(year=year, quarter=quarter).first()
            if run is None:
                raise Http404
            services.index_publish(actor=actor, source=AuditSource.WEB, run=run)
            messages.success(request, _("已发布"))
        else:
            services.index_compute(actor=actor, source=AuditSource.WEB, year=year, quarter=quarter)
            messages.success(request, _("已计算（草稿）"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        if not IndexRun.objects.filter(year=year, quarter=quarter).exists():
            return redirect("metrics:home")
    return redirect("metrics:quarter", year=year, quarter=quarter)


@login_required
@require_http_methods(["GET"])
def town_page(request: HttpRequest, code: str) -> HttpResponse:
    """A town's dashboard: its index over the quarters, its latest components, and its plan work."""
    require_cap(request.user, Cap.PLAN_VIEW)
    region = Region.objects.exclude(level=RegionLevel.DISTRICT).filter(code=code).first()
    if region is None:
        raise Http404
    manage = has_cap(request.user, Cap.PLAN_MANAGE)
    trend = selectors.index_trend_for_user(user=request.user, region=code, include_drafts=manage)
    latest = trend[-1] if trend else None
    # Reached from a quarter's ranking: that quarter's stored figures, the same the ranking shows.
    wanted = (request.GET.get("year", ""), request.GET.get("quarter", ""))
    chosen = [p for p in trend if (str(p.year), str(p.quarter)) == wanted]
    if chosen:
        latest = chosen[0]
    components = (
        selectors.index_components_for_user(
            user=request.user, year=latest.year, quarter=latest.quarter, region=code
        )
        if latest
        else []
    )
    plan = AnnualPlan.objects.filter(status=PlanStatus.ACTIVE).order_by("-year").first()
    reports = []
    if plan is not None:
        # The town's own reports: what the plan's one scoping rule lets this person see.
        reports = list(
            plan_selectors.reports_for_user(user=request.user, plan=plan)
            .filter(region_id=code)
            .order_by("period")
        )
    chart = {
        "labels": [f"{p.year}Q{p.quarter}" for p in trend],
        "scores": [None if p.score is None else float(p.score) for p in trend],
        "coverage": [round(float(p.coverage) * 100, 1) for p in trend],
    }
    return render(
        request,
        "metrics/town.html",
        {
            "region": region,
            "trend": trend,
            "latest": latest,
            "components": components,
            "plan": plan,
            "reports": reports,
            "chart": chart,
            "today": timezone.localdate(),
            "coordinators": region.coordinators.filter(until__isnull=True).count(),
        },
    )


@login_required
def unit_page(request: HttpRequest, code: str) -> HttpResponse:
    """A member unit's dashboard: the targets it answers for, its notices, interviews and reports."""
    from shian.planning.services import target_owners

    require_cap(request.user, Cap.PLAN_VIEW)
    department = plan_selectors.department_get_for_user(user=request.user, code=code)
    plan = AnnualPlan.objects.filter(status=PlanStatus.ACTIVE).order_by("-year").first()
    rows, notices, interviews, reports = [], [], [], []
    as_of = timezone.localdate()
    if plan is not None:
        as_of = min(timezone.localdate(), plan.ends)
        rows = [
            r for r in plan_selectors.plan_status(plan=plan, as_of=as_of) if code in target_owners(r.target)
        ]
        notices = list(
            plan_selectors.notices_for_user(user=request.user, plan=plan).filter(department_id=code)
        )
        interviews = list(
            plan_selectors.interviews_for_user(user=request.user, plan=plan).filter(department_id=code)
        )
        reports = list(
            plan_selectors.reports_for_user(user=request.user, plan=plan)
            .filter(department_id=code)
            .order_by("period")
        )
    return render(
        request,
        "metrics/unit.html",
        {
            "department": department,
            "plan": plan,
            "rows": rows,
            "notices": notices,
            "interviews": interviews,
            "reports": reports,
            "as_of": as_of,
            "today": timezone.localdate(),
        },
    )
