"""`shian serve`: serve the platform with waitress (a pure-Python production WSGI server that runs
the same on Linux and on the Windows machines of government intranets)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve shian on HOST:PORT (default 127.0.0.1:8000) with waitress."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations first")

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from shian.wsgi import application

        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"shian: http://{options['host']}:{options['port']}/  (Ctrl+C 停止)")
        self.stdout.flush()
        serve(
            application, host=options["host"], port=options["port"], threads=options["threads"], ident="shian"
        )
