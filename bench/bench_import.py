"""Benchmark: importing the food-business register from xlsx and csv, against django-import-export.

One run generates N synthetic register rows (shian.demo.generator, the importer's Chinese
headers) as an xlsx and as a UTF-8 csv, then measures, each in its own child process on an empty
register (a fresh copy of a migrated database):

  shian    registry.imports.business_import: every row validated (codes with their check digits,
           towns, categories), all or nothing, one audit entry per business, categories linked.
  peer     django-import-export 4 ModelResource over the same headers and the same Business model,
           in its documented bulk mode (use_bulk, batch_size=1000, skip_unchanged,
           import_id_fields=credit_code, CachedInstanceLoader, skip_html_diff). It validates
           nothing beyond the widgets, writes no audit trail and skips the food categories
           (bulk mode does not support many-to-many fields).

  floor    the database's share alone: the very rows shian wrote (businesses; then businesses,
           category links and audit entries), read back raw and inserted again into an empty
           register with plain executemany (COPY on PostgreSQL) in one transaction, no parsing, checking or Python
           preparation. It bounds what any importer that stores the same rows can reach, and
           so what ratio against the peer is reachable at all.

Each measurement reports wall-clock seconds of the import (file parsing included, interpreter and
Django start-up excluded), CPU seconds and the peak resident memory of its process (wait4 rusage).

    .venv/bin/python bench/bench_import.py                 # 100,000 rows, fresh SQLite files
    .venv/bin/python bench/bench_import.py --rows 10000    # quick
    .venv/bin/python bench/bench_import.py --database-url postgres://postgres@127.0.0.1:5432/shian_bench_import
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PEER_NOTE = "peer skips 食品类别 (many-to-many is not supported in its bulk mode) and writes no audit entries"


# --------------------------------------------------------------------------------------------
# Environment shared by the parent and the children.


def _django_env(database_url: str, data_dir: Path, settings: str = "shian.settings") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": settings,
            "SHIAN_DATA_DIR": str(data_dir),
            # Production settings: DEBUG would record every query in memory, for both tools alike.
            "SHIAN_DEBUG": "false",
            "SHIAN_SECRET_KEY": env.get("SHIAN_SECRET_KEY") or secrets.token_urlsafe(50),
            "SHIAN_ALLOWED_HOSTS": "localhost",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def _setup(database_url: str, data_dir: Path, settings: str = "shian.settings") -> None:
    os.environ.update(_django_env(database_url, data_dir, settings))
    import django

    django.setup()


# --------------------------------------------------------------------------------------------
# The peer: django-import-export over the same headers.


def peer_resource_class() -> type:
    from import_export import fields, resources, widgets
    from import_export.instance_loaders import CachedInstanceLoader

    from shian.core.models import Region
    from shian.registry.imports import HEADER_OF
    from shian.registry.models import Business

    class RegionWidget(widgets.ForeignKeyWidget):
        """ForeignKeyWidget on Region.code, the towns read once rather than once per row."""

        def __init__(self) -> None:
            super().__init__(Region, field="code")
            self.regions = {r.code: r for r in Region.objects.all()}

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            region = self.regions.get(str(value))
            return region if region is not None else super().clean(value, row, **kwargs)

    class ChunkedCachedInstanceLoader(CachedInstanceLoader):
        """CachedInstanceLoader (one query for all existing rows), its IN list cut to SQLite's
        parameter limit; unchanged otherwise."""

        def __init__(self, resource: Any, dataset: Any = None) -> None:
            self.resource, self.dataset = resource, dataset
            pk_field_name = resource.get_import_id_fields()[0]
            self.pk_field = resource.fields[pk_field_name]
            self.all_instances = {}
            if dataset.dict and self.pk_field.column_name in dataset.dict[0]:
                ids = [self.pk_field.clean(row) for row in dataset.dict]
                for i in range(0, len(ids), 900):
                    qs = self.get_queryset().filter(**{f"{self.pk_field.attribute}__in": ids[i : i + 900]})
                    self.all_instances.update({self.pk_field.get_value(o): o for o in qs})

    class CodeWidget(widgets.CharWidget):
        """A code column: an empty cell (None from xlsx, "" from csv) is no code (NULL), since the
        codes are unique where present."""

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            return None if value in (None, "") else super().clean(value, row, **kwargs)

    def text(attribute: str, fname: str, *, null: bool = False) -> Any:
        widget = CodeWidget(allow_blank=False) if null else widgets.CharWidget()
        return fields.Field(attribute=attribute, column_name=HEADER_OF[fname], widget=widget)

    def day(fname: str) -> Any:
        return fields.Field(
            attribute=fname, column_name=HEADER_OF[fname], widget=widgets.DateWidget("%Y-%m-%d")
        )

    def number(fname: str) -> Any:
        return fields.Field(attribute=fname, column_name=HEADER_OF[fname], widget=widgets.DecimalWidget())

    class BusinessResource(resources.ModelResource):
        name = text("name", "name")
        credit_code = text("credit_code", "credit_code", null=True)
        production_licence = text("production_licence", "production_licence", null=True)
        business_licence = text("business_licence", "business_licence", null=True)
        business_type = text("business_type", "business_type")
        scale = text("scale", "scale")
        region = fields.Field(attribute="region", column_name=HEADER_OF["region_code"], widget=RegionWidget())
        address = text("address", "address")
        legal_representative = text("legal_representative", "legal_representative")
        longitude = number("longitude")
        latitude = number("latitude")
        status = text("status", "status")
        opened_on = day("opened_on")
        licence_valid_until = day("licence_valid_until")
        closed_on = day("closed_on")

        class Meta:
            model = Business
            fields = (
                "name", "credit_code", "production_licence", "business_licence", "business_type", "scale",
                "region", "address", "legal_representative", "longitude", "latitude", "status", "opened_on",
                "licence_valid_until", "closed_on",
            )  # fmt: skip
            import_id_fields = ("credit_code",)
            use_bulk = True
            batch_size = 1000
            skip_unchanged = True
            skip_html_diff = True
            use_transactions = True
            instance_loader_class = ChunkedCachedInstanceLoader

    return BusinessResource


# --------------------------------------------------------------------------------------------
# Children: one measurement each.


FLOOR_SETS = {
    "business": ("registry.Business",),
    "all": ("registry.Business", "registry.BusinessFoodCategory", "core.AuditEntry"),
}


def _floor_tables() -> list[tuple[str, list[str], list[str]]]:
    """(table, columns, select expressions) of every table the floor writes: JSON as text, so
    the rows go back in as they came out."""
    from django.apps import apps
    from django.db import connection, models

    out = []
    for label in FLOOR_SETS["all"]:
        model = apps.get_model(label)
        q = connection.ops.quote_name
        columns = [str(f.column) for f in model._meta.concrete_fields]
        select = [
            f"{q(c)}::text" if connection.vendor == "postgresql" and isinstance(f, models.JSONField) else q(c)
            for c, f in zip(columns, model._meta.concrete_fields, strict=True)
        ]
        out.append((label, [q(c) for c in columns], select))
    return out


def child_dump(path: Path) -> None:
    """Write the raw rows of the floor's tables (from the database shian just imported into)."""
    import pickle

    from django.apps import apps
    from django.db import connection

    rows = {}
    with connection.cursor() as cur:
        for label, _columns, select in _floor_tables():
            table = connection.ops.quote_name(apps.get_model(label)._meta.db_table)
            cur.execute(f"SELECT {', '.join(select)} FROM {table} ORDER BY 1")  # noqa: S608
            rows[label] = cur.fetchall()
    path.write_bytes(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
    print(json.dumps({"ok": True}))


def child_floor(which: str, path: Path) -> None:
    """Insert the dumped rows with plain executemany, one transaction, timed with its commit."""
    import pickle

    from django.apps import apps
    from django.db import connection, transaction

    dumped = pickle.loads(path.read_bytes())  # noqa: S301 (the benchmark's own file)
    tables = {label: (columns, select) for label, columns, select in _floor_tables()}
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        for label in FLOOR_SETS[which]:
            columns, _ = tables[label]
            table = connection.ops.quote_name(apps.get_model(label)._meta.db_table)
            rows = dumped[label]
            if connection.vendor == "postgresql":
                # PostgreSQL's fastest plain load is COPY, not INSERT statements.
                with cur.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                continue
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
            for i in range(0, len(rows), 5000):
                cur.executemany(sql, rows[i : i + 5000])
    seconds = time.perf_counter() - started
    counts = {label: len(dumped[label]) for label in FLOOR_SETS[which]}
    connection.close()
    print(json.dumps({"ok": True, "seconds": seconds, "counts": counts}))


def child(mode: str, path: Path) -> None:
    from django.db import connection

    from shian.core.models import AuditSource
    from shian.registry.models import Business

    content = path.read_bytes()
    started = time.perf_counter()
    if mode == "shian":
        from shian.registry.imports import business_import

        report = business_import(actor=None, source=AuditSource.COMMAND, filename=path.name, content=content)
        result = {
            "ok": report.ok,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "issues": report.lines()[:5],
        }
    else:
        from import_export.formats.base_formats import CSV, XLSX

        fmt = XLSX() if path.suffix == ".xlsx" else CSV(encoding="utf-8-sig")
        dataset = fmt.create_dataset(content)
        outcome = peer_resource_class()().import_data(
            dataset, dry_run=False, raise_errors=True, use_transactions=True
        )
        totals = outcome.totals
        result = {
            "ok": not outcome.has_errors(),
            "created": totals.get("new", 0),
            "updated": totals.get("update", 0),
            "unchanged": totals.get("skip", 0),
            "issues": [],
        }
    result["seconds"] = time.perf_counter() - started
    result["businesses"] = Business.objects.count()
    connection.close()
    print(json.dumps(result, ensure_ascii=False))


# --------------------------------------------------------------------------------------------
# The parent: files, databases, children, table.


def write_files(rows: int, seed: int, xlsx_path: Path, csv_path: Path) -> None:
    import xlsxwriter

    from shian.core.models import Region, RegionLevel
    from shian.demo.generator import Township, business_records
    from shian.registry.imports import IMPORT_HEADERS
    from shian.registry.rules import FIELDS

    towns = [
        Township(code, name, population)
        for code, name, population in Region.objects.exclude(level=RegionLevel.DISTRICT)
        .order_by("code")
        .values_list("code", "name", "population")
    ]
    book = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True})
    sheet = book.add_worksheet("经营主体")
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, header in enumerate(IMPORT_HEADERS):
        sheet.write_string(0, col, header)
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(IMPORT_HEADERS)
        for r, record in enumerate(business_records(rows, seed=seed, townships=towns), start=1):
            line = []
            for col, fname in enumerate(FIELDS):
                value = record[fname]
                if fname == "categories":
                    value = "、".join(value)  # type: ignore[arg-type]
                if value is None or value == "":
                    line.append("")
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, col, value, date_fmt)
                    line.append(value.isoformat())
                elif fname in ("longitude", "latitude"):
                    sheet.write_number(r, col, float(value))  # type: ignore[arg-type]
                    line.append(str(value))
                else:
                    sheet.write_string(r, col, str(value))
                    line.append(str(value))
            writer.writerow(line)
    book.close()


