"""Imports of any size stay under the database's variable limit: the codes of a file are looked
up in slices (core.bulk.filter_in). SQLite is held to its historical 999 variables here, so a file
of 2,500 distinct codes would fail with "too many SQL variables" if looked up in one statement."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection

from shian.core.bulk import filter_in
from shian.registry.models import Business
from shian.registry.tests.factories import make_business
from shian.sampling import imports
from shian.sampling.tests.helpers import lab_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_variable_limit():
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    old = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    yield
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, old)


def test_filter_in_slices_the_values(low_variable_limit, django_assert_num_queries):
    make_business(name="甲", region_code="120113001", business_type="catering")
    codes = [f"X{n:05d}" for n in range(2_500)] + ["甲"]
    with django_assert_num_queries(3):
        found = list(filter_in(Business.objects.all(), "name", codes))
    assert [b.name for b in found] == ["甲"]


def test_a_results_file_of_2500_unknown_codes_is_refused_row_by_row(low_variable_limit, personas):
    lab_user = personas("lab")
    lab_for(lab_user)
    rows = "\n".join(f"BC-{n:05d},镉(以Cd计),0.01,mg/kg," for n in range(2_500))
    content = ("样品编号,检验项目,检验结果,单位,方法检出限\n" + rows + "\n").encode()
    import datetime as dt

    report = imports.results_import(by=lab_user, filename="big.csv", content=content, on=dt.date(2026, 3, 20))
    assert not report.ok and report.issue_count == 2_500
    assert "BC-00000" in report.issues[0].value
