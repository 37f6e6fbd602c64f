"""`shian enforcement expire [--today DATE]`: take down publications whose term ran out (45号令第十三条)
and move businesses whose listing term ended off the serious-dishonesty list (44号令). Run daily."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from shian.core.models import AuditSource

from ...services import listings_expire, publications_expire


class Command(BaseCommand):
    help = "Enforcement housekeeping: expire publications and listings whose term has ended."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        expire = sub.add_parser("expire", help="take down what has run its term (run daily)")
        expire.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or timezone.localdate()
        pubs = publications_expire(today=today, source=AuditSource.COMMAND)
        lists = listings_expire(today=today, source=AuditSource.COMMAND)
        self.stdout.write(f"{today}：停止公示 {pubs} 条，期满移出严重违法失信名单 {lists} 户")
