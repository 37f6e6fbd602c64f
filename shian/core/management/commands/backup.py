"""`shian backup OUT`: a verified backup of the running database (and OUT.manifest.json)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shian.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database while the server runs (SQLite online backup; pg_dump on PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="the backup file to write (never overwritten)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup(options["out"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"已备份到 {options['out']}：{len(manifest['counts'])} 张表，共 {rows} 行；"
            f"审计链完整，链头 #{manifest['audit_head_seq']} {manifest['audit_head_hash']}\n"
            f"backup written: {len(manifest['counts'])} tables, {rows} rows, audit head #{manifest['audit_head_seq']}"
        )
