"""Converting the compiled tables of the limit standards into the platform's own rule data
(data/gb2762-contaminants.json, data/gb2760-additives.json): one row per limit, each naming its
standard, edition, table and the category path it applies to, with the standard's exceptions
("……除外") as a list. Run by `shian sampling convert-standards DIR`; the output is reviewed and
committed like any other rule data. Pure Python, no Django import."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

GB2762_FILE = "gb2762-2025-contaminants.json"
GB2760_FILE = "gb2760-2024-additives.json"

# GB 2762 table name -> the test item as labs and the sampling rules write it.
CONTAMINANT_ITEMS = {
    "铅": "铅(以Pb计)",
    "镉": "镉(以Cd计)",
    "总汞": "总汞(以Hg计)",
    "甲基汞": "甲基汞",
    "总砷": "总砷(以As计)",
    "无机砷": "无机砷",
    "锡": "锡(以Sn计)",
    "镍": "镍(以Ni计)",
    "铬": "铬(以Cr计)",
    "亚硝酸盐": "亚硝酸盐",
    "硝酸盐": "硝酸盐",
    "苯并[a]芘": "苯并[a]芘",
    "N-二甲基亚硝胺": "N-二甲基亚硝胺",
    "多氯联苯": "多氯联苯",
    "3-氯-1,2-丙二醇": "3-氯-1,2-丙二醇",
}

_BRACKET = re.compile(r"\[[^\]]*\]")
_EXCEPT = re.compile(r"([^。]*?)除外")
_BASIS = re.compile(r"以\s*([A-Za-z0-9₀-₉⁻\-+]+)\s*计")
_SPLIT = re.compile(r"[、，,﹑]|及以上食用菌的制品|及以上")


def _names(text: str) -> list[str]:
    out = []
    for part in _SPLIT.split(text):
        p = re.sub(r"[（(][^）)]*[）)]", "", part).strip(" 　:：")
        if p and p not in out:
            out.append(p)
    return out


def exceptions_of(remark: str) -> list[str]:
    """The foods a row does not apply to, from the remark's "芸薹类蔬菜、叶菜蔬菜…除外" sentence
    (qualifiers in brackets, "大米（粉）", dropped)."""
    text = remark
    for _ in range(3):
        text = re.sub(r"[（(][^（()）]*[）)]", "", text)
    found: list[str] = []
    for m in _EXCEPT.finditer(text):
        for n in _names(m.group(1).replace("仅限", "")):
            if n not in found:
                found.append(n)
    return found


def convert_gb2762(src: dict[str, Any]) -> dict[str, Any]:
    std = src["standard"]
    rows = []
    for table in src["additives"]:  # the per-table listing of the compiled file
        item = CONTAMINANT_ITEMS.get(table["name"])
        if item is None:
            raise ValueError(f"GB 2762 table {table['name']!r} has no test item name")
        seen: set[tuple[tuple[str, ...], str]] = set()
        for i, r in enumerate(table["rows"], start=1):
            path = tuple(_BRACKET.sub("", p).strip() for p in r["parts"])
            key = (path, r["limit"])
            if key in seen:
                continue
            seen.add(key)
            remark = str(r.get("remark") or "")
            basis = _BASIS.search(remark)
            rows.append(
                {
                    "id": f"gb2762-t{table['table_no']}-{table['aid']}-{i}",
                    "item": item,
                    "path": list(path),
                    "except": exceptions_of(remark),
                    "limit": r["limit"],
                    "basis": basis.group(1) if basis else "",
                    "clause": f"4.{table['table_no']} {table['name']} 表{table['table_no']}：{r.get('path') or '/'.join(path)}",
                    "note": remark,
                }
            )
    return {
        "standard": "GB 2762",
        "edition": std["code"],
        "title": std["name"],
        "source": (
            f"{std['code']}《{std['name']}》表1–表12 及附录A，由第三方整理的表格"
            "（github.com/5678Hub/jianyu data/gb2762）转换；数值未逐条与标准原文核对 [V2]"
        ),
        "verification": "V2",
        "rows": rows,
    }


_CODE = re.compile(r"^\d{2}\.\d{1,2}(?:\.\d{2})*$")
_LIMIT_UNIT = re.compile(r"^\s*([0-9.]+)\s*(g/kg|mg/kg|g/L|mg/L|gL\s*/)?\s*$")


def _clean_additive(name: str) -> str:
    name = re.sub(r"\s*又名.*$", "", name)
    name = re.sub(r"\d+\)$", "", name).strip()
    return re.sub(r"\s+", "", name)


def _parse_use(limit: str) -> tuple[str, str, str]:
    """(kind, value, unit): "0.2" -> ("max", "0.2", "g/kg") (the tables' unit); "按生产需要适量使用"
    -> ("gmp", "", "")."""
    if "适量使用" in limit:
        return "gmp", "", ""
    m = _LIMIT_UNIT.match(limit)
    if not m:
        return "unreadable", "", ""
    unit = (m.group(2) or "g/kg").replace(" ", "")
    if unit.startswith("gL"):
        unit = "g/L"
    return "max", m.group(1), unit


_RESIDUE = re.compile(r"残留量\s*[≤<]\s*([0-9.]+)\s*(mg/kg|g/kg)")


def convert_gb2760(src: dict[str, Any]) -> dict[str, Any]:
    std = src["standard"]
    categories = []
    for table in src["by_category"]["category_tree"]:
        for r in table["rows"]:
            if _CODE.match(r["code"]):
                categories.append({"code": r["code"], "name": r["name"], "table": table["table_no"]})
    uses = []
    additives = []
    for a in src["by_additive"]["additives"]:
        name = _clean_additive(a["name_zh"])
        aliases = [
            x for x in re.split(r"\s+", str(a.get("aliases") or "")) if re.search(r"[\u4e00-\u9fff]", x)
        ]
        additives.append({"name": name, "aliases": aliases, "cns": a["cns"], "uses": len(a["items"])})
        for i, it in enumerate(a["items"], start=1):
            code = str(it["food_code"]).strip()
            if not _CODE.match(code):
                continue  # "各类食品" rows with A.2 exceptions: not placed on the tree here
            kind, value, unit = _parse_use(str(it["limit"]))
            remark = re.sub(r"\s+", "", str(it.get("remark") or ""))
            residue = _RESIDUE.search(remark)
            basis = _BASIS.search(remark)
            uses.append(
                {
                    "id": f"gb2760-{a['cns'].split(',')[0]}-{i}",
                    "item": name,
                    "code": code,
                    "food": re.sub(r"\s+", "", str(it["food_name"])),
                    "kind": kind,
                    "value": value,
                    "unit": unit,
                    "residue": f"≤{residue.group(1)}{residue.group(2)}" if residue else "",
                    "basis": basis.group(1) if basis else "",
                    "note": remark,
                }
            )
    return {
        "standard": "GB 2760",
        "edition": std["code"],
        "title": std["name_zh"],
        "source": (
            f"{std['code']}《{std['name_zh']}》附录A 表A.1 与附录E 食品分类系统，由第三方整理的表格"
            "（github.com/5678Hub/jianyu data/gb2760）转换；整理表不完整、部分行错位，未逐条与标准原文核对 [V2]"
        ),
        "verification": "V2",
        "categories": categories,
        "additives": additives,
        "uses": uses,
    }


def convert_all(reference_dir: Path, out_dir: Path) -> dict[str, int]:
    """Write the converted files; returns the row counts."""
    s2762 = json.loads((reference_dir / GB2762_FILE).read_text(encoding="utf-8"))
    s2760 = json.loads((reference_dir / GB2760_FILE).read_text(encoding="utf-8"))
    c2762 = convert_gb2762(s2762)
    c2760 = convert_gb2760(s2760)
    for name, data in (("gb2762-contaminants.json", c2762), ("gb2760-additives.json", c2760)):
        (out_dir / name).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {
        "gb2762_rows": len(c2762["rows"]),
        "gb2760_categories": len(c2760["categories"]),
        "gb2760_additives": len(c2760["additives"]),
        "gb2760_uses": len(c2760["uses"]),
    }
