"""Lookup tables for validating register input, built from the database and the choice labels."""

from __future__ import annotations

from typing import Any

from django.db.models import TextChoices
from django.utils import translation

from shian.core.models import FoodCategory, Region, RegionLevel
from shian.core.scoping import regions_for

from .models import BusinessScale, BusinessStatus, BusinessType
from .rules import Lookups


def choice_table(choices: type[TextChoices]) -> dict[str, str]:
    """Value, English label and Chinese label, all lower-cased, to the stored value."""
    table: dict[str, str] = {}
    for value, label in choices.choices:
        table[str(value).lower()] = str(value)
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                table[str(label).lower()] = str(value)
    return table


# Common Chinese synonyms found in the registers towns keep.
_TYPE_SYNONYMS = {
    "食品生产": "production",
    "生产企业": "production",
    "食品销售": "wholesale_retail",
    "销售": "wholesale_retail",
    "批发零售": "wholesale_retail",
    "餐饮": "catering",
    "餐饮服务": "catering",
    "单位食堂": "unit_canteen",
    "学校食堂": "school_canteen",
    "幼儿园食堂": "school_canteen",
    "中央厨房": "central_kitchen",
    "集体用餐配送单位": "central_kitchen",
    "特殊食品生产": "special_food",
    "农贸市场": "agri_market",
    "冷库": "cold_store",
    "网络平台": "online_platform",
    "小作坊": "small_workshop",
}
_STATUS_SYNONYMS = {
    "在营": "active",
    "正常": "active",
    "停业": "suspended",
    "注销": "closed",
    "歇业": "closed",
}
_SCALE_SYNONYMS = {"大": "large", "中": "medium", "小": "small", "微": "micro", "大型企业": "large"}


def build_lookups(user: Any) -> Lookups:
    """Lookups restricted to what `user` may write: a town officer can name only their own town."""
    regions: dict[str, str] = {}
    for code, name in regions_for(user).exclude(level=RegionLevel.DISTRICT).values_list("code", "name"):
        regions[code.lower()] = code
        regions[name.lower()] = code
    categories: dict[str, str] = {}
    for code, name in FoodCategory.objects.values_list("code", "name"):
        categories[code.lower()] = code
        categories[name.lower()] = code
    types = choice_table(BusinessType) | _TYPE_SYNONYMS
    return Lookups(
        regions=regions,
        categories=categories,
        business_types=types,
        scales=choice_table(BusinessScale) | _SCALE_SYNONYMS,
        statuses=choice_table(BusinessStatus) | _STATUS_SYNONYMS,
    )


def all_region_codes() -> set[str]:
    return set(Region.objects.values_list("code", flat=True))
