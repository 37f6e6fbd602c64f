"""English mode reads English: the main pages, rendered in English for the district office on the
demo's data, carry no Chinese in their chrome — navigation, headings, tabs, table headers, form
labels, legends, buttons, tiles — except the data they show (names of businesses, towns, food
categories, people; rule texts quoted from Chinese laws and standards).

The chrome is what the page says about itself; the data are removed first by taking every Chinese
value stored in the database out of the chrome's text, longest first. What Chinese remains was
written in a template or in code."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.test import Client

from shian.core.models import AuditSource
from shian.demo.plan_demo import demo_plan_build
from shian.demo.services import demo_register_generate
from shian.enforcement.demo import demo_enforcement_build
from shian.enforcement.models import Case
from shian.inspections.demo import demo_inspections_generate
from shian.inspections.models import Inspection, Rectification
from shian.registry.models import Business
from shian.risk.services import risk_regrade_bulk
from shian.sampling.demo import demo_quick_tests_build, demo_sampling_build
from shian.sampling.models import QuickTest, Sample

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u3400-\u9fff]")
# Elements whose text is the page's chrome.
CHROME = {"nav", "h1", "h2", "h3", "th", "label", "legend", "button", "dt", "summary", "caption"}
CHROME_CLASSES = {"tabs", "kpi", "kpis", "tile", "tiles", "legend", "page-head", "sidenav", "pager"}
# Inside chrome, these hold data (choices of a filter, values typed in).
DATA = {"option", "select", "textarea", "td", "dd"}
# The platform's logotype, drawn from its Chinese name, and the switch to Chinese, named in itself.
NAMED_IN_CHINESE = ("食安", "简体中文")


class _Chrome(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "img", "input", "meta", "link", "hr", "wbr", "source"}:
            a = dict(attrs)
            if self._in_chrome() and tag == "input" and a.get("placeholder"):
                self.texts.append(a["placeholder"] or "")
            return
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        chrome = tag in CHROME or bool(classes & CHROME_CLASSES)
        if tag in DATA:
            chrome = False
        elif self.stack and self.stack[-1][1] and tag not in DATA:
            chrome = True
        for name in ("aria-label", "title"):
            if chrome and a.get(name):
                self.texts.append(a[name] or "")
        self.stack.append((tag, chrome))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_chrome() and data.strip():
            self.texts.append(data.strip())

    def _in_chrome(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]


def _data_values() -> list[str]:
    """Every Chinese text stored in the database: the data pages show."""
    values: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("shian."):
            continue
        fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            values.update(v for v in row if isinstance(v, str) and HAN.search(v))
    for user in apps.get_model("core", "User").objects.all():
        values.add(user.get_full_name())
        values.add(str(user))
    # Rule data quote laws and standards by their Chinese names (checklists, clauses, campaigns).
    for path in (Path(__file__).resolve().parent.parent / "shian").glob("*/data/*.toml"):
        _strings(tomllib.loads(path.read_text(encoding="utf-8")), values)
    return sorted((v for v in values if len(v) > 1), key=len, reverse=True)


def _strings(node: object, into: set[str]) -> None:
    if isinstance(node, str):
        if HAN.search(node):
            into.add(node)
    elif isinstance(node, dict):
        for value in node.values():
            _strings(value, into)
    elif isinstance(node, list):
        for value in node:
            _strings(value, into)


def _leftover_chinese(html: str, data: list[str]) -> list[str]:
    parser = _Chrome()
    parser.feed(html)
    left = []
    for text in parser.texts:
        for value in data:
            if value and value in text:
                text = text.replace(value, " ")
        for name in NAMED_IN_CHINESE:
            text = text.replace(name, " ")
        if HAN.search(text):
            left.append(text)
    return left


@pytest.fixture
def english_office(client_for) -> Client:
    client = client_for("district_officer")
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    return client


def test_the_main_pages_read_in_english(english_office):
    quiet = lambda _s: None  # noqa: E731
    demo_register_generate(count=60, seed=7)
    demo_inspections_generate(seed=7, out=quiet)
    risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=dt.date(2024, 12, 31))
    demo_sampling_build(seed=7, out=quiet, count=60)
    demo_quick_tests_build(seed=7, out=quiet, count=120)
    demo_enforcement_build(seed=7, out=quiet, count=30)
    plan = demo_plan_build(seed=7, out=quiet)

    business = Business.objects.order_by("pk").first()
    inspection = Inspection.objects.order_by("-pk").first()
    rectification = Rectification.objects.order_by("pk").first()
    sample = Sample.objects.order_by("-pk").first()
    quick_test = (
        QuickTest.objects.filter(notified_at__isnull=False).order_by("pk").first()
        or QuickTest.objects.order_by("pk").first()
    )
    case = Case.objects.order_by("-pk").first()
    assert business and inspection and sample and quick_test and case

    year = plan.year
    pages = [
        "/",
        "/registry/businesses/",
        f"/registry/businesses/{business.pk}/",
        "/registry/import/",
        "/inspections/",
        f"/inspections/{inspection.pk}/",
        "/inspections/rectifications/",
        "/risk/grades/",
        f"/risk/grades/{business.pk}/",
        f"/risk/plan/{year}/",
        "/sampling/",
        f"/sampling/{sample.pk}/",
        "/sampling/quick-tests/",
        f"/sampling/quick-tests/{quick_test.pk}/",
        "/sampling/unqualified/",
        "/sampling/labs/",
        "/enforcement/",
        f"/enforcement/{case.pk}/",
        "/enforcement/new/",
        "/enforcement/publications/",
        "/enforcement/listings/",
        "/enforcement/credit/",
        f"/enforcement/credit/{business.pk}/",
        "/plan/",
        f"/plan/{year}/",
        f"/plan/{year}/reports/",
        f"/plan/{year}/notices/",
        f"/plan/{year}/figures/",
    ]
    if rectification:
        pages.append(f"/inspections/rectifications/{rectification.pk}/")

    data = _data_values()
    problems = {}
    for url in pages:
        response = english_office.get(url, follow=True)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="en"' in html, url
        left = _leftover_chinese(html, data)
        if left:
            problems[url] = left
    assert not problems, "\n".join(f"{url}: {' | '.join(left)}" for url, left in problems.items())


def test_the_same_pages_stay_chinese_by_default(client_for):
    """Chinese first: without a choice the chrome is Chinese."""
    demo_register_generate(count=5, seed=7)
    client = client_for("district_officer")
    for url in ("/registry/businesses/", "/enforcement/", "/sampling/quick-tests/"):
        html = client.get(url).content.decode()
        assert '<html lang="zh-hans"' in html
        parser = _Chrome()
        parser.feed(html)
        assert any(HAN.search(t) for t in parser.texts), url
