"""The demo build shows its progress against the total number of steps, and where the time went."""

from __future__ import annotations

from shian.demo.services import DEMO_STEPS, DemoProgress


def test_each_step_shows_its_place_in_the_total_and_the_end_lists_every_step_timed():
    lines: list[str] = []
    progress = DemoProgress(["甲", "乙", "丙"], lines.append)
    progress.step("甲")
    progress.step("乙")
    progress.step("丙")
    timings = progress.close()

    assert [line.split("] ")[1].split("  ")[0] for line in lines[:3]] == ["1/3 甲", "2/3 乙", "3/3 丙"]
    assert lines[0].startswith("[" + "░" * DemoProgress.WIDTH + "]")  # nothing done yet
    assert lines[3].startswith("[" + "█" * DemoProgress.WIDTH + "] 3/3 完成")
    assert [name for name, _ in timings] == ["甲", "乙", "丙"]
    assert all(seconds >= 0 for _, seconds in timings)
    assert len(lines) == 4 + 3  # the closing line and one timing line per step


def test_the_build_names_every_step_once():
    assert len(DEMO_STEPS) == len(set(DEMO_STEPS)) == 9
