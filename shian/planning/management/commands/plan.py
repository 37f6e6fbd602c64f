"""`shian plan load FILE | status --year Y | evaluate --year Y --as-of DATE | copy --year Y --to Y2 |
sampling --year Y [--adopt] [--xlsx FILE] [--votes FILE]`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.models import AuditSource, Department, Region

from ...planfile import PlanFileError, parse_plan, read_plan_text
from ...selectors import plan_for_year, plan_status
from ...services import ensure_reports, plan_copy, plan_evaluate, plan_load


class Command(BaseCommand):
    help = "The annual plan: load a plan file, print its status, evaluate it, copy it to next year."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load a plan file (TOML)")
        load.add_argument("file")
        status = sub.add_parser("status", help="each target, its figure and its progress")
        status.add_argument("--year", type=int, required=True)
        status.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
        ev = sub.add_parser("evaluate", help="quarter-end evaluation: supervision notices and interviews")
        ev.add_argument("--year", type=int, required=True)
        ev.add_argument("--as-of", type=dt.date.fromisoformat, required=True)
        cp = sub.add_parser("copy", help="copy a year's plan to another year as a draft")
        cp.add_argument("--year", type=int, required=True)
        cp.add_argument("--to", type=int, required=True)
        sp = sub.add_parser("sampling", help="the annual sampling plan: allocate, explain, adopt, export")
        sp.add_argument("--year", type=int, required=True)
        sp.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="history up to this date")
        sp.add_argument("--adopt", action="store_true", help="adopt the allocation as the plan's")
        sp.add_argument("--xlsx", default=None, help="write the allocation to this workbook")
        sp.add_argument("--votes", default=None, help="import “你点我检” votes (xlsx/csv) before allocating")
        sp.add_argument("--top", type=int, default=10, help="cells listed with their reasons")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _load(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(_("文件不存在：%(path)s") % {"path": path})
        try:
            text = read_plan_text(path.read_bytes())
            spec = parse_plan(
                text,
                departments=set(Department.objects.values_list("code", flat=True)),
                regions=set(Region.objects.values_list("code", flat=True)),
            )
        except PlanFileError as exc:
            for line, message in exc.problems:
                self.stderr.write(f"{path}:{line}: {message}")
            raise SystemExit(1) from None
        try:
            plan = plan_load(actor=None, source=AuditSource.COMMAND, spec=spec)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        ensure_reports(plan=plan, periods=["Q1", "Q2", "Q3", "Q4", "Y"], source=AuditSource.COMMAND)
        targets = sum(len(t.targets) for t in spec.tasks)
        self.stdout.write(
            f"已导入 {plan}：{len(spec.sections)} 个部分，{len(spec.tasks)} 项任务，{targets} 个目标"
        )

    def _status(self, options: dict[str, Any]) -> None:
        plan = self._plan(options["year"])
        as_of = options["as_of"] or min(timezone.localdate(), plan.ends)
        rows = plan_status(plan=plan, as_of=as_of)
        self.stdout.write(f"{plan}　截至 {as_of}")
        for row in rows:
            progress = "—" if row.progress is None else f"{row.progress:.0%}"
            self.stdout.write(
                f"（{row.target.task.no:>2}）{row.target.code:<26} {row.figure_text:<40} 进度 {progress:>5}"
                f"　应达 {row.expected:.0%}　{row.status_label}{'　⚠ ' + row.flag if row.flag else ''}"
            )
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.status_label] = counts.get(row.status_label, 0) + 1
        self.stdout.write("合计：" + "，".join(f"{k} {v}" for k, v in counts.items()))

    def _evaluate(self, options: dict[str, Any]) -> None:
        plan = self._plan(options["year"])
        result = plan_evaluate(actor=None, source=AuditSource.COMMAND, plan=plan, as_of=options["as_of"])
        self.stdout.write(
            f"新发督办通知 {result['notices']} 份，新列入约谈名单 {result['interviews']} 个单位"
        )

    def _copy(self, options: dict[str, Any]) -> None:
        plan = self._plan(options["year"])
        new = plan_copy(actor=None, source=AuditSource.COMMAND, plan=plan, year=options["to"])
        self.stdout.write(f"已复制为 {new}（草稿）")

    def _sampling(self, options: dict[str, Any]) -> None:
        from ...sampling_plan import parse_vote_file, sampling_plan_compute, sampling_plan_xlsx, view_of_run
        from ...services import sampling_allocation_adopt, sampling_votes_import

        plan = self._plan(options["year"])
        try:
            if options["votes"]:
                path = Path(options["votes"])
                if not path.exists():
                    raise CommandError(_("文件不存在：%(path)s") % {"path": path})
                rows = parse_vote_file(filename=path.name, content=path.read_bytes())
                n = sampling_votes_import(actor=None, source=AuditSource.COMMAND, year=plan.year, rows=rows)
                self.stdout.write(f"已导入“你点我检”投票 {n} 个类别")
            result = sampling_plan_compute(plan=plan, as_of=options["as_of"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        view = view_of_run(plan=plan, result=result)
        out = self.stdout.write
        out(f"{plan} 年度抽检计划（规则 {result.rules_id}，求解 {result.seconds:.2f} 秒）")
        out(
            f"全年 {result.year_total} 批次，常住人口 {result.population} 人，"
            f"每千人 {result.density:.2f} 批次（目标 ≥ {result.density_target:g}）"
        )
        for unit, total in result.by_unit.items():
            out(f"  {view.name('unit', unit)}：{total} 批次")
        out("按月（" + "、".join(view.name("unit", u) for u in result.by_month) + "）：")
        for m in range(12):
            out(f"  {m + 1:>2}月 " + " ".join(f"{months[m]:>6}" for months in result.by_month.values()))
        for s in result.specials:
            out(f"  专项：{s['name']} {s['allocated']} 批次（配额 ≥ {s['quota']}）")
        out(f"单元格（类别×镇街）最多的 {options['top']} 个及理由：")
        for c in sorted(result.cells, key=lambda c: (-c.quantity, c.unit, c.category, c.town))[
            : options["top"]
        ]:
            out(
                f"  {view.name('unit', c.unit)} {c.category} {view.name('category', c.category)} "
                f"{view.name('town', c.town)} {c.quantity} 批：{c.reason}"
            )
        out(
            f"预计发现不合格 {result.expected_found:.1f} 批次，按比例分配 {result.expected_found_proportional:.1f} 批次，"
            f"比值 {result.ratio:.2f}（按收益递减折算：{result.expected_found_discounted:.1f} 对 "
            f"{result.expected_found_proportional_discounted:.1f}）"
        )
        for note in result.notes:
            out(f"注意：{note}")
        if options["xlsx"]:
            Path(options["xlsx"]).write_bytes(
                sampling_plan_xlsx(
                    view=view,
                    cells=view.cells,
                    title=f"{plan.year}年抽检计划分配（{'已采纳' if options['adopt'] else '方案'}）",
                )
            )
            out(f"已写出 {options['xlsx']}")
        if options["adopt"]:
            adopted = sampling_allocation_adopt(
                actor=None, source=AuditSource.COMMAND, plan=plan, result=result
            )
            out(f"已采纳为 {plan.year} 年抽检计划（编号 {adopted.pk}，{adopted.rows.count()} 行）")

    def _plan(self, year: int) -> Any:
        from django.http import Http404

        try:
            return plan_for_year(year=year)
        except Http404:
            raise CommandError(
                _("没有 %(year)s 年的现行计划；先运行 shian plan load FILE") % {"year": year}
            ) from None
