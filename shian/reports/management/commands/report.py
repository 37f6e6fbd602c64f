"""`shian report quarterly|yearly|whitepaper --year YEAR [--quarter Q] --out FILE.docx|FILE.pdf|FILE.xlsx`.

The format follows the file's extension; xlsx holds every table of the report, one sheet each.
Generating a report only reads, so the command records no audit entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from shian.core.files import OutputError, atomic_output

from ...data import KINDS, ReportError
from ...export import FORMATS, report_file


class Command(BaseCommand):
    help = "Generate the district's quarterly report, year-end report or food-safety white paper."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help="quarterly, yearly or whitepaper")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--quarter", type=int, default=None, help="1–4, for the quarterly report")
        parser.add_argument("--out", required=True, help="the file to write: .docx, .pdf or .xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(
                _("无法从文件名“%(name)s”判断格式：扩展名应为 .docx、.pdf 或 .xlsx") % {"name": out.name}
            )
        if not out.parent.is_dir():
            raise CommandError(_("目录不存在：%(dir)s") % {"dir": out.parent})
        try:
            made = report_file(
                kind=options["kind"], year=options["year"], quarter=options["quarter"], fmt_=fmt
            )
        except ReportError as exc:
            raise CommandError(str(exc)) from None
        try:  # whole or not at all: a kill or a full disk leaves no truncated report under its name
            with atomic_output(out) as tmp:
                tmp.write_bytes(made.content)
        except OutputError as exc:
            raise CommandError(str(exc)) from None
        data = made.data
        self.stdout.write(
            f"已生成《{data.title}》（数据截至 {data.as_of}，{len(data.targets)} 个目标）：{out}，{len(made.content):,} 字节"
        )
