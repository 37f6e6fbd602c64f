"""The audit trail speaks words: an entry's notes (an export's filters, an import's file and counts,
a signature's fingerprint, a regrade's rules) are labelled and readable, never stored keys, a
Python dict or a rule identifier."""

from __future__ import annotations

import pytest
from django.utils import translation

from shian.core import auditlabels


def test_notes_are_labelled_and_values_readable():
    with translation.override("zh-hans"):
        got = auditlabels.notes(
            {
                "filename": "登记簿.xlsx",
                "rows": 3,
                "filters": {"q": "饭店", "region": "120113001"},
                "@context": "",
            }
        )
    assert got == {
        "文件名": "登记簿.xlsx",
        "行数": "3",
        "筛选条件": "查询：饭店；所属镇街：120113001",
        "背景": "—",
    }


def test_a_rule_edition_reads_as_its_source():
    with translation.override("zh-hans"):
        text = auditlabels.value_text("edition", "cfda-2016-115.beichen.1")
        model = auditlabels.value_text("edition", "targeting-logit.1")
        unknown = auditlabels.value_text("edition", "no-such-edition")
    assert "食品生产经营风险分级管理办法" in text and "cfda" not in text
    assert model == "逻辑回归预测模型（第1版）"
    assert "未登记" in unknown and "no-such" not in unknown


def test_a_key_without_a_label_is_still_shown_without_its_marker():
    assert auditlabels.key_label("@whatever") == "whatever"
    assert auditlabels.value_text("x", [1, 2]) == "1、2"


@pytest.mark.django_db
def test_the_trail_shows_an_exports_filters_in_words(client_for):
    client = client_for("district_officer")
    b"".join(client.get("/registry/businesses/export.xlsx?q=饭店").streaming_content)
    html = client.get("/audit/").content.decode()
    assert "筛选条件" in html and "行数" in html
    assert "filters:" not in html and "{&#x27;q&#x27;" not in html and "rows:" not in html