class Databases:
    """A migrated template, and a fresh copy of it per measurement (an empty register each time)."""

    def __init__(self, url: str | None, workdir: Path) -> None:
        self.workdir = workdir
        self.postgres = bool(url and url.startswith(("postgres://", "postgresql://")))
        self.created: list[str] = []
        if self.postgres:
            assert url is not None
            self.base_url, _, self.template = url.rpartition("/")
            self.template_url = url
            import psycopg

            with psycopg.connect(f"{self.base_url}/postgres", autocommit=True) as conn:
                if not conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [self.template]
                ).fetchone():
                    conn.execute(f'CREATE DATABASE "{self.template}"')
        else:
            self.template_path = workdir / "template.sqlite3"
            self.template_url = f"sqlite:///{self.template_path}"

    def fresh(self, name: str) -> str:
        if not self.postgres:
            path = self.workdir / f"{name}.sqlite3"
            shutil.copyfile(self.template_path, path)
            return f"sqlite:///{path}"
        import psycopg

        db = f"{self.template}_{name}".replace("-", "_")
        with psycopg.connect(f"{self.base_url}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
            conn.execute(f'CREATE DATABASE "{db}" TEMPLATE "{self.template}"')
        self.created.append(db)
        return f"{self.base_url}/{db}"

    def drop(self) -> None:
        if not self.created:
            return
        import psycopg

        with psycopg.connect(f"{self.base_url}/postgres", autocommit=True) as conn:
            for db in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}"')


