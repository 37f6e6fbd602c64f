"""Each campaign cites the plan task it carries out (data/campaigns.toml): the school campaigns are
任务（十一）校园食品安全守护行动, health food 任务（十二）严格特殊食品企业监管, rural counterfeits
任务（十七）农村假冒伪劣食品三年整治行动 — checked against the plan file's own task titles."""

from __future__ import annotations

import tomllib
from pathlib import Path

from shian.inspections import rules

PLAN = Path(rules.__file__).resolve().parent.parent / "planning" / "data" / "beichen-2022.toml"
NUMERALS = {"四": 4, "十一": 11, "十二": 12, "十七": 17}


def test_campaigns_cite_the_tasks_whose_titles_match():
    titles = {t["no"]: t["title"] for t in tomllib.loads(PLAN.read_text(encoding="utf-8"))["task"]}
    campaigns = rules.load_campaigns()
    expected = {
        "2022-bottom-line": (4, "守底线"),
        "2022-school-spring": (11, "校园"),
        "2022-school-autumn": (11, "校园"),
        "2022-health-food": (12, "特殊食品"),
        "2022-rural-counterfeit": (17, "农村假冒伪劣"),
    }
    for code, (no, word) in expected.items():
        cited = campaigns[code].task.removeprefix("任务（").removesuffix("）")
        assert NUMERALS[cited] == no, code
        assert word in titles[no] or word in campaigns[code].name, code
