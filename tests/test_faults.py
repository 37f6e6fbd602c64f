"""Faults the platform must survive: the process killed (SIGKILL) in the middle of an import, a
regrade or an export, and a full disk during an export or a backup.

Each case runs the real `shian` command in a child process against a SQLite file copied from the
migrated test database. The kill is exact: a database hook in the child sends itself SIGKILL right
after the command's first bulk write has executed (inside its transaction, before the commit). A
full disk is a file-size limit (RLIMIT_FSIZE) on the child: every write past it fails with EFBIG,
as a write to a full disk fails with ENOSPC. Afterwards: nothing partial in the database or on the
disk, the audit chain whole, and the next run succeeds.

The faults are the same on PostgreSQL (a transaction of a killed client is rolled back by the
server); these tests run on SQLite only. On PostgreSQL: a server restart under a running server.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from shian.registry.tests.test_imports import csv_bytes, register_rows

pytestmark = pytest.mark.django_db  # the migrated test database is the template of the children's files
sqlite_file = pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"], reason="child processes use a SQLite file"
)

SEEDED = 2500  # businesses in the template database: two chunks of the export
IMPORTED = 2000  # rows of the import file

# The child: `shian ARGS…`, killed by itself after the N-th execution of SQL containing KILL_AFTER.
RUNNER = """
import os, signal, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
import django
django.setup()
from django.db.backends.signals import connection_created
pattern, hits = os.environ.get("KILL_AFTER"), [0]
def hook(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if pattern and pattern in sql:
        hits[0] += 1
        if hits[0] >= int(os.environ.get("KILL_AFTER_N", "1")):
            os.kill(os.getpid(), signal.SIGKILL)
    return result
connection_created.connect(lambda sender, connection, **kw: connection.execute_wrappers.append(hook), weak=False)
if os.environ.get("SEED"):
    from shian.demo.services import demo_register_generate
    demo_register_generate(count=int(os.environ["SEED"]), seed=3)
    sys.exit(0)
from shian.cli import main
# Several commands in one child (its start-up costs more than most commands): A… + B….
args, commands = sys.argv[1:], [[]]
for arg in args:
    commands.append([]) if arg == "+" else commands[-1].append(arg)
for command in commands:
    main(["shian", *command])
"""


def _limit_file_size(limit: int):
    def apply() -> None:
        # Past the limit a write fails with EFBIG instead of the default SIGXFSZ killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


class Site:
    """One SQLite database file and a data directory, with the `shian` command run against them."""

    def __init__(self, root: Path, template: Path) -> None:
        self.root = root
        self.db = root / "shian.sqlite3"
        shutil.copy(template, self.db)
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.db}",
            "SHIAN_DATA_DIR": str(root),
            "SHIAN_SECRET_KEY": "faults-" + "k" * 50,
            "DJANGO_SETTINGS_MODULE": "shian.settings",
        }

    def run(
        self, *args: str, kill_after: str = "", kill_n: int = 1, seed: int = 0, fsize: int = 0
    ) -> subprocess.CompletedProcess:
        env = {**self.env, "KILL_AFTER": kill_after, "KILL_AFTER_N": str(kill_n), "SEED": str(seed or "")}
        return subprocess.run(
            [sys.executable, "-c", RUNNER, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=_limit_file_size(fsize) if fsize else None,
        )

    def count(self, sql: str) -> int:
        with sqlite3.connect(self.db) as db:
            return int(db.execute(sql).fetchone()[0])


@pytest.fixture(scope="module")
def template(tmp_path_factory, django_db_setup, django_db_blocker) -> tuple[Path, Path]:
    """The migrated test database copied to a file and seeded with a register; an import file."""
    root = tmp_path_factory.mktemp("faults")
    path = root / "template.sqlite3"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        content = csv_bytes(register_rows(IMPORTED, seed=9, start_serial=50_000))
    upload = root / "register.csv"
    upload.write_bytes(content)
    (root / "seed").mkdir()
    seeded = Site(root / "seed", path)
    result = seeded.run(seed=SEEDED)
    assert result.returncode == 0, result.stderr
    shutil.copy(seeded.db, path)
    return path, upload


@pytest.fixture
def site(template, tmp_path) -> Site:
    return Site(tmp_path, template[0])


@sqlite_file
def test_an_import_killed_mid_write_leaves_nothing_and_the_next_run_imports(site, template):
    upload = str(template[1])
    audits = site.count("SELECT COUNT(*) FROM core_auditentry")

    killed = site.run("import", "businesses", upload, kill_after='INSERT INTO "registry_business"')
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert site.count("SELECT COUNT(*) FROM registry_business") == SEEDED  # the batch was not committed
    assert site.count("SELECT COUNT(*) FROM core_auditentry") == audits

    again = site.run("import", "businesses", upload, "+", "audit", "verify")
    assert again.returncode == 0, again.stdout + again.stderr
    assert site.count("SELECT COUNT(*) FROM registry_business") == SEEDED + IMPORTED
    assert site.count("SELECT COUNT(*) FROM core_auditentry") == audits + IMPORTED + 1  # + the file's entry


@sqlite_file
def test_a_regrade_killed_mid_write_keeps_no_grade_and_the_next_run_grades_all(site):
    killed = site.run("risk", "regrade", "--on", "2024-12-31", kill_after='INSERT INTO "risk_riskgrade"')
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert site.count("SELECT COUNT(*) FROM risk_riskgrade") == 0
    assert site.count("SELECT COUNT(*) FROM core_auditentry WHERE object_type = 'risk.regrade'") == 0

    again = site.run("risk", "regrade", "--on", "2024-12-31", "+", "audit", "verify")
    assert again.returncode == 0, again.stderr
    assert site.count("SELECT COUNT(*) FROM risk_riskgrade") > SEEDED // 2
    assert site.count("SELECT COUNT(*) FROM core_auditentry WHERE object_type = 'risk.regrade'") == 1


@sqlite_file
def test_an_export_killed_half_way_leaves_no_workbook_and_the_next_run_writes_it(site):
    out = site.root / "exports" / "register.xlsx"
    # Killed while the workbook is being written: the first 2,000 rows are in the sheet, the
    # second chunk's food categories (the 4th query on them: 900 + 900 + 200 ids, then 500) are read.
    killed = site.run(
        "export", "businesses", str(out), kill_after='"registry_businessfoodcategory"', kill_n=4
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not out.exists()
    exports = "SELECT COUNT(*) FROM core_auditentry WHERE action = 'export'"
    assert site.count(exports) == 0

    again = site.run("export", "businesses", str(out), "+", "audit", "verify")
    assert again.returncode == 0, again.stderr
    import openpyxl

    sheet = openpyxl.load_workbook(out, read_only=True)["经营主体"]
    assert sheet.max_row == SEEDED + 1
    assert site.count(exports) == 1


@sqlite_file
@pytest.mark.parametrize("command", ["export", "backup"])
def test_a_full_disk_fails_cleanly_and_leaves_no_file(site, command):
    out = site.root / "out" / ("register.xlsx" if command == "export" else "backup.sqlite3")
    args = ["export", "businesses", str(out)] if command == "export" else ["backup", str(out)]
    # Room for 64 KB per file: the export's workbook and the backup's copy need more.
    full = site.run(*args, fsize=64 * 1024)
    # One clear line naming the file (SQLite reports a write past the limit as an I/O error, a
    # full disk as "database or disk is full"; an OSError ENOSPC or EFBIG reads 磁盘空间不足).
    assert full.returncode == 1, (full.returncode, full.stderr)
    assert full.stderr.startswith("CommandError: ") and "Traceback" not in full.stderr, full.stderr
    assert f"{out} not written" in full.stderr
    assert list(out.parent.iterdir()) == []  # no partial file, no manifest
    assert site.count("SELECT COUNT(*) FROM core_auditentry WHERE action = 'export'") == 0


# -- PostgreSQL restarted under a running server ------------------------------------------------


def test_a_dropped_database_connection_is_replaced_at_the_next_request():
    """Connections are kept between requests and checked before reuse: when PostgreSQL restarts
    (here: the server ends the connection's backend, as a restart does), the request in flight
    gets an error and the next request a new connection — no server restart."""
    from django.db import connections
    from django.db.utils import Error as DatabaseError

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    if connection.vendor != "postgresql":
        pytest.skip("the restart of a database server: PostgreSQL")
    # A server's own connection (the test's is inside the test's transaction).
    served = connections.create_connection("default")

    def restart_database() -> None:
        with served.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
        with connection.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", [pid])

    def next_request() -> int:
        served.close_if_unusable_or_obsolete()  # what Django does when a request starts
        with served.cursor() as cur:
            cur.execute("SELECT 1")
            return int(cur.fetchone()[0])

    try:
        # Restarted while the server was idle: the next request does not even notice.
        restart_database()
        assert next_request() == 1
        # Restarted during a request: that request fails, the next one works.
        restart_database()
        with pytest.raises(DatabaseError), served.cursor() as cur:
            cur.execute("SELECT 1")
        assert next_request() == 1
    finally:
        served.close()


# -- Serving on every core ----------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:  # field 4: the parent
                        out.append(int(entry))
            except OSError:
                continue
    return out


@sqlite_file
def test_serve_with_workers_runs_that_many_processes_of_the_application(site):
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**site.env, "SHIAN_ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "shian", "serve", "--workers", "2", "--port", str(port), "--no-migrate"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def get() -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/accounts/login/", headers={"X-Forwarded-Proto": "https"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return int(response.status)

    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                assert get() == 200
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.5)
        # Two workers under the one gunicorn arbiter. The arbiter forks them one after another
        # with a short random pause, so the first may answer before the second exists: wait for
        # it (never for a third).
        settle = time.monotonic() + 30
        while len(_children(server.pid)) < 2 and time.monotonic() < settle:
            time.sleep(0.2)
        assert len(_children(server.pid)) == 2
        assert [get() for _ in range(6)] == [200] * 6
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
