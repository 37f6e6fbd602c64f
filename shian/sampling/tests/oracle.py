"""The 2026 provincial bulletins as the test oracle of limit rows: which failed items a file's rows
judge, for the tests to check against the limit each bulletin printed (never a source of rows)."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

from shian.sampling import bulletins, rules

BULLETIN = (
    Path(__file__).resolve().parents[3]
    / ".."
    / "shared"
    / "reference"
    / "bulletins"
    / "unqualified-2026-sd-ah-zj.json"
)


def row_ids(data_file: Path) -> set[str]:
    return {r["id"] for r in tomllib.loads(data_file.read_text(encoding="utf-8"))["limit"]}


def items_reached(
    data_file: Path, book: rules.LimitBook, *, each_category: bool = False
) -> list[tuple[str, bulletins.FailedItem, rules.Judgment]]:
    """Each bulletin failed item that a row of `data_file` judges: (record id, the item, the
    platform's judgment), the food placed by its compiled name and the record's category (or, with
    `each_category`, by its category and by its sub-category in turn)."""
    ids = row_ids(data_file)
    reached = []
    for rec in json.loads(BULLETIN.read_text(encoding="utf-8"))["records"]:
        food = str(rec.get("food_name_canonical") or rec.get("food_name_raw") or "")
        on = bulletins.record_date(rec.get("prod_date"), dt.date(2026, 1, 1))
        if each_category:
            categories = sorted({str(rec.get("category") or ""), str(rec.get("sub_category") or "")} - {""})
        else:
            categories = [str(rec.get("category") or rec.get("sub_category") or "")]
        for category in categories:
            for f in bulletins.parse_failed_items(str(rec.get("fail_raw") or "")):
                j = rules.judge(book=book, item=f.item, result=f.result, food=food, category=category, on=on)
                if j.rule_id in ids:
                    reached.append((str(rec["id"]), f, j))
    return reached


def assert_gb2763_rows_on_tree(data_file: Path, book: rules.LimitBook, at_least: int) -> None:
    """Every row of a GB 2763-2021 file parses as a maximum from memory [M], names its pesticide's
    table in 第4章 and sits on a node of the commodity tree."""
    rows = tomllib.loads(data_file.read_text(encoding="utf-8"))["limit"]
    assert len(rows) >= at_least
    nodes = {
        fc.paths["GB 2763"][:i] for fc in book.foods.values() if "GB 2763" in fc.paths for i in range(1, 6)
    }
    book_rows = {r.row_id: r for by in book.tree_rules.values() for r in by.get("GB 2763", ())}
    for row in rows:
        rule = book_rows[row["id"]]
        assert rule.tree == "GB 2763" and rule.verification == "M", row["id"]
        assert rule.clause.startswith(f"第4章 {row['item']} "), row["id"]
        assert rule.editions == ("GB 2763-2021",) and rule.spec.kind == rules.LimitKind.MAX, row["id"]
        assert rule.path in nodes, row["id"]
