"""`shian risk regrade [--region CODE] [--on DATE]`: regrade all active businesses, print the mix.
`shian risk target [--on DATE] [--cutoff DATE] [--evaluate] [--top N]`: score the predictive work
list (or, with --evaluate, only measure the model on a time split), print the figures and the top."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shian.core.models import AuditSource
from shian.inspections import rules as inspection_rules
from shian.registry.models import Business

from ... import selectors, targeting
from ...models import TargetingScore
from ...services import risk_regrade_bulk, targeting_score


class Command(BaseCommand):
    help = "Food risk grades (A–D) and the predictive work list."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rg = sub.add_parser("regrade", help="regrade every active business (of one town with --region)")
        rg.add_argument("--region", default=None)
        rg.add_argument("--on", type=dt.date.fromisoformat, default=None)
        tg = sub.add_parser("target", help="rank businesses by the chance of a serious finding")
        tg.add_argument("--on", type=dt.date.fromisoformat, default=None, help="history up to this date")
        tg.add_argument("--cutoff", type=dt.date.fromisoformat, default=None, help="train up to this date")
        tg.add_argument("--months", type=int, default=6, help="length of the test period")
        tg.add_argument("--evaluate", action="store_true", help="only measure on a time split; write nothing")
        tg.add_argument("--region", default=None)
        tg.add_argument("--top", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "target":
            self._target(options)
            return
        on = options["on"] or timezone.localdate()
        started = time.perf_counter()
        mix = risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=on, region=options["region"])
        total = sum(mix.values()) or 1
        self.stdout.write(
            f"风险等级评定 {on}（{options['region'] or '全区'}）：共 {sum(mix.values())} 户，用时 {time.perf_counter() - started:.1f}s"
        )
        for g, n in mix.items():
            self.stdout.write(f"  {g}级 {n:>7} 户  {100 * n / total:5.1f}%")

    def _print_evaluation(self, ev: dict[str, Any], cutoff: str, train_auc: float | None) -> None:
        self.stdout.write(
            f"时间切分评估：训练至 {cutoff}，测试期 {ev['start']} 至 {ev['end']}，"
            f"检查 {ev['inspections']} 次，其中发现严重问题 {ev['serious']} 次"
        )
        self.stdout.write(
            f"  按模型排序（各镇街每日检查量不变），严重问题平均提前 {ev['days_earlier_mean']:.2f} 天发现"
            f"（中位数 {ev['days_earlier_median']:g} 天，最多 {ev['days_earlier_max']} 天；"
            f"{100 * ev['found_later_share']:.1f}% 反而推后）"
        )
        self.stdout.write(
            f"  前半期发现的严重问题占比：原排期 {100 * ev['first_half_schedule']:.1f}%，"
            f"模型排序 {100 * ev['first_half_model']:.1f}%"
        )
        auc = "—" if ev["auc"] is None else f"{ev['auc']:.3f}"
        tr = "—" if train_auc is None else f"{train_auc:.3f}"
        self.stdout.write(f"  AUC：测试期 {auc}，训练期 {tr}")
        g = ev.get("by_grade")
        if g:
            self.stdout.write(
                f"  对照：只按风险等级排序（D级优先），平均提前 {g['days_earlier_mean']:.2f} 天，"
                f"前半期 {100 * g['first_half_model']:.1f}%，AUC {g['auc'] if g['auc'] is not None else '—'}"
            )

    def _target(self, options: dict[str, Any]) -> None:
        on = options["on"] or timezone.localdate()
        started = time.perf_counter()
        if options["evaluate"]:
            cutoff = options["cutoff"] or inspection_rules.add_months(on, -options["months"])
            end = inspection_rules.add_months(
                cutoff + dt.timedelta(days=1), options["months"]
            ) - dt.timedelta(days=1)
            try:
                bt = selectors.targeting_backtest(cutoff=cutoff, end=end)
            except targeting.TargetingError as exc:
                raise CommandError(str(exc)) from None
            ev = bt.evaluation.as_dict()
            ev["by_grade"] = bt.by_grade.as_dict()
            self._print_evaluation(ev, cutoff.isoformat(), bt.train_auc)
            self.stdout.write("  权重最大的特征（标准化后）：")
            for name, w in bt.model.weights()[:8]:
                self.stdout.write(f"    {name:<28} {w:+.3f}")
            self.stdout.write(f"用时 {time.perf_counter() - started:.1f}s")
            return
        try:
            run = targeting_score(
                actor=None,
                source=AuditSource.COMMAND,
                on=on,
                cutoff=options["cutoff"],
                test_months=options["months"],
                region=options["region"],
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(
            f"预测性排序 {on}（{options['region'] or '全区'}）：训练检查 {run.examples} 次"
            f"（{run.trained_from} 至 {run.trained_to}），评分 {run.businesses} 户，用时 {time.perf_counter() - started:.1f}s"
        )
        ev = run.metrics.get("evaluation")
        if ev:
            self._print_evaluation(ev, ev["cutoff"], ev.get("train_auc"))
        else:
            self.stdout.write(f"  未评估：{run.metrics.get('evaluation_note', '')}")
        self.stdout.write(f"  {run.metrics['complaints']}")
        self.stdout.write(f"排名前 {options['top']} 的主体：")
        top = TargetingScore.objects.filter(run=run).order_by("rank")[: options["top"]]
        names = dict(Business.objects.filter(id__in=[s.business_id for s in top]).values_list("id", "name"))
        for s in top:
            reasons = "；".join(r["text"] for r in s.reasons)
            self.stdout.write(
                f"  {s.rank:>4}. {names.get(s.business_id, s.business_id)}  {100 * s.score:.1f}%  {reasons}"
            )
