"""`shian audit verify`: walk the hash chain; exit 0 when whole, 1 naming the first broken entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shian.core.audit import audit_verify


class Command(BaseCommand):
    help = "Audit trail tools. `verify` checks that no audit entry was altered, removed or inserted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        if report.ok:
            self.stdout.write(
                f"审计链完整：共 {report.checked} 条，链头 #{report.head_seq} {report.head_hash}\n"
                f"audit chain intact: {report.checked} entries, head #{report.head_seq} {report.head_hash}"
            )
            return
        self.stderr.write(
            f"审计链断裂：第 #{report.broken_seq} 条 — {report.reason}\n"
            f"audit chain broken at entry #{report.broken_seq}: {report.reason}"
        )
        raise SystemExit(1)
