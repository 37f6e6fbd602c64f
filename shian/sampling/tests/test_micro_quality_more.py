"""Microbiological plans of the product standards and quality items judged against the standard or
the label (data/limits-42-*.toml, limits-43-*.toml), and the label's declared value carried by a test
item through the results import, the API and the judgment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shian.core.models import AuditEntry, Region
from shian.core.tests.factories import TOWN_A
from shian.sampling import bulletins, imports, rules, services
from shian.sampling.models import Sample
from shian.sampling.models import TestItem as Item  # not "Test*": pytest would try to collect it
from shian.sampling.tests.helpers import DAY, lab_for
from shian.sampling.workflow import SampleStatus as S

ON = dt.date(2025, 10, 1)
V = rules.Verdict


@pytest.fixture(scope="module")
def book() -> rules.LimitBook:
    return rules.default_limit_book()


def judge(
    book: rules.LimitBook, item: str, result: str, food: str, category: str, declared: str = ""
) -> rules.Judgment:
    return rules.judge(
        book=book, item=item, result=result, food=food, category=category, on=ON, declared=declared
    )


# --- microbiological plans -------------------------------------------------------------------------


def test_a_biscuit_sampled_as_pastry_takes_the_biscuit_mould_limit(book):
    # GB 7100-2015: 霉菌 ≤50 CFU/g; the food's brackets name it a biscuit though its category says 糕点
    j = judge(book, "霉菌", "190CFU/g", "可可奥巧（奥巧慕斯味装饰饼干）", "糕点")
    assert (j.verdict, j.limit_text, j.edition) == (V.UNQUALIFIED, "≤50CFU/g", "GB 7100-2015")
    assert "饼干" in j.placed_by
    pastry = judge(book, "霉菌", "120CFU/g", "云片糕（核桃味）", "糕点-糕点")
    assert (pastry.verdict, pastry.limit_text) == (V.QUALIFIED, "≤150CFU/g")


def test_cooked_meat_inherits_the_plan_of_its_class_but_not_canned_meat(book):
    dried = judge(
        book, "菌落总数", "1.2×10⁴;1.4×10⁴;1.5×10⁴;2.8×10⁴;2.0×10⁴CFU/g", "牛肉干", "肉制品-熟肉干制品"
    )
    assert (dried.verdict, dried.edition, dried.counts) == (V.UNQUALIFIED, "GB 2726-2016", (5, 0))
    assert "08.03" in dried.category_path
    two_over = judge(
        book, "菌落总数", "1.2×10⁴;9000;8000;2.8×10⁴;2.0×10³CFU/g", "卤猪头肉", "肉制品-酱卤肉制品"
    )
    assert two_over.verdict == V.QUALIFIED  # c = 2 units may lie between m and M
    canned = judge(book, "菌落总数", "10CFU/g", "午餐肉", "罐头-畜禽肉类罐头")
    assert canned.verdict == V.UNDETERMINED and "08.03.08" in canned.reason


def test_ready_to_eat_seaweed_and_raw_marinated_seafood_have_their_own_plans(book):
    kelp = judge(
        book, "菌落总数", "56000;42000;49000;50000;64000CFU/g", "陈桥海带丝", "水产制品-其他水产制品"
    )
    assert (kelp.verdict, kelp.limit_text) == (V.UNQUALIFIED, "n=5,c=2,m=30000,M=100000CFU/g")
    snail = judge(book, "菌落总数", "2.4×10⁵,2.6×10⁵CFU/g", "调味黄泥螺", "水产制品-其他水产制品")
    assert (snail.verdict, snail.edition) == (V.UNQUALIFIED, "GB 10136-2015")
    fish = judge(book, "菌落总数", "2.4×10⁵CFU/g", "即食鱼干", "水产制品-其他水产制品")
    assert fish.verdict == V.UNDETERMINED  # not every 水产制品 is a ready-to-eat raw product


def test_beverage_plans_by_liquid_and_solid_and_packaged_water_excepted(book):
    juice = judge(book, "菌落总数", "28000;28000;12000;26000;20000CFU/mL", "橙汁", "饮料-果蔬汁类及其饮料")
    assert (juice.verdict, juice.limit_text, juice.edition) == (
        V.UNQUALIFIED,
        "n=5,c=2,m=100,M=10000CFU/mL",
        "GB 7101-2022",
    )
    before = rules.judge(
        book=book, item="酵母", result="30CFU/mL", food="橙汁", category="饮料", on=dt.date(2022, 5, 1)
    )
    assert (before.verdict, before.edition) == (V.UNQUALIFIED, "GB 7101-2015")
    water = judge(book, "霉菌", "5CFU/mL", "饮用纯净水", "饮料-包装饮用水")
    assert water.verdict == V.UNDETERMINED and "14.01" in water.reason
    solid = judge(book, "大肠菌群", "75,90,40,370,270CFU/g", "红枣桂圆莲子羹", "饮料-固体饮料")
    assert (solid.verdict, solid.limit_text) == (V.UNQUALIFIED, "n=5,c=2,m=10,M=100CFU/g")


def test_instant_cereal_plans_and_a_paste_in_the_same_category(book):
    mould = judge(book, "霉菌", "90,110,170,110,70CFU/g", "山药葛根玉米羹", "方便食品-冲调类方便食品")
    assert (mould.verdict, mould.edition) == (V.UNQUALIFIED, "GB 19640-2016")
    assert mould.counts == (5, 3)
    paste = judge(book, "霉菌", "80CFU/g", "一勺姜枣膏", "方便食品-冲调类方便食品")
    assert paste.verdict == V.UNDETERMINED


def test_products_named_by_their_standard_are_judged_by_it_in_any_category(book):
    # GB 19640 2.1 names 芝麻糊 and 莲子羹; GB 19300's plans are for roasted nuts, here named so
    sesame = judge(book, "大肠菌群", "<10,15,10,<10,390CFU/g", "中老年加钙黑芝麻糊", "速冻食品")
    assert (sesame.verdict, sesame.edition) == (V.UNQUALIFIED, "GB 19640-2016")
    lotus = judge(book, "霉菌", "85,55,75,95,60CFU/g", "红枣桂圆莲子羹", "饮料-固体饮料")
    assert (lotus.verdict, lotus.limit_text) == (V.UNQUALIFIED, "n=5,c=2,m=50,M=100CFU/g")
    roasted = judge(book, "霉菌", "80CFU/g", "熟制葵花籽", "食用农产品-生干坚果与籽类食品")
    assert (roasted.verdict, roasted.limit_text) == (V.UNQUALIFIED, "≤25CFU/g")
    raw = judge(book, "霉菌", "80CFU/g", "葵花籽", "食用农产品-生干坚果与籽类食品")
    assert raw.verdict == V.UNDETERMINED


def test_honey_starch_dairy_and_condiments(book):
    honey = judge(book, "嗜渗酵母计数", "250000CFU/g", "椴树蜂蜜", "蜂产品-蜂蜜")
    assert (honey.verdict, honey.edition) == (V.UNQUALIFIED, "GB 14963-2011")
    starch = judge(book, "霉菌和酵母", "6300CFU/g", "葛粉", "淀粉及淀粉制品-淀粉")
    assert (starch.verdict, starch.limit_text) == (V.UNQUALIFIED, "≤1000CFU/g")
    soy = judge(book, "菌落总数", "44000;28000;41000;35000;36000CFU/mL", "老酱油（酿造酱油）", "调味品-酱油")
    assert (soy.verdict, soy.edition) == (V.UNQUALIFIED, "GB 2717-2018")
    yogurt = judge(book, "酵母", "80CFU/g", "风味发酵乳", "乳制品-发酵乳")
    assert (yogurt.verdict, yogurt.limit_text) == (V.QUALIFIED, "≤100CFU/g")
    raw_milk = judge(book, "大肠菌群", "3CFU/mL", "生乳", "生乳")
    assert raw_milk.verdict == V.UNDETERMINED  # 巴氏杀菌乳's plan is not raw milk's


def test_mould_count_and_yeast_names_are_normalised(book):
    assert book.canonical_item("霉菌计数") == "霉菌"
    assert book.canonical_item("酵母菌") == "酵母"
    assert book.canonical_item("酸价(以脂肪计)(以KOH计)") == book.canonical_item("酸价(KOH)")
    assert book.canonical_item("电导率[(25±1)℃]") == "电导率"


# --- quality items -----------------------------------------------------------------------------


def test_peroxide_in_mmol_per_kg_is_converted_for_the_oil_floor(book):
    # GB 5009.227: 1 mmol/kg = 0.02538 g/100g; 11 mmol/kg = 0.279 g/100g > 0.25 (GB 2716 floor)
    j = judge(book, "过氧化值", "11mmol/kg", "葵花籽油", "食用油、油脂及其制品-食用植物油")
    assert j.verdict == V.UNQUALIFIED and j.value_in_limit_unit == Decimal("0.27918")
    low = judge(book, "过氧化值", "5mmol/kg", "葵花籽油", "食用油、油脂及其制品-食用植物油")
    assert low.verdict == V.UNDETERMINED and "产品等级标准" in low.reason  # the grade decides


def test_solvent_residue_pressed_oil_must_show_none(book):
    pressed = judge(book, "溶剂残留量", "196mg/kg", "手工小榨菜籽油", "食用油、油脂及其制品-食用植物油")
    assert (pressed.verdict, pressed.limit_text) == (V.UNQUALIFIED, "不得检出（检出限 10mg/kg）")
    traces = judge(book, "溶剂残留量", "6mg/kg", "压榨花生油", "食用油、油脂及其制品-食用植物油")
    assert traces.verdict == V.QUALIFIED  # below 10 mg/kg counts as not detected
    leached = judge(book, "溶剂残留量", "25mg/kg", "大豆油", "食用油、油脂及其制品-食用植物油")
    assert (leached.verdict, leached.limit_text) == (V.UNQUALIFIED, "≤20mg/kg")


def test_conductivity_and_soy_sauce_amino_nitrogen(book):
    water = judge(book, "电导率[(25±1)℃]", "24.06µS/cm", "饮用纯净水", "饮料-包装饮用水")
    assert (water.verdict, water.limit_text) == (V.UNQUALIFIED, "≤10μS/cm")
    thin = judge(book, "氨基酸态氮", "0.32g/100mL", "酿造酱油", "调味品-酱油")
    assert thin.verdict == V.UNQUALIFIED
    graded = judge(book, "氨基酸态氮", "0.50g/100mL", "古法酱油", "调味品-酱油")
    assert graded.verdict == V.UNDETERMINED  # above the floor: the label's grade (GB/T 18186) decides


def test_nutrients_are_judged_against_a_share_of_the_declared_value(book):
    missing = judge(book, "蛋白质", "0.37g/100g", "芒果果冻", "糖果制品-果冻")
    assert missing.verdict == V.UNDETERMINED and "须标签标示值" in missing.reason
    low = judge(book, "蛋白质", "0.37g/100g", "芒果果冻", "糖果制品-果冻", declared="1.0g/100g")
    assert (low.verdict, low.limit_text) == (V.UNQUALIFIED, "≥0.8g/100g")
    ok = judge(book, "蛋白质", "0.9g/100g", "芒果果冻", "糖果制品-果冻", declared="1.0g/100g")
    assert ok.verdict == V.QUALIFIED
    sodium = judge(book, "钠", "130mg/100g", "苏打饼干", "饼干", declared="100mg/100g")
    assert (sodium.verdict, sodium.limit_text) == (V.UNQUALIFIED, "≤120mg/100g")
    sports = judge(
        book, "蛋白质", "4.47g/100g", "运动营养食品", "特殊膳食食品-运动营养食品", declared="18g/100g"
    )
    assert sports.verdict == V.UNDETERMINED  # GB 28050 does not apply to special dietary foods


def test_alcohol_against_the_declared_strength(book):
    j = judge(book, "酒精度", "33.6%vol", "巴氏黄酒", "酒类-黄酒", declared="18%vol")
    assert (j.verdict, j.limit_text) == (V.UNQUALIFIED, "17～19%vol")
    ok = judge(book, "酒精度(20℃)", "41.2%vol", "白酒", "酒类-白酒", declared="42%vol")
    assert ok.verdict == V.QUALIFIED


def test_bulletin_records_read_the_declared_value_and_a_misprinted_sign():
    book = rules.default_limit_book()
    record = {
        "id": "t1",
        "food_name_raw": "巴氏黄酒",
        "category": "酒类-黄酒",
        "prod_date": "2025-07-22",
        "fail_raw": "酒精度║33.6%vol║18.0±1.0%vol",
        "declared": {"酒精度": "18.0%vol"},
    }
    out = bulletins.judge_record(record, book, ON)
    assert out.covered and not any("须标签标示值" in r for r in out.reasons)
    without = bulletins.judge_record({**record, "declared": {}}, book, ON)
    assert not without.covered and "须标签标示值" in without.reasons[0]
    soda = {
        "id": "t2",
        "food_name_raw": "盐汽水饮料",
        "category": "饮料-碳酸饮料",
        "prod_date": "2025-10-05",
        "fail_raw": "二氧化碳气容量(20℃)║1.31倍║≤1.5倍",
    }
    assert bulletins.judge_record(soda, book, ON).agrees  # ≥1.5 倍 printed as ≤: its own result fails


# --- the declared value through the import, the API and the sample page -----------------------


def _liquor_sample(officer, lab, code: str) -> Sample:
    sample = services.sample_create(
        by=officer,
        code=code,
        region=Region.objects.get(pk=TOWN_A),
        food_name="黄酒",
        category_path="酒类-黄酒",
        produced_on=dt.date(2026, 3, 1),
        lab=lab,
    )
    for status in (S.SAMPLED, S.DELIVERED):
        services.sample_set_status(sample=sample, status=status, by=officer, on=DAY)
    sample.refresh_from_db()
    return sample


def _csv(*rows: str) -> bytes:
    return ("样品编号,检验项目,检验结果,单位,方法检出限,标示值\n" + "\n".join(rows) + "\n").encode()


@pytest.fixture
def liquor(personas):
    officer, lab_user = personas("district_officer"), personas("lab")
    lab = lab_for(lab_user)
    return lab_user, _liquor_sample(officer, lab, "BC-J1"), _liquor_sample(officer, lab, "BC-J2")


@pytest.mark.django_db
def test_the_import_judges_against_the_declared_value_and_audits_it(liquor):
    lab_user, one, two = liquor
    report = imports.results_import(
        by=lab_user,
        filename="r.csv",
        content=_csv("BC-J1,酒精度,15.2,%vol,,18.0%vol", "BC-J2,酒精度,17.6%vol,,,18%vol"),
        on=dt.date(2026, 3, 20),
    )
    assert report.ok, report.lines()
    bad = Item.objects.get(sample=one)
    assert (bad.verdict, bad.declared, bad.limit_text) == ("unqualified", "18.0%vol", "17～19%vol")
    assert Item.objects.get(sample=two).verdict == "qualified"
    entry = AuditEntry.objects.filter(object_type=services.RESULTS_OBJECT_TYPE, object_id=str(one.pk)).get()
    assert entry.after["test_items"][0]["declared"] == "18.0%vol"


@pytest.mark.django_db
def test_a_bad_declared_value_is_located_and_nothing_is_written(liquor, client_for):
    _lab_user, _one, _two = liquor
    client = client_for("lab")
    content = _csv(
        "BC-J1,酒精度,15.2,%vol,,十八度",  # unreadable
        "BC-J2,酒精度,17.6%vol,,,18mg/kg",  # not comparable with %vol
    )
    r = client.post("/sampling/results/import/", {"file": SimpleUploadedFile("r.csv", content)})
    page = r.content.decode()
    assert r.status_code == 200 and "标示值无法读取" in page and "标示值的单位与结果不可比" in page
    report = imports.results_import(by=_lab_user, filename="r.csv", content=content, on=dt.date(2026, 3, 20))
    located = {(i.row, i.column.split("（")[0], i.value) for i in report.issues}
    assert located == {(2, "F", "十八度"), (3, "F", "18mg/kg")}
    assert not Item.objects.exists()
    assert set(Sample.objects.values_list("status", flat=True)) == {"delivered"}


@pytest.mark.django_db
def test_the_api_takes_the_declared_value_and_refuses_a_bad_one(liquor, client_for):
    _lab_user, one, two = liquor
    client = client_for("lab")
    r = client.post(
        f"/api/v1/sampling/samples/{one.pk}/results",
        {"items": [{"item": "酒精度", "result": "15.2%vol", "declared": "18.0%vol"}]},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    item = r.json()["items"][0]
    assert (item["declared"], item["verdict"]) == ("18.0%vol", "unqualified")
    page = client.get(f"/sampling/{one.pk}/").content.decode()
    assert "18.0%vol" in page
    r = client.post(
        f"/api/v1/sampling/samples/{two.pk}/results",
        {"items": [{"item": "酒精度", "result": "15.2%vol", "declared": "很多"}]},
        content_type="application/json",
    )
    assert r.status_code == 422 and "标示值无法读取" in str(r.json()["detail"])
    assert not Item.objects.filter(sample=two).exists()


def test_a_bulletin_printing_the_detection_limit_of_a_banned_drug_agrees_only_above_it():
    """农业部公告第2292号: 氧氟沙星 may not be detected in food animals, so a bulletin's "≤2μg/kg"
    is the method's detection limit the lab judged by: the same limit when the bulletin's own
    result is above it, a different one when its result could not have been detected by it."""
    book = rules.default_limit_book()
    frog = {
        "id": "t3",
        "food_name_raw": "牛蛙",
        "category": "水产品-其他水产品",
        "prod_date": "2026-04-10",
        "fail_raw": "氧氟沙星║18.6μg/kg║≤2μg/kg",
    }
    assert bulletins.judge_record(frog, book, ON).agrees
    in_mg = {**frog, "fail_raw": "氧氟沙星║0.0186mg/kg║≤2μg/kg"}
    assert bulletins.judge_record(in_mg, book, ON).agrees  # the same figure in another unit
    under = {**frog, "fail_raw": "氧氟沙星║1.5μg/kg║≤2μg/kg"}
    out = bulletins.judge_record(under, book, ON)
    assert out.covered and not out.agrees and "限量不同" in out.reasons[0]
