"""Benchmark: the running server under N concurrent logged-in clients, old and new side by side.

Builds a demo database once (`shian demo --no-serve`, the same generator as `make demo`), then for
each server set-up — today's single process (waitress, `shian serve`) and the multi-process one
(gunicorn, `shian serve --workers N`) — starts it on loopback, logs N clients in, and drives it:

1. list only: every client fetches register list pages (page, town filter) for `--seconds`;
2. the mix: list 45 %, search 20 %, detail 15 %, API list 15 %, a write (a new business through
   the API) 5 %, for `--seconds`.

Prints requests/s, p50/p95/p99 and errors per kind, with the load average, and afterwards checks
that every write answered 201 is in the database and that `shian audit verify` passes. Exit 1 when
a check fails (not when a speed target is missed). Not a timed test.

    .venv/bin/python bench/bench_load.py                       # district demo, 8 clients, 20 s phases
    .venv/bin/python bench/bench_load.py --clients 8 --workers 0 --seconds 30
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests

from shian.core.rules import make_credit_code

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
SHIAN = [sys.executable, "-m", "shian"]
WORDS = ["鑫", "餐厅", "超市", "福", "食品", "面馆", "瑞丰", "便利店", "火锅", "隆"]
# District officers and town officers, as at a quarter-end: the demo's own accounts.
USERS = ["officer", "admin", "guoyuan", "tianmu", "officer", "viewer", "inspector", "officer"]
WRITERS = {"officer", "admin", "guoyuan", "tianmu"}
PROXY = {"X-Forwarded-Proto": "https"}
SERIAL = itertools.count(1)


@dataclass
class Stats:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, ok: bool, note: str = "") -> None:
        with self.lock:
            if ok:
                self.times[kind].append(seconds)
            else:
                self.errors[kind] += 1
                if len(self.error_samples) < 5:
                    self.error_samples.append(f"{kind}: {note}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def build_database(env: dict[str, str], scale: str) -> None:
    marker = Path(env["SHIAN_DATA_DIR"]) / f"demo-{scale}.built"
    if marker.exists():
        print(f"demo database: reusing {env['DATABASE_URL']}", flush=True)
        return
    print(f"demo database: building ({scale}) with `shian demo --no-serve` …", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [*SHIAN, "demo", "--scale", scale, "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    marker.write_text(f"{time.perf_counter() - started:.0f} s\n")
    print(f"demo database: built in {time.perf_counter() - started:.0f} s", flush=True)


def start_server(env: dict[str, str], workers: int, port: int) -> subprocess.Popen[bytes]:
    cmd = [*SHIAN, "serve", "--port", str(port), "--no-migrate", "--workers", str(workers)]
    log = open(OUT / f"bench_load-server-{port}.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            r = requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=2, headers=PROXY)
            if r.status_code == 200:
                return proc
        except requests.RequestException:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("the server did not answer within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _keep_cookies(s: requests.Session) -> None:
    """The server runs with its production settings behind a (pretend) TLS proxy: its cookies are
    Secure, which a client speaking plain HTTP on loopback would not send back. Keep them plain."""
    for c in list(s.cookies):
        if c.secure:
            s.cookies.clear(c.domain, c.path, c.name)
            s.cookies.set(c.name, c.value, path=c.path)


def group_cpu_seconds(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of a process group: the server
    and its workers. Read from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # field 5 of stat: the process group
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def login(base: str, username: str, password: str) -> requests.Session:
    s = requests.Session()
    # As behind the reverse proxy that terminates TLS in production (SECURE_PROXY_SSL_HEADER).
    s.headers["X-Forwarded-Proto"] = "https"
    page = s.get(f"{base}/accounts/login/", timeout=30)
    _keep_cookies(s)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    r = s.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base.replace('http:', 'https:')}/accounts/login/"},
        timeout=30,
        allow_redirects=False,
    )
    assert r.status_code == 302, f"login of {username} failed: {r.status_code}"
    _keep_cookies(s)
    return s


class Client(threading.Thread):
    def __init__(
        self,
        *,
        base: str,
        session: requests.Session,
        username: str,
        token: str,
        towns: list[str],
        ids: list[int],
        mix: list[tuple[str, int]],
        until: float,
        stats: Stats,
        seed: int,
    ) -> None:
        super().__init__(daemon=True)
        self.base, self.s, self.username, self.token = base, session, username, token
        self.towns, self.ids, self.until, self.stats = towns, ids, until, stats
        self.rng = random.Random(seed)
        self.kinds = [k for k, _ in mix]
        self.weights = [w for _, w in mix]

    def run(self) -> None:
        while time.monotonic() < self.until:
            kind = self.rng.choices(self.kinds, self.weights)[0]
            if kind == "write" and self.username not in WRITERS:
                kind = "list"
            started = time.perf_counter()
            try:
                ok, note = getattr(self, f"do_{kind}")()
            except requests.RequestException as exc:
                ok, note = False, repr(exc)
            self.stats.add(kind, time.perf_counter() - started, ok, note)

    def _get(
        self, path: str, *, params: dict[str, str] | None = None, ok: tuple[int, ...] = (200,)
    ) -> tuple[bool, str]:
        r = self.s.get(f"{self.base}{path}", params=params, timeout=30)
        return r.status_code in ok, f"{r.status_code} {path}"

    def do_list(self) -> tuple[bool, str]:
        params = {"page": str(self.rng.randint(1, 20))}
        if self.rng.random() < 0.5:
            params["region"] = self.rng.choice(self.towns)
        return self._get("/registry/businesses/", params=params)

    def do_search(self) -> tuple[bool, str]:
        return self._get("/registry/businesses/", params={"q": self.rng.choice(WORDS)})

    def do_detail(self) -> tuple[bool, str]:
        # A town officer opening a business of another town gets 404, the right answer.
        return self._get(f"/registry/businesses/{self.rng.choice(self.ids)}/", ok=(200, 404))

    def do_api(self) -> tuple[bool, str]:
        r = self.s.get(
            f"{self.base}/api/v1/businesses/",
            params={"page": self.rng.randint(1, 20), "q": self.rng.choice(["", "", self.rng.choice(WORDS)])},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        return r.status_code == 200, f"{r.status_code} api list"

    def do_write(self) -> tuple[bool, str]:
        n = next(SERIAL)
        name = f"压测新店{n:07d}号"
        town = self.rng.choice(self.towns)
        code = make_credit_code(authority="9", kind="1", division="120113", org_body=f"{90000000 + n:08d}")
        r = self.s.post(
            f"{self.base}/api/v1/businesses/",
            json={
                "name": name,
                "credit_code": code,
                "business_type": "catering",
                "region_code": town,
                "address": "北辰区压测路1号",
            },
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        if r.status_code == 201:
            with self.stats.lock:
                self.stats.written.append(name)
            return True, ""
        return False, f"{r.status_code} write {r.text[:160]}"


def drive(
    *,
    base: str,
    sessions: list[tuple[str, requests.Session, str]],
    towns: dict[str, list[str]],
    ids: list[int],
    mix: list[tuple[str, int]],
    seconds: float,
    run_id: int,
) -> tuple[Stats, float]:
    stats = Stats()
    until = time.monotonic() + seconds
    clients = [
        Client(
            base=base,
            session=s,
            username=u,
            token=t,
            towns=towns[u],
            ids=ids,
            mix=mix,
            until=until,
            stats=stats,
            seed=i + 100 * run_id,
        )
        for i, (u, s, t) in enumerate(sessions)
    ]
    started = time.perf_counter()
    for c in clients:
        c.start()
    for c in clients:
        c.join()
    return stats, time.perf_counter() - started


def report(label: str, phase: str, stats: Stats, elapsed: float) -> list[str]:
    rows = []
    kinds = sorted(set(stats.times) | set(stats.errors))
    total = sum(len(v) for v in stats.times.values())
    errors = sum(stats.errors.values())
    for kind in kinds:
        t = stats.times.get(kind, [])
        rows.append(
            f"{label:<26} {phase:<5} {kind:<7} {len(t) / elapsed:7.1f}/s  p50 {pct(t, 0.5):6.0f}  "
            f"p95 {pct(t, 0.95):6.0f}  p99 {pct(t, 0.99):6.0f} ms  errors {stats.errors.get(kind, 0)}"
        )
    rows.append(f"{label:<26} {phase:<5} {'all':<7} {total / elapsed:7.1f}/s  errors {errors}")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="district", choices=["district", "city"])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (0 = cores + 1)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--only", choices=["old", "new"], help="measure one set-up only")
    args = parser.parse_args()

    data_dir = OUT / f"load-{args.scale}"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shian.settings",
        "SHIAN_DATA_DIR": str(data_dir),
        "SHIAN_SECRET_KEY": "bench-load-" + "x" * 50,
        "SHIAN_ALLOWED_HOSTS": "127.0.0.1",
        "SHIAN_DEBUG": "false",  # the production settings, as served
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{data_dir / 'shian.sqlite3'}")
    os.environ.update(env)
    build_database(env, args.scale)

    import django

    django.setup()
    from django.db import connections

    from shian.core.models import User
    from shian.core.tokens import api_token_create
    from shian.demo.services import demo_password
    from shian.registry.models import Business
    from shian.registry.selectors import business_queryset_for_user

    seed = 2022
    users = (USERS * (args.clients // len(USERS) + 1))[: args.clients]
    towns: dict[str, list[str]] = {}
    tokens: dict[str, str] = {}
    for username in set(users):
        user = User.objects.get(username=username)
        towns[username] = sorted(
            set(business_queryset_for_user(user=user).values_list("region_id", flat=True))
        )
        _token, key = api_token_create(user=user, name=f"bench-load-{time.time_ns()}", source="command")
        tokens[username] = key
    ids = list(Business.objects.order_by("?").values_list("id", flat=True)[:2000])
    global SERIAL  # new businesses' serials continue those of earlier runs on this database
    SERIAL = itertools.count(Business.objects.filter(name__startswith="压测新店").count() + 1)
    connections.close_all()

    setups = [
        ("old: waitress, 1 process", 1),
        (f"new: gunicorn, {args.workers or os.cpu_count()} …", args.workers),
    ]
    if args.only:
        setups = setups[:1] if args.only == "old" else setups[1:]
    list_mix = [("list", 1)]
    full_mix = [("list", 45), ("search", 20), ("detail", 15), ("api", 15), ("write", 5)]
    lines: list[str] = []
    written: list[str] = []
    run_id = 0
    all_errors: list[str] = []
    for label, workers in setups:
        port = free_port()
        proc = start_server(env, workers, port)
        if workers != 1:
            from shian.demo.management.commands.serve import default_workers

            label = f"new: gunicorn, {workers or default_workers()} processes"
        base = f"http://127.0.0.1:{port}"
        try:
            sessions = [(u, login(base, u, demo_password(u, seed)), tokens[u]) for u in users]
            run_id += 1
            drive(
                base=base, sessions=sessions, towns=towns, ids=ids, mix=full_mix, seconds=3, run_id=run_id
            )  # warm-up
            for phase, mix in (("list", list_mix), ("mix", full_mix)):
                load_before = os.getloadavg()[0]
                cpu_server, cpu_client = group_cpu_seconds(proc.pid), time.process_time()
                run_id += 1
                stats, elapsed = drive(
                    base=base,
                    sessions=sessions,
                    towns=towns,
                    ids=ids,
                    mix=mix,
                    seconds=args.seconds,
                    run_id=run_id,
                )
                lines += report(label, phase, stats, elapsed)
                done = sum(len(v) for v in stats.times.values()) + sum(stats.errors.values())
                server_ms = (group_cpu_seconds(proc.pid) - cpu_server) / max(done, 1) * 1000
                client_ms = (time.process_time() - cpu_client) / max(done, 1) * 1000
                # One process runs Python on one core at a time; N processes on up to N cores.
                cores = 1 if workers == 1 else min(os.cpu_count() or 1, workers or 99)
                lines.append(
                    f"{label:<26} {phase:<5} CPU per request: server {server_ms:.1f} ms, client {client_ms:.1f} ms"
                    f" → on {cores} idle core(s): ≤ {cores * 1000 / (server_ms + client_ms):.0f}/s"
                )
                lines.append(
                    f"{label:<26} {phase:<5} load average {load_before:.1f} → {os.getloadavg()[0]:.1f}"
                )
                written += stats.written
                all_errors += stats.error_samples
        finally:
            stop_server(proc)

    print(
        f"\n{args.clients} clients, {args.seconds:.0f} s per phase, {os.cpu_count()} cores, {args.scale} demo"
    )
    print("\n".join(lines))
    for e in all_errors:
        print("  error:", e)

    # Afterwards: every write is there, and the audit chain is whole.
    warmup_names = set(written)
    present = set(Business.objects.filter(name__in=warmup_names).values_list("name", flat=True))
    missing = warmup_names - present
    print(f"writes answered 201: {len(warmup_names)}, present in the register: {len(present)}")
    verify = subprocess.run([*SHIAN, "audit", "verify"], env=env, capture_output=True, text=True)
    print(f"shian audit verify: exit {verify.returncode}: {verify.stdout.strip().splitlines()[-1:]}")
    return 1 if missing or verify.returncode != 0 else 0


if __name__ == "__main__":
    from machine import describe  # bench/machine.py: the script's folder is on sys.path

    print(describe(), flush=True)
    code = main()
    print(describe(), flush=True)
    raise SystemExit(code)
