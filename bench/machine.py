"""The machine a benchmark ran on, printed with its figures: a figure means little without it.

`describe()` names the CPU, cores, memory, OS, Python and the database in use, and the load
average at the moment it is called: the benchmarks print it at the start and at the end, so a
figure taken while other work loaded the machine says so."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return "? GiB"


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "n/a"
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    try:
        from django.db import connection

        connection.ensure_connection()
        if connection.vendor == "postgresql":
            return f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
        if connection.vendor == "sqlite":
            import sqlite3

            return f"SQLite {sqlite3.sqlite_version}"
        return connection.vendor
    except Exception:  # before django.setup() or without a database: say what the URL says
        return "PostgreSQL" if url.startswith("postgres") else "SQLite"


def describe() -> str:
    """One line: `machine: <cpu>, N cores, M GiB, Linux …, Python …, <database>; load average a b c`."""
    return (
        f"machine: {_cpu()}, {os.cpu_count()} cores, {_memory_gib()}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, {_database()}; "
        f"load average {load_average()}"
    )
