"""`shian plan load FILE | status --year Y | evaluate --year Y --as-of DATE | copy --year Y --to Y2`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shian.core.models import AuditSource, Department, Region

from ...planfile import PlanFileError, parse_plan
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

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _load(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            spec = parse_plan(
                path.read_text(encoding="utf-8"),
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
        ensure_reports(plan=plan, periods=["Q1", "Q2", "Q3", "Q4", "Y"])
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

    def _plan(self, year: int) -> Any:
        from django.http import Http404

        try:
            return plan_for_year(year=year)
        except Http404:
            raise CommandError(f"没有 {year} 年的现行计划；先运行 shian plan load FILE") from None
