"""The to-do registry: providers declared by modules, gathered per person on the home page,
overdue first, nothing shown for a count of zero."""

from __future__ import annotations

import datetime as dt

import pytest

from shian.core import todo
from shian.core.todo import TodoItem

TODAY = dt.date(2024, 4, 8)


@pytest.fixture
def provider():
    seen = []

    def items(user, today):
        seen.append((user.username, today))
        if user.username != "town_a_officer":
            return []
        return [
            TodoItem(
                module="demo", key="later", title="本月计划检查", url="/x/", count=4, due=dt.date(2024, 4, 30)
            ),
            TodoItem(module="demo", key="none", title="无事可做", url="/y/", count=0),
            TodoItem(
                module="demo",
                key="late",
                title="逾期未办结的核查处置",
                url="/z/",
                count=2,
                due=dt.date(2024, 4, 1),
                overdue=True,
            ),
        ]

    todo.register("test-provider", items)
    yield seen
    todo._PROVIDERS.pop("test-provider", None)


@pytest.mark.django_db
def test_items_are_gathered_per_person_overdue_first(provider, personas):
    got = todo.todo_for(personas("town_a_officer"), today=TODAY)
    mine = [i.key for i in got if i.module == "demo"]
    assert mine == ["late", "later"]
    assert provider[-1] == ("town_a_officer", TODAY)
    assert [i for i in todo.todo_for(personas("town_b_officer"), today=TODAY) if i.module == "demo"] == []


def test_anonymous_has_no_todo(provider):
    from django.contrib.auth.models import AnonymousUser

    assert todo.todo_for(AnonymousUser(), today=TODAY) == []
    assert provider == []


@pytest.mark.django_db
def test_home_page_shows_the_items_with_their_links(provider, client_for):
    body = client_for("town_a_officer").get("/").content.decode()
    assert "逾期未办结的核查处置" in body and 'href="/z/"' in body
    assert body.index("逾期未办结的核查处置") < body.index("本月计划检查")
    assert "无事可做" not in body
    other = client_for("town_b_officer").get("/").content.decode()
    assert "逾期未办结的核查处置" not in other


def test_key_figures_are_gathered_per_person_by_priority(personas):
    from shian.core.todo import KeyFigure

    def figures(user, today):
        if user.username != "town_a_officer":
            return []
        return [
            KeyFigure(module="demo", key="second", label="本镇指数", value="81.5", priority=30),
            KeyFigure(module="demo", key="first", label="逾期整改", value=0, priority=10),
        ]

    todo.register_figures("test-figures", figures)
    try:
        mine = [f for f in todo.figures_for(personas("town_a_officer"), today=TODAY) if f.module == "demo"]
        assert [f.key for f in mine] == ["first", "second"]  # a figure of 0 is still shown
        assert mine[0].is_number and not mine[1].is_number
        assert [
            f for f in todo.figures_for(personas("town_b_officer"), today=TODAY) if f.module == "demo"
        ] == []
    finally:
        todo._FIGURE_PROVIDERS.pop("test-figures", None)
