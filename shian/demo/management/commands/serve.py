"""`shian serve`: serve the platform.

With one worker (the default) it runs waitress, a pure-Python WSGI server that runs the same on
Linux and on the Windows machines of government intranets: one process, threads sharing one
interpreter. With `--workers N` (N > 1, or 0 for one per core plus one) it runs gunicorn: N worker
processes serving the same WSGI application (`shian.wsgi`), so every core works. gunicorn runs on
Linux and other Unix systems only; on Windows `--workers` falls back to waitress with a warning.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def default_workers() -> int:
    """One process per core plus one: a worker waiting on the database leaves its core to another."""
    return (os.cpu_count() or 1) + 1


class Command(BaseCommand):
    help = (
        "Serve shian on HOST:PORT (default 127.0.0.1:8000): waitress with one worker, "
        "gunicorn with --workers N (N processes; 0 = one per core plus one)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="worker processes; 1 = waitress in one process, N > 1 = gunicorn, 0 = cores + 1",
        )
        parser.add_argument(
            "--threads", type=int, default=None, help="threads per worker (waitress 8, gunicorn 2)"
        )
        parser.add_argument(
            "--trusted-proxy",
            default="127.0.0.1",
            help="address of the reverse proxy that terminates TLS (its X-Forwarded-Proto is believed)",
        )
        parser.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations first")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db import connections

        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        # Worker processes are forked from this one: none may inherit its database connection.
        connections.close_all()
        workers = options["workers"] if options["workers"] > 0 else default_workers()
        host, port = options["host"], options["port"]
        if workers > 1 and sys.platform != "win32":
            threads = options["threads"] or 2
            self.stdout.write(
                f"shian: http://{host}:{port}/  gunicorn, {workers} 个进程 × {threads} 线程 (Ctrl+C 停止)"
            )
            self.stdout.flush()
            serve_gunicorn(
                host=host, port=port, workers=workers, threads=threads, trusted_proxy=options["trusted_proxy"]
            )
            return
        if workers > 1:
            self.stderr.write(
                "gunicorn 不支持 Windows，改用 waitress 单进程 / gunicorn needs Unix: using waitress"
            )
        from waitress import serve

        from shian.wsgi import application

        self.stdout.write(f"shian: http://{host}:{port}/  (Ctrl+C 停止)")
        self.stdout.flush()
        serve(
            application,
            host=host,
            port=port,
            threads=options["threads"] or 8,
            ident="shian",
            trusted_proxy=options["trusted_proxy"],
            trusted_proxy_headers={"x-forwarded-proto"},
        )


def serve_gunicorn(*, host: str, port: int, workers: int, threads: int, trusted_proxy: str) -> None:
    """Run gunicorn in this process (it becomes the arbiter) with `workers` forked workers."""
    from gunicorn.app.base import BaseApplication

    class ShianApplication(BaseApplication):
        def load_config(self) -> None:
            settings = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                # gthread: keep-alive connections and slow clients do not hold a whole process.
                "worker_class": "gthread" if threads > 1 else "sync",
                "timeout": 120,  # a large export or report may take a minute
                "graceful_timeout": 30,
                "max_requests": 5000,  # recycle workers now and then (bounded memory)
                "max_requests_jitter": 500,
                "accesslog": None,
                "errorlog": "-",
                "proc_name": "shian",
                "forwarded_allow_ips": trusted_proxy,
                "control_socket_disable": True,  # several servers on one host would share its path
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from shian.wsgi import application

            return application

    ShianApplication().run()
