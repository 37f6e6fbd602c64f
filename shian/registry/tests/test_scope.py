"""Lists, search and exports of the register never show another town's business."""

from __future__ import annotations

import pytest

from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    a = make_business(name="果园新村甲餐厅", region_code="120113001", business_type="catering")
    school_b = make_business(
        name="天穆镇中心小学食堂", region_code="120113100", business_type="school_canteen", categories=["31"]
    )
    return {"a": a.pk, "school_b": school_b.pk}


def test_list_and_search_never_show_another_towns_business(world, client_for):
    client = client_for("town_a_officer")
    body = client.get("/registry/businesses/?q=天穆").content.decode()
    assert "天穆镇中心小学食堂" not in body
    body = client.get("/registry/businesses/?region=120113100").content.decode()
    assert "天穆镇中心小学食堂" not in body
    api = client.get("/api/v1/businesses/?q=天穆").json()
    assert api["count"] == 0


def test_export_is_scoped(world, client_for):
    import io

    import openpyxl

    response = client_for("town_b_officer").get("/registry/businesses/export.xlsx")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    ws = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    names = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert names == ["天穆镇中心小学食堂"]
