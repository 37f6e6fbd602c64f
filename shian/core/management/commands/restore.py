"""`shian restore IN`: replace the database with a backup made by `shian backup`, and verify it
(the audit chain whole, its head and every table's row count as the manifest says). Stop the
server first: a restore replaces everything."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shian.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `shian backup` and verify it against its manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="a backup file written by `shian backup`")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = restore(options["source"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if not result.ok:
            for table, (want, got) in sorted(result.mismatched.items()):
                self.stderr.write(f"行数不符：{table} 备份 {want} 行，恢复后 {got} 行")
            if not result.chain.ok:
                self.stderr.write(f"审计链不完整：第 #{result.chain.broken_seq} 条 — {result.chain.reason}")
            raise SystemExit(1)
        self.stdout.write(
            f"已恢复并核验：{len(result.counts)} 张表、{sum(result.counts.values())} 行与备份清单一致；"
            f"审计链完整，链头 #{result.chain.head_seq} {result.chain.head_hash}"
        )
