"""One deterministic generator of synthetic data for the demo, the tests and the benchmarks.

Same seed, same data: names, codes, towns and dates are drawn from `random.Random(seed)`.
Every credit code and licence number it makes passes the platform's own validators.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from shian.core.rules import make_credit_code

# Business types with their share of a district register (a typical mix: catering dominates,
# then retail; producers, canteens and special businesses are few).
TYPE_MIX: list[tuple[str, float]] = [
    ("catering", 0.40),
    ("wholesale_retail", 0.34),
    ("unit_canteen", 0.06),
    ("school_canteen", 0.03),
    ("production", 0.05),
    ("small_workshop", 0.03),
    ("central_kitchen", 0.01),
    ("special_food", 0.003),
    ("agri_market", 0.012),
    ("cold_store", 0.02),
    ("online_platform", 0.005),
]
# Food categories (codes of the sampling rules) typical of each type.
TYPE_CATEGORIES: dict[str, list[str]] = {
    "catering": ["31"],
    "wholesale_retail": ["01", "02", "03", "05", "06", "08", "13", "15", "24", "33", "34", "36"],
    "unit_canteen": ["31"],
    "school_canteen": ["31"],
    "production": ["01", "02", "03", "04", "06", "11", "15", "24", "25"],
    "small_workshop": ["24", "25", "04", "02"],
    "central_kitchen": ["31", "11"],
    "special_food": ["27", "28", "30"],
    "agri_market": ["33", "34", "35", "36", "37", "38"],
    "cold_store": ["33", "35", "11"],
    "online_platform": ["31", "24", "06"],
}
TYPE_SCALES: dict[str, list[tuple[str, float]]] = {
    "production": [("large", 0.1), ("medium", 0.3), ("small", 0.5), ("micro", 0.1)],
    "special_food": [("large", 0.3), ("medium", 0.5), ("small", 0.2)],
}
DEFAULT_SCALES = [("large", 0.02), ("medium", 0.13), ("small", 0.55), ("micro", 0.30)]
STATUS_MIX = [("active", 0.92), ("suspended", 0.03), ("closed", 0.05)]

WORDS = [
    "鑫",
    "隆",
    "盛",
    "福",
    "祥",
    "瑞",
    "丰",
    "源",
    "泰",
    "和",
    "兴",
    "旺",
    "嘉",
    "宏",
    "德",
    "顺",
    "安",
    "康",
    "金",
    "华",
    "益",
    "鸿",
    "永",
    "恒",
    "佳",
    "美",
    "新",
    "达",
    "聚",
    "汇",
    "信",
    "诚",
    "百",
    "味",
]
SUFFIX = {
    "catering": ["餐厅", "饭店", "小吃店", "快餐店", "面馆", "火锅店", "烧烤店", "包子铺", "酒楼"],
    "wholesale_retail": ["超市", "便利店", "食品店", "副食店", "商行", "粮油店", "果蔬店", "食品经营部"],
    "unit_canteen": ["有限公司职工食堂", "医院食堂", "养老院食堂", "工地食堂"],
    "school_canteen": ["小学食堂", "中学食堂", "幼儿园食堂"],
    "production": ["食品有限公司", "食品厂", "调味品有限公司", "饮品有限公司", "面业有限公司"],
    "small_workshop": ["豆制品作坊", "糕点作坊", "熟食作坊", "香油坊"],
    "central_kitchen": ["中央厨房有限公司", "团餐配送有限公司"],
    "special_food": ["生物科技有限公司", "营养品有限公司"],
    "agri_market": ["农贸市场", "菜市场", "农产品批发市场"],
    "cold_store": ["冷链物流有限公司", "冷库"],
    "online_platform": ["网络科技有限公司"],
}
STREETS = [
    "北辰道",
    "京津公路",
    "龙门路",
    "引河里路",
    "辰昌路",
    "顺义道",
    "双辰路",
    "北仓道",
    "宜兴埠路",
    "西堤头路",
    "淮河道",
    "铁东路",
]
SURNAMES = [
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "赵",
    "黄",
    "周",
    "吴",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "林",
    "高",
    "罗",
]
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀",
    "霞",
    "平",
    "刚",
    "桂",
]
# A box around Beichen District (WGS-84), for synthetic coordinates.
LON_RANGE, LAT_RANGE = (117.05, 117.28), (39.12, 39.32)
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _weighted(rng: random.Random, items: Sequence[tuple[str, float]]) -> str:
    return rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    population: int


def business_records(
    n: int, *, seed: int, townships: Sequence[Township], start_serial: int = 0
) -> Iterator[dict[str, object]]:
    """`n` synthetic register rows, keyed by the register's field names (see registry.rules.FIELDS).

    Towns receive businesses in proportion to population. Every row has a unique credit code
    (the serial is woven into the organisation-code body) and the licence its type requires.
    """
    rng = random.Random(seed)
    weights = [t.population or 1 for t in townships]
    type_names = [t for t, _ in TYPE_MIX]
    type_weights = [w for _, w in TYPE_MIX]
    for i in range(start_serial, start_serial + n):
        town = rng.choices(townships, weights=weights)[0]
        btype = rng.choices(type_names, weights=type_weights)[0]
        serial = i + 1
        # Organisation-code body: 8 characters from the serial (base 31) — unique per row.
        body = ""
        x = serial + 31**5  # keep 8 characters with a non-zero lead
        while x:
            x, r = divmod(x, 31)
            body = USCC_CHARS[r] + body
        body = body.rjust(8, "1")[-8:]
        kind = (
            "2" if btype in ("catering", "wholesale_retail", "small_workshop") and rng.random() < 0.6 else "1"
        )
        credit_code = make_credit_code(authority="9", kind=kind, division=town.code[:6], org_body=body)
        county = town.code[2:6]
        sc = jy = None
        if btype in ("production", "special_food"):
            # 3-digit category (1xx: food) + province 12 + city and county + 4-digit serial + check;
            # the serial is spread over the category digits so codes stay unique up to 900,000 rows.
            sc = f"SC1{10 + (serial // 10000) % 90}12{county}{serial % 10000:04d}{rng.randrange(10)}"
        elif btype not in ("cold_store", "online_platform", "agri_market", "small_workshop"):
            kind_digit = (
                "3"
                if btype in ("unit_canteen", "school_canteen")
                else ("2" if btype in ("catering", "central_kitchen") else "1")
            )
            jy = f"JY{kind_digit}12{county}{serial % 1000000:06d}{rng.randrange(10)}"
        cats = TYPE_CATEGORIES[btype]
        categories = rng.sample(cats, k=min(len(cats), rng.randint(1, 3)))
        opened = dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 14))
        status = _weighted(rng, STATUS_MIX)
        name = (
            "天津市北辰区"
            + town.name.replace("街道", "").replace("镇", "")
            + "".join(rng.sample(WORDS, 2))
            + rng.choice(SUFFIX[btype])
        )
        yield {
            "name": name,
            "credit_code": credit_code,
            "production_licence": sc,
            "business_licence": jy,
            "business_type": btype,
            "categories": categories,
            "scale": _weighted(rng, TYPE_SCALES.get(btype, DEFAULT_SCALES)),
            "region_code": town.code,
            "address": f"天津市北辰区{town.name}{rng.choice(STREETS)}{rng.randint(1, 999)}号",
            "legal_representative": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN]),
            "longitude": Decimal(f"{rng.uniform(*LON_RANGE):.6f}"),
            "latitude": Decimal(f"{rng.uniform(*LAT_RANGE):.6f}"),
            "status": status,
            "opened_on": opened,
            "licence_valid_until": opened + dt.timedelta(days=365 * 5) if (sc or jy) else None,
            "closed_on": opened + dt.timedelta(days=rng.randrange(200, 2000)) if status == "closed" else None,
        }
