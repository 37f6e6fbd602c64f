"""Benchmark of sampling: judging 100,000 test items against the limit book (target < 5 s).
Run: .venv/bin/python bench/bench_sampling.py"""

from __future__ import annotations

import datetime as dt
import random
import time

from shian.sampling import rules

N = 100_000


def main() -> None:
    book = rules.default_limit_book()
    rng = random.Random(20260101)
    # Rows scoped by sampling category, and rows on the standards' trees with a food placed there.
    legacy = [
        (r, r.foods[0] if r.foods else "样品", "-".join(r.categories[:1]) or "食品")
        for rs in book.rules.values()
        for r in rs
        if r.spec.kind in (rules.LimitKind.MAX, rules.LimitKind.PLAN)
    ]
    names = sorted(book.foods)
    placed = []
    for rs_by_tree in book.tree_rules.values():
        for rs in rs_by_tree.values():
            for r in rs:
                if r.spec.kind != rules.LimitKind.MAX or r.floor:
                    continue
                foods = [n for n in names if book.foods[n].paths.get(r.tree, ())[: len(r.path)] == r.path]
                if foods:
                    placed.append((r, rng.choice(foods), ""))
    rows = legacy + placed
    cases = []
    for _ in range(N):
        r, food, category = rng.choice(rows)
        # Every result a different string, as a lab's are: the parser's cache must not flatter.
        if r.spec.kind == rules.LimitKind.MAX and r.spec.value is not None:
            result = f"{float(r.spec.value) * rng.uniform(0, 2):.5g}{r.spec.unit}"
        else:
            counts = ";".join(str(rng.randrange(0, 10_000)) for _ in range(5))
            result = counts + r.spec.unit
        cases.append((r.item, result, food, category))
    for cached in (rules.clean_text, rules.parse_result):
        cached.cache_clear()
    start, cpu_start = time.perf_counter(), time.process_time()
    verdicts = [
        rules.judge(book=book, item=i, result=res, food=f, category=c, on=dt.date(2026, 3, 1)).verdict
        for i, res, f, c in cases
    ]
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    undetermined = verdicts.count(rules.Verdict.UNDETERMINED)
    print(
        f"judged {N} test items in {elapsed:.2f} s wall, {cpu:.2f} s CPU ({N / elapsed:,.0f}/s; target < 5 s); "
        f"limit rows {len(rows)} (on the standards' trees {len(placed)}); undetermined {undetermined}"
    )


if __name__ == "__main__":
    from machine import describe  # bench/machine.py: the script's folder is on sys.path

    print(describe(), flush=True)
    main()
    print(describe(), flush=True)
