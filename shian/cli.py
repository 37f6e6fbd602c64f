"""The `shian` console command: every Django management command, plus the platform's own
(`shian demo`, `shian serve`, `shian import`, `shian export`, `shian audit`)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "shian"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