def measure(
    mode: str, path: Path, url: str, workdir: Path, timeout: float, *, tag: str = ""
) -> dict[str, Any]:
    """Run one child; its own rusage (wait4) gives CPU time and peak RSS even when it is killed."""
    settings = "bench.bench_settings" if mode == "peer" else "shian.settings"
    tag = tag or path.suffix[1:]
    out_path = workdir / f"{mode}-{tag}.out"
    err_path = workdir / f"{mode}-{tag}.err"
    argv = ["--child", mode, "--file", str(path)]
    if mode == "floor":
        argv += ["--floor", tag]
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), *argv],
            env=_django_env(url, workdir, settings),
            stdout=out,
            stderr=err,
        )
        deadline = time.monotonic() + timeout
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.kill(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                timed_out = True
                break
            time.sleep(0.2)
        proc.returncode = os.waitstatus_to_exitcode(status)
    result: dict[str, Any] = {
        "timed_out": timed_out,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
    }
    if timed_out:
        result["seconds"] = timeout
        return result
    lines = out_path.read_text(encoding="utf-8").strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = err_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise SystemExit(f"{mode} on {path.name} failed (exit {proc.returncode}):\n{tail}")
    result.update(json.loads(lines[-1]))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--peer-timeout", type=float, default=1800.0, help="seconds (default 1800)")
    parser.add_argument("--shian-timeout", type=float, default=1800.0, help="seconds (default 1800)")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: fresh SQLite files)")
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (files, databases)")
    parser.add_argument("--child", choices=["shian", "peer", "dump", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor", choices=sorted(FLOOR_SETS), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        import django

        django.setup()
        if args.child == "dump":
            child_dump(args.file)
        elif args.child == "floor":
            child_floor(args.floor, args.file)
        else:
            child(args.child, args.file)
        return

    workdir = Path(tempfile.mkdtemp(prefix="shian-bench-import-"))
    dbs = Databases(args.database_url or None, workdir)
    try:
        _setup(dbs.template_url, workdir)
        from django.core.management import call_command
        from django.db import connection

        print(f"work folder {workdir}; database {'PostgreSQL' if dbs.postgres else 'SQLite'}", flush=True)
        call_command("migrate", interactive=False, verbosity=0)
        xlsx_path, csv_path = workdir / "register.xlsx", workdir / "register.csv"
        started = time.perf_counter()
        write_files(args.rows, args.seed, xlsx_path, csv_path)
        connection.close()  # the template must have no open connection (SQLite checkpoint, PG TEMPLATE)
        print(
            f"generated {args.rows:,} rows in {time.perf_counter() - started:.0f} s: "
            f"xlsx {xlsx_path.stat().st_size / 1e6:.1f} MB, csv {csv_path.stat().st_size / 1e6:.1f} MB",
            flush=True,
        )

        plan = [("shian", xlsx_path), ("shian", csv_path)]
        if not args.skip_peer:
            plan += [("peer", xlsx_path), ("peer", csv_path)]
        results: dict[tuple[str, str], dict[str, Any]] = {}
        urls: dict[tuple[str, str], str] = {}
        for mode, path in plan:
            fmt = path.suffix[1:]
            print(f"measuring {mode} {fmt} …", flush=True)
            timeout = args.peer_timeout if mode == "peer" else args.shian_timeout
            urls[(mode, fmt)] = dbs.fresh(f"{mode}_{fmt}")
            result = measure(mode, path, urls[(mode, fmt)], workdir, timeout)
            results[(mode, fmt)] = result
            if not result["timed_out"] and (not result["ok"] or result["businesses"] != args.rows):
                raise SystemExit(f"{mode} {fmt} did not import every row: {result}")

        # The floor: shian's own rows from the csv run, inserted again by plain executemany.
        dump_path = workdir / "rows.pickle"
        measure("dump", dump_path, urls[("shian", "csv")], workdir, args.shian_timeout, tag="dump")
        floors: dict[str, dict[str, Any]] = {}
        for which in ("business", "all"):
            print(f"measuring the database floor ({which}) …", flush=True)
            floors[which] = measure(
                "floor", dump_path, dbs.fresh(f"floor_{which}"), workdir, args.shian_timeout, tag=which
            )

        print()
        print(
            f"Import of {args.rows:,} register rows into an empty register "
            f"({'PostgreSQL' if dbs.postgres else 'SQLite'}), one process per measurement"
        )
        print(f"{'tool':<22}{'file':<6}{'rows':>10}{'seconds':>10}{'CPU s*':>9}{'rows/s':>10}{'peak MB':>10}")
        names = {"shian": "shian", "peer": "django-import-export"}
        for (mode, fmt), r in results.items():
            seconds = f"> {r['seconds']:.0f}" if r["timed_out"] else f"{r['seconds']:.1f}"
            rate = (
                f"< {args.rows / r['seconds']:,.0f}" if r["timed_out"] else f"{args.rows / r['seconds']:,.0f}"
            )
            print(
                f"{names[mode]:<22}{fmt:<6}{args.rows:>10,}{seconds:>10}{r['cpu']:>9.1f}{rate:>10}"
                f"{r['peak_mb']:>10.0f}"
            )
        print("* CPU seconds of the whole child process, interpreter and Django start-up included")
        print()
        print(
            "The database's share alone (the same rows, plain executemany or COPY on PostgreSQL, "
            "one transaction with its commit):"
        )
        for which, label in (
            ("business", "the businesses only (what the peer stores)"),
            ("all", "businesses, category links and audit entries (what shian stores)"),
        ):
            f = floors[which]
            rows = ", ".join(f"{n:,} {k.split('.')[1]}" for k, n in f["counts"].items())
            print(f"  {label}: {f['seconds']:.1f} s ({rows})")
        if not args.skip_peer:
            print()
            for fmt in ("xlsx", "csv"):
                ours, peer = results[("shian", fmt)], results[("peer", fmt)]
                ratio = peer["seconds"] / ours["seconds"]
                bound = "at least " if peer["timed_out"] else ""
                print(
                    f"{fmt}: shian is {bound}{ratio:.2f}x the speed of django-import-export "
                    f"(wall clock; CPU {peer['cpu'] / ours['cpu']:.2f}x), "
                    f"peak memory {ours['peak_mb'] / peer['peak_mb']:.2f}x"
                )
            for fmt in ("xlsx", "csv"):
                tenth = results[("peer", fmt)]["seconds"] / 10
                print(
                    f"{fmt}: 10x the peer means {tenth:.1f} s; the database alone takes "
                    f"{floors['business']['seconds']:.1f} s for the businesses and "
                    f"{floors['all']['seconds']:.1f} s for all shian stores "
                    f"({'within' if floors['all']['seconds'] <= tenth else 'beyond'} reach)"
                )
            print(
                f"note: {PEER_NOTE}; shian also validates every code and writes "
                f"{args.rows:,} audit entries and the category links."
            )
    finally:
        dbs.drop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    from machine import describe  # bench/machine.py: the script's folder is on sys.path

    print(describe(), flush=True)
    main()
    print(describe(), flush=True)
