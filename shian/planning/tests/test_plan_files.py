"""`shian plan load` on files that are not plans: a located refusal and exit 1, never a traceback,
nothing written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from shian.planning.models import AnnualPlan

PLAN_2022 = Path(__file__).resolve().parent.parent / "data" / "beichen-2022.toml"
pytestmark = pytest.mark.django_db


def _load(tmp_path, content: bytes, capsys):
    path = tmp_path / "plan.toml"
    path.write_bytes(content)
    with pytest.raises(SystemExit) as exit_:
        call_command("plan", "load", str(path))
    out = capsys.readouterr()
    assert exit_.value.code == 1
    assert "Traceback" not in out.err
    assert not AnnualPlan.objects.exists()
    return out.err


def test_a_binary_file(tmp_path, capsys):
    err = _load(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), capsys)
    assert re.search(r"plan\.toml:\d+: 不是文本文件", err)


def test_a_gbk_file_names_the_line_and_byte(tmp_path, capsys):
    text = PLAN_2022.read_text(encoding="utf-8")
    err = _load(tmp_path, text.encode("gbk", errors="replace"), capsys)
    assert "不是 UTF-8 编码" in err and "GBK" in err


def test_a_file_cut_inside_a_character(tmp_path, capsys):
    data = PLAN_2022.read_bytes()
    cut = data.index("北辰区".encode()) + 1  # inside the first byte sequence of 北
    err = _load(tmp_path, data[:cut], capsys)
    assert "不是 UTF-8 编码" in err


def test_a_deeply_nested_array(tmp_path, capsys):
    err = _load(tmp_path, b"x = " + b"[" * 100_000 + b"]" * 100_000 + b"\n", capsys)
    assert "嵌套过深" in err or "格式错误" in err


def _with_title(title: str) -> bytes:
    text = PLAN_2022.read_text(encoding="utf-8")
    start = text.index('title = "', text.index("[plan]"))
    end = text.index("\n", start)
    return (text[:start] + f'title = "{title}"' + text[end:]).encode()


def test_a_title_of_a_million_characters(tmp_path, capsys):
    err = _load(tmp_path, _with_title("计" * 1_000_000), capsys)
    assert "文件过大" in err


def test_a_title_over_its_column_is_located(tmp_path, capsys):
    err = _load(tmp_path, _with_title("计" * 201), capsys)
    assert "“title”不能超过200个字符（现为201个）" in err
    assert re.search(r"plan\.toml:\d+: ", err)
