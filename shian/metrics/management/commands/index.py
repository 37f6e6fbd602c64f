"""`shian index compute --year Y --quarter Q [--publish] | publish --year Y --quarter Q | show --year Y --quarter Q`."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.models import AuditSource

from ...models import IndexRun, RunStatus
from ...selectors import TREND_ARROWS, index_table
from ...services import index_compute, index_publish


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


class Command(BaseCommand):
    help = "The quarterly food-safety index per town: compute (and publish) a quarter, or show it."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("compute", "compute a quarter's index as a draft (replacing an earlier draft)"),
            ("publish", "publish a quarter's draft index"),
            ("show", "print a quarter's index"),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("--year", type=int, required=True)
            p.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], required=True)
            if name == "compute":
                p.add_argument("--publish", action="store_true", help="publish the index once computed")

    def handle(self, *args: Any, **options: Any) -> None:
        year, quarter = options["year"], options["quarter"]
        try:
            if options["action"] == "compute":
                run = index_compute(actor=None, source=AuditSource.COMMAND, year=year, quarter=quarter)
                self._print(run)
                if not options["publish"]:
                    return
            else:
                found = IndexRun.objects.filter(year=year, quarter=quarter).first()
                if found is None:
                    raise CommandError(
                        _("%(year)s年第%(quarter)s季度尚未计算指数；先运行 shian index compute")
                        % {"year": year, "quarter": quarter}
                    )
                run = found
                if options["action"] == "show":
                    self._print(run)
                    return
            run = index_publish(actor=None, source=AuditSource.COMMAND, run=run)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(f"已发布：{run}（{timezone.localtime(run.published_at):%Y-%m-%d %H:%M}）")

    def _print(self, run: IndexRun) -> None:
        table = index_table(run=run)
        status = "已发布" if run.status == RunStatus.PUBLISHED else "草稿"
        self.stdout.write(
            f"{run}（{status}；版本 {run.edition_id}；覆盖率低于 {run.min_coverage:.0%} 不出分）"
        )
        self.stdout.write(
            f"{_pad('排名', 4, True)}  {_pad('镇街', 24)}{_pad('得分', 8, True)}{_pad('覆盖率', 8, True)}  趋势"
        )
        for row in table.rows:
            rank = str(row.rank) if row.rank is not None else "—"
            score = f"{row.score:.2f}" if row.score is not None else "数据不足"
            trend = TREND_ARROWS[row.trend]
            if row.score is not None and row.previous_score is not None:
                trend += f" {row.score - row.previous_score:+.2f}"
            self.stdout.write(
                f"{_pad(rank, 4, True)}  {_pad(row.region.name, 24)}{_pad(score, 8, True)}"
                f"{_pad(f'{row.coverage:.0%}', 8, True)}  {trend}"
            )
        self.stdout.write(f"出分镇街 {table.scored} 个，数据不足 {len(table.rows) - table.scored} 个")
        if table.missing:
            self.stdout.write("缺失指标（各镇街均无数据，不计分，其权重按其余指标重新分配）：")
            for m in table.missing:
                self.stdout.write(f"  {m.name}（{m.code}，权重 {m.weight.normalize():f}）：{m.note}")
