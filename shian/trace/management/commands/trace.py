"""`shian trace capture FILE --user NAME`: capture an EPCIS 2.0 document (.json/.jsonld) or an xlsx
in the platform's layout through the one capture service; exit 1 with every problem (JSON pointer,
or row and column) when it is refused, nothing written."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandError

from shian.core.models import AuditSource, User
from shian.trace import imports, services


class Command(BaseCommand):
    help = "Traceability: capture FILE (EPCIS 2.0 JSON or the xlsx layout)"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        cap = sub.add_parser("capture", help="capture an EPCIS 2.0 JSON document or an xlsx")
        cap.add_argument("file")
        cap.add_argument("--user", required=True, help="the user the capture is recorded for")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['user']!r}")
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        try:
            if path.suffix.lower() in (".json", ".jsonld"):
                result = services.epcis_capture(
                    by=user, document=orjson.loads(content), source=AuditSource.COMMAND, filename=path.name
                )
            else:
                result = imports.epcis_capture_xlsx(
                    by=user, content=content, filename=path.name, source=AuditSource.COMMAND
                )
        except orjson.JSONDecodeError as exc:
            raise CommandError(f"{path.name}: not JSON: {exc}") from exc
        except services.CaptureRejected as exc:
            for p in exc.problems:
                self.stderr.write(f"{p.pointer or '/'}: {p.message} ({p.detail or p.code})")
            raise CommandError(f"refused: {len(exc.problems)} problem(s), nothing captured") from exc
        except imports.XlsxRejected as exc:
            for i in exc.issues:
                self.stderr.write(i.line())
            raise CommandError(f"refused: {len(exc.issues)} problem(s), nothing captured") from exc
        self.stdout.write(f"events {result.total}, new {result.new}, already held {result.duplicate}")
