"""`shian index compute --year Y --quarter Q [--publish]`: the ranking table and what is missing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shian.metrics.models import IndexRun, RunStatus


def run(*args: str) -> str:
    out = StringIO()
    call_command("index", *args, stdout=out)
    return out.getvalue()


def test_compute_prints_ranking_coverage_and_missing_components(quarter_data):
    out = run("compute", "--year", "2022", "--quarter", "2")
    lines = out.splitlines()
    assert "2022年第2季度食品安全指数（草稿" in lines[0]
    first = next(line for line in lines if "果园新村街道" in line)
    assert first.split()[:4] == ["1", "果园新村街道", "100.00", "40%"]
    second = next(line for line in lines if "天穆镇" in line)
    assert second.split()[:4] == ["2", "天穆镇", "37.10", "40%"]
    assert "数据不足" in next(line for line in lines if "集贤里街道" in line)
    assert "日常监督检查覆盖率（inspections.coverage，权重 0.15）" in out
    assert IndexRun.objects.get().status == RunStatus.DRAFT


def test_compute_with_publish_publishes_and_then_the_quarter_is_closed(quarter_data):
    out = run("compute", "--year", "2022", "--quarter", "2", "--publish")
    assert "已发布：2022年第2季度食品安全指数" in out
    with pytest.raises(CommandError):
        run("compute", "--year", "2022", "--quarter", "2")
    assert IndexRun.objects.get().status == RunStatus.PUBLISHED


def test_publishing_a_quarter_without_scores_fails_with_the_reason(db):
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("index", "compute", "--year", "2022", "--quarter", "1", "--publish", stdout=out)
    assert "缺失指标" in out.getvalue()
    assert IndexRun.objects.get().status == RunStatus.DRAFT
