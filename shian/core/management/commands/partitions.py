"""`shian partitions list` and `shian partitions ensure --year Y` (PostgreSQL): the yearly partitions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from shian.core.partitions import YEARLY_TABLES, PartitionError, ensure_year, is_partitioned, partitions


class Command(BaseCommand):
    help = (
        "按年分区（仅 PostgreSQL）。list 列出各表的分区及行数；ensure --year Y 为该年建立分区"
        "（每年 12 月运行一次，为下一年预建）。 Yearly partitions on PostgreSQL: list them, or "
        "ensure a year's partitions exist (run each December for the next year)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "ensure"])
        parser.add_argument("--year", type=int, default=None, help="年份，默认为下一年 (default: next year)")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "分区仅用于 PostgreSQL；SQLite 使用普通表。 Partitions exist on PostgreSQL only."
            )
        if options["action"] == "list":
            for table in YEARLY_TABLES:
                if not is_partitioned(connection, table):
                    self.stdout.write(f"{table}: 未分区 (not partitioned)")
                    continue
                for name, bound, rows in partitions(connection, table):
                    self.stdout.write(f"{name}\t{bound}\t{rows:,} 行")
            return
        year = options["year"] or timezone.localdate().year + 1
        try:
            with transaction.atomic():
                for spec in YEARLY_TABLES.values():
                    name = ensure_year(connection, spec, year)
                    self.stdout.write(f"{name}: 已就绪 (ready)")
        except PartitionError as exc:
            raise CommandError(str(exc)) from exc
