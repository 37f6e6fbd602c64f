"""`shian risk regrade [--region CODE] [--on DATE]`: regrade all active businesses, print the mix."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from shian.core.models import AuditSource

from ...services import risk_regrade_bulk


class Command(BaseCommand):
    help = "Food risk grades (A–D): regrade every active business and print the grade mix."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rg = sub.add_parser("regrade", help="regrade every active business (of one town with --region)")
        rg.add_argument("--region", default=None)
        rg.add_argument("--on", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        on = options["on"] or timezone.localdate()
        started = time.perf_counter()
        mix = risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=on, region=options["region"])
        total = sum(mix.values()) or 1
        self.stdout.write(
            f"风险等级评定 {on}（{options['region'] or '全区'}）：共 {sum(mix.values())} 户，用时 {time.perf_counter() - started:.1f}s"
        )
        for g, n in mix.items():
            self.stdout.write(f"  {g}级 {n:>7} 户  {100 * n / total:5.1f}%")
