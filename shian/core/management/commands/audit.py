"""`shian audit verify`: walk the hash chain; exit 0 when whole, 1 naming the first broken entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shian.core.audit import audit_anchor, audit_verify


class Command(BaseCommand):
    help = (
        "Audit trail tools. `verify` checks that no audit entry was altered, removed or inserted "
        "(with --anchor HASH, also that the chain still passes through a head kept outside); "
        "`anchor` prints the chain head to keep outside the database, and records that it did."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "anchor"])
        parser.add_argument("--anchor", default=None, help="a chain head printed by `shian audit anchor`")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "anchor":
            seq, value = audit_anchor()
            self.stdout.write(
                f"审计链头 #{seq} {value}\n请将此行另行保存（纸面或其他系统），日后用 "
                f"shian audit verify --anchor {value} 证明此前的记录未被改写。\n"
                f"audit chain head #{seq} {value}"
            )
            return
        anchor = (options["anchor"] or "").strip().lower() or None
        if anchor is not None and (len(anchor) != 64 or any(c not in "0123456789abcdef" for c in anchor)):
            self.stderr.write(
                f"锚点应为 64 位十六进制哈希：{anchor[:80]}\nthe anchor must be a 64-digit hex hash"
            )
            raise SystemExit(2)
        report = audit_verify(anchor=anchor)
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
