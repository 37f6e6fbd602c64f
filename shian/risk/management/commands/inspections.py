"""`shian inspections plan --year YEAR [--region CODE]` and
`shian inspections draw --population grade|type|credit [--region CODE] [--ratio A=0.05 …] --seed N`.

Lives in the risk app: the plan and the draw are judgments made from the risk grades."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.models import AuditSource
from shian.enforcement.selectors import credit_draw_ratio

from ...selectors import annual_plan
from ...services import draw_create, draw_population


class Command(BaseCommand):
    help = "The annual inspection plan, and random draws (双随机)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser(
            "plan", help="the annual plan per town and inspector; businesses under their minimum"
        )
        plan.add_argument("--year", type=int, required=True)
        plan.add_argument("--region", default=None)
        plan.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
        d = sub.add_parser("draw", help="draw businesses by stratum and assign inspectors")
        d.add_argument(
            "--population",
            choices=["grade", "type", "credit"],
            default="grade",
            help="stratify by food risk grade, business type, or enterprise credit-risk class",
        )
        d.add_argument("--region", default=None)
        d.add_argument(
            "--ratio", action="append", default=[], help="STRATUM=SHARE, e.g. A=0.05 (default 0.1 each)"
        )
        d.add_argument("--seed", type=int, required=True)
        d.add_argument("--code", default=None, help="the code the draw is recorded under (default DATE-SEED)")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _plan(self, options: dict[str, Any]) -> None:
        as_of = options["as_of"] or min(timezone.localdate(), dt.date(options["year"], 12, 31))
        plan = annual_plan(year=options["year"], region=options["region"], as_of=as_of)
        self.stdout.write(f"{plan.year}年度监督检查计划（截至 {as_of}）")
        self.stdout.write(f"{'镇街':<12}{'主体':>8}{'计划检查':>10}{'逾期':>8}")
        for code, r in sorted(plan.by_region.items()):
            self.stdout.write(f"{code:<12}{r['businesses']:>8}{r['visits']:>10}{r['overdue']:>8}")
        quarters = Counter((v.due.month - 1) // 3 + 1 for v in plan.visits)
        self.stdout.write("按季度：" + "  ".join(f"Q{q} {quarters.get(q, 0)}" for q in range(1, 5)))
        loads = sorted(plan.workload.values())
        if loads:
            self.stdout.write(
                f"检查人员 {len(loads)} 名，人均 {sum(loads) / len(loads):.0f} 次（最少 {loads[0]}，最多 {loads[-1]}）"
            )
        self.stdout.write(f"全项检查 {sum(v.full_check for v in plan.visits)} 次")
        if plan.under_minimum:
            self.stdout.write(f"低于法定最低频次的主体：{len(plan.under_minimum)} 户")
            for bid, planned, minimum in plan.under_minimum[:50]:
                self.stdout.write(f"  主体 {bid}：计划 {planned} 次 < 最低 {minimum} 次")
            raise SystemExit(1)
        self.stdout.write("低于法定最低频次的主体：无")

    def _draw(self, options: dict[str, Any]) -> None:
        ratios: dict[str, float] = {}
        for spec in options["ratio"]:
            key, _sep, value = spec.partition("=")
            try:
                ratios[key] = float(value)
            except ValueError:
                raise CommandError(
                    _("比例格式应为 层=比例，例如 A=0.05：%(spec)s") % {"spec": spec}
                ) from None
        population = draw_population(region=options["region"], stratify=options["population"])
        if not population:
            raise CommandError(_("抽取范围内没有已评定风险等级的在营主体，请先运行 shian risk regrade"))
        for stratum in {s for _b, s in population}:
            # By credit class the default ratio follows the class (差异化监管: A lowest, D highest).
            default = credit_draw_ratio(stratum, base=0.1) if options["population"] == "credit" else 0.1
            ratios.setdefault(stratum, default)
        code = options["code"] or f"{timezone.localdate():%Y%m%d}-{options['seed']}"
        try:
            d = draw_create(
                actor=None,
                source=AuditSource.COMMAND,
                code=code,
                title=f"双随机抽取 种子 {options['seed']}",
                seed=options["seed"],
                population=population,
                ratios=ratios,
                on=timezone.localdate(),
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"抽取 {d.code}：种子 {d.seed}，结果公示截止 {d.results_due}")
        for stratum, (n, k) in sorted(d.result["strata"].items()):
            self.stdout.write(f"  {stratum}: 总体 {n}，抽取 {k}（比例 {ratios[stratum]}）")
        for bid in d.result["businesses"]:
            self.stdout.write(
                f"  主体 {bid} ← 检查人员 {', '.join(map(str, d.result['assignments'][str(bid)]))}"
            )
