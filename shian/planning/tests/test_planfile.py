"""The plan file: the shipped 2022 plan loads whole; malformed files are rejected with the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from shian.planning.planfile import PlanFileError, parse_plan

PLAN_2022 = Path(__file__).resolve().parent.parent / "data" / "beichen-2022.toml"
DEPTS = {
    "office",
    "market",
    "education",
    "agriculture",
    "health",
    "commerce",
    "grain",
    "public_security",
    "civil_affairs",
    "housing",
    "culture_tourism",
    "transport",
    "ecology",
    "science",
    "propaganda",
    "justice",
    "industry",
    "finance",
}
REGIONS = {"120113", "120113001", "120113100"}


def parse(text: str):
    return parse_plan(text, departments=DEPTS, regions=REGIONS)


def test_2022_plan_has_27_tasks_in_9_sections_and_its_numbers():
    spec = parse(PLAN_2022.read_text(encoding="utf-8"))
    assert spec.year == 2022 and len(spec.sections) == 9 and [t.no for t in spec.tasks] == list(range(1, 28))
    targets = {g.code: g for t in spec.tasks for g in t.targets}
    assert targets["T13-batches"].value == 6570
    assert str(targets["T13-density"].value) == "6.92"
    assert targets["T13-market"].value == 4750 and targets["T13-market"].owner == "market"
    assert targets["T13-agri-quantitative"].value == 1820
    assert targets["T07-pesticides"].value == 4
    assert targets["T11-haccp"].value == 100 and targets["T12-self-inspection"].value == 100
    assert targets["T20-formula-trace"].value == 50 and targets["T20-open-kitchen-schools"].value == 100
    assert targets["T22-coordinators"].indicator == "core.coordinators_per_10k"
    assert targets["T08-grain-monitoring"].unit == "个/万吨"
    assert {"T02-index", "T02-survey", "T02-drill", "T02-whitepaper", "T01-yearend-reports"} <= set(targets)


GOOD = """[plan]
year = 2023
region = "120113"
title = "测试计划"
starts = 2023-01-01
ends = 2023-12-31

[[section]]
no = 1
title = "一"

[[task]]
no = 1
section = 1
title = "任务"
lead = ["market"]
due = 2023-12-31

[[target]]
task = 1
code = "A"
description = "目标"
kind = "reported"
value = 10
unit = "次"
due = 2023-12-31
"""


def test_good_minimal_file_parses():
    assert parse(GOOD).tasks[0].targets[0].value == 10


@pytest.mark.parametrize(
    "old, new, line, words",
    [
        ('lead = ["market"]', 'lead = ["nosuchunit"]', 16, "nosuchunit"),
        ("value = 10", 'value = "十"', 24, "数字"),
        ('kind = "reported"', 'kind = "guess"', 23, "guess"),
        ('section = 1\ntitle = "任务"', 'section = 7\ntitle = "任务"', 14, "部分 7"),
        ("task = 1\ncode", "task = 9\ncode", 20, "任务 9"),
        ('region = "120113"', 'region = "999999"', 3, "999999"),
        ("due = 2023-12-31\n\n[[target]]", 'due = "年底"\n\n[[target]]', 17, "日期"),
        ('title = "测试计划"', 'title = "测试计划', 4, "格式错误"),
    ],
)
def test_malformed_files_are_rejected_with_the_line_named(old, new, line, words):
    assert old in GOOD
    with pytest.raises(PlanFileError) as exc:
        parse(GOOD.replace(old, new, 1))
    lines = [ln for ln, msg in exc.value.problems if words in msg]
    assert lines == [line], exc.value.problems


def test_duplicate_task_number_is_named():
    text = GOOD + '\n[[task]]\nno = 1\nsection = 1\ntitle = "重复"\nlead = ["market"]\ndue = 2023-12-31\n'
    with pytest.raises(PlanFileError) as exc:
        parse(text)
    assert any("任务编号 1 重复" in msg for _, msg in exc.value.problems)
