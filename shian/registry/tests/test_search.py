"""Search: words in the name, or the start of a credit code or licence number."""

from __future__ import annotations

import pytest

from shian.registry.selectors import BusinessFilters, business_list_for_user
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db


def _names(user, q):
    return sorted(b.name for b in business_list_for_user(user=user, filters=BusinessFilters(q=q)))


def test_search_by_name_words_and_by_code_prefix(personas):
    officer = personas("district_officer")
    a = make_business(name="鑫隆餐厅", business_licence="JY21201130000777")
    make_business(name="瑞丰超市", business_type="wholesale_retail")
    make_business(name="7天便利店", business_type="wholesale_retail")
    assert _names(officer, "餐厅") == ["鑫隆餐厅"]
    assert _names(officer, a.credit_code[:17]) == ["鑫隆餐厅"]
    assert _names(officer, a.credit_code[:17].lower()) == ["鑫隆餐厅"]  # normalised like on entry
    assert _names(officer, "jy2120113000077") == ["鑫隆餐厅"]
    # A name that starts with a digit is still found by its words.
    assert _names(officer, "7天") == ["7天便利店"]
    assert _names(officer, "9999999999") == []
