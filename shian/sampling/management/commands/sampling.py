"""`shian sampling judge-bulletins FILE`: judge every record of a bulletin of unqualified results
with the platform's limits; list the records it cannot judge or judges differently, and print
`coverage C% agreement A%` as the last line."""

from __future__ import annotations

import datetime as dt
import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shian.sampling import bulletins, rules, standards_import


class Command(BaseCommand):
    help = "Food sampling batch jobs: judge-bulletins FILE, convert-standards DIR"
    requires_system_checks: list[str] = []  # a batch job over files: no URL or model checks needed

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        jb = sub.add_parser("judge-bulletins", help="judge every record of a bulletin JSON file")
        jb.add_argument("file")
        jb.add_argument(
            "--date",
            default="2026-01-01",
            help="date used when a record has no readable production date (default 2026-01-01)",
        )
        jb.add_argument(
            "--ignore-food-names",
            action="store_true",
            help="place every food by its sampling category alone (as for a food name never seen)",
        )
        jb.add_argument(
            "--held-out",
            action="store_true",
            help="also check placement held out: drop each food name and compare the limit its"
            " sampling category alone gives with the one its name gives (a difference is a guess)",
        )
        cs = sub.add_parser(
            "convert-standards",
            help="convert the compiled GB 2762 / GB 2760 tables into the app's rule data (data/*.json)",
        )
        cs.add_argument(
            "dir", help="folder holding gb2762-2025-contaminants.json and gb2760-2024-additives.json"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "judge-bulletins":
            self._judge_bulletins(
                Path(options["file"]),
                dt.date.fromisoformat(options["date"]),
                use_food_name=not options["ignore_food_names"],
                held_out=options["held_out"],
            )
        elif options["action"] == "convert-standards":
            try:
                counts = standards_import.convert_all(Path(options["dir"]), rules.DATA_DIR)
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(" ".join(f"{k} {v}" for k, v in counts.items()))

    def _judge_bulletins(
        self, path: Path, fallback: dt.date, *, use_food_name: bool = True, held_out: bool = False
    ) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        records = data["records"] if isinstance(data, dict) else data
        book = rules.default_limit_book()
        outcomes = [bulletins.judge_record(r, book, fallback, use_food_name=use_food_name) for r in records]
        uncovered = [o for o in outcomes if not o.covered]
        disagree = [o for o in outcomes if o.covered and not o.agrees]
        if uncovered:
            self.stdout.write(f"unjudgeable records: {len(uncovered)}, by reason")
            for reason, ids in bulletins.group_reasons(uncovered):
                self.stdout.write(f"  {len(ids):4d}  {reason}")
                self.stdout.write("        " + " ".join(ids[:12]) + (" …" if len(ids) > 12 else ""))
        if disagree:
            self.stdout.write(f"records judged differently: {len(disagree)}")
            for o in disagree:
                self.stdout.write(f"  {o.record_id}: " + "; ".join(o.reasons))
        by_source: dict[str, list[bulletins.RecordOutcome]] = {}
        for r, o in zip(records, outcomes, strict=True):
            by_source.setdefault(str(r.get("source") or "?"), []).append(o)
        if len(by_source) > 1:
            for source, group in sorted(by_source.items()):
                c = sum(1 for o in group if o.covered)
                a = sum(1 for o in group if o.agrees)
                self.stdout.write(
                    f"  {source}: records {len(group)} coverage {100 * c / len(group):.1f}%"
                    f" agreement {100 * a / c if c else 0:.1f}%"
                )
        if held_out:
            decided, conflicts = bulletins.held_out_conflicts(records, book, fallback)
            for conflict in conflicts:
                self.stdout.write(
                    f"  {conflict.record_id} {conflict.item}: 类别 {conflict.by_category}；名称 {conflict.by_name}"
                )
            self.stdout.write(
                f"held out (names dropped): {decided} items placed by the category alone,"
                f" {len(conflicts)} contradicted by the name"
            )
        covered = len(outcomes) - len(uncovered)
        agreed = sum(1 for o in outcomes if o.agrees)
        coverage = 100 * covered / len(outcomes) if outcomes else 0.0
        agreement = 100 * agreed / covered if covered else 0.0
        self.stdout.write(f"records {len(outcomes)} covered {covered} agreeing {agreed}")
        self.stdout.write(f"coverage {coverage:.1f}% agreement {agreement:.1f}%")
