"""A capturing process of its own for the concurrency tests (test_concurrent.py), as an API worker
process is: Django on the database named by DATABASE_URL, one job read from the JSON file named
on the command line, one JSON line printed with what came of it.

Jobs: {"seed": [[pk, name, credit_code, town], ...]} registers businesses; {"document": …}
captures it through services.epcis_capture as the API calls it, with, for the test's timing:
  "signal": a folder where the process writes `<name>.prepared` when its document is made ready
            (before its transaction opens) and `<name>.held` after it looked up the events held
            (inside its transaction); "name" names the process;
  "wait_for": file names in that folder the process waits for after its look-up of held events
            (inside its transaction), up to 60 s;
  "fail": the write to refuse (its rows' table name; the capture's transaction then fails).

    DATABASE_URL=… python -m shian.trace.tests.capture_worker job.json
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def _touch(folder: Path, name: str) -> None:
    (folder / name).write_text("", encoding="utf-8")


def _wait(folder: Path, names: list[str]) -> None:
    deadline = time.monotonic() + 60
    while not all((folder / n).exists() for n in names):
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited 60 s for {names}")
        time.sleep(0.02)


def run(job: dict[str, Any]) -> dict[str, Any]:
    from shian.core.models import AuditSource, Region
    from shian.registry.models import Business, BusinessType
    from shian.trace import services

    if "seed" in job:
        for pk, name, code, town in job["seed"]:
            Business.objects.create(
                pk=pk,
                name=name,
                credit_code=code,
                business_type=BusinessType.WHOLESALE_RETAIL,
                region=Region.objects.get(pk=town),
            )
        return {"seeded": len(job["seed"])}
    folder = Path(job["signal"])
    name = job["name"]
    real_prepare, real_held, real_insert = services._prepare, services._held, services.insert_rows

    def prepare(**kw: Any) -> Any:
        plan = real_prepare(**kw)
        _touch(folder, f"{name}.prepared")
        return plan

    def held(prepared: Any) -> set[str]:
        out = real_held(prepared)
        _touch(folder, f"{name}.held")
        _wait(folder, job.get("wait_for", []))
        return out

    def insert_rows(model: Any, *args: Any, **kw: Any) -> int:
        if model._meta.db_table == job.get("fail"):
            raise RuntimeError(f"{model._meta.db_table} refused")
        return real_insert(model, *args, **kw)

    services._prepare, services._held, services.insert_rows = prepare, held, insert_rows
    try:
        result = services.epcis_capture(
            by=None, document=job["document"], source=AuditSource.API, check_permission=False
        )
    except Exception as exc:  # reported to the test
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {
        "total": result.total,
        "new": result.new,
        "duplicate": result.duplicate,
        "attempts": result.attempts,
        "capture": result.capture.pk if result.capture else None,
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
    import django

    django.setup()
    job = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    print(json.dumps(run(job)), flush=True)


if __name__ == "__main__":
    main()
