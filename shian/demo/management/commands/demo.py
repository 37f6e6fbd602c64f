"""`shian demo [--scale district|city]`: build a deterministic synthetic Beichen and serve it."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from shian.demo.services import SCALES, demo_build


class Command(BaseCommand):
    help = "Create the demo jurisdiction (users for every role, a synthetic register) and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="district",
            help="district: about 12,000 businesses; city: 300,000 (for benchmarks)",
        )
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument("--no-serve", action="store_true", help="build the data, do not start the server")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        users = demo_build(scale=options["scale"], seed=options["seed"], out=lambda s: self.stdout.write(s))
        self.stdout.write("\n演示账号 / demo accounts (仅用于演示 / demo only):")
        for spec, password in users:
            self.stdout.write(f"  {spec.username:<10} {password:<16} {spec.full_name}（{spec.role}）")
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"], no_migrate=True)
