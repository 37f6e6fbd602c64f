"""Demo traceability over the demo register, through the real services (deterministic for a seed):
an infant-formula dairy and a salt packer with their lots, wholesalers and shops they ship to,
the central supervised cold-chain warehouse with its in/out records and checklist checks, consumer
queries of 2021 (reported) and 2022 (counted), and one recall from an unqualified sample."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from shian.core.models import AuditSource, Region, Role, User
from shian.registry.models import Business, BusinessStatus, BusinessType
from shian.sampling import services as sampling_services
from shian.sampling.models import Lab, LabMember
from shian.sampling.workflow import SampleStatus as S

from . import rules, selectors, services
from .models import ConsumerQueryCount, Lot, ProductLine, QuerySource, Recall, TraceEvent

TZ = ZoneInfo("Asia/Shanghai")
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"shian": "urn:shian:epcis:"}]
RECALL_BATCH = "R220315"


def _party(b: Business) -> str:
    return f"urn:cn:uscc:{b.credit_code}"


def _when(day: dt.date, hour: int) -> str:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=TZ).isoformat()


def _lot(prefix: str, lot: str) -> str:
    return f"urn:epc:class:lgtin:{prefix}.{lot}"


def _pick(kind: str, n: int, rng: random.Random, exclude: set[int]) -> list[Business]:
    pool = [
        b
        for b in Business.objects.filter(
            business_type=kind, status=BusinessStatus.ACTIVE, credit_code__isnull=False
        ).order_by("id")[:3000]
        if b.pk not in exclude
    ]
    rng.shuffle(pool)
    chosen = pool[:n]
    exclude.update(b.pk for b in chosen)
    return chosen


def _events(
    rng: random.Random, producers: list[Business], wholesalers: list[Business], shops: list[Business]
) -> list[dict[str, Any]]:
    """Each producer commissions lots through 2022; each lot goes to two or three wholesalers, each
    wholesaler passes part of it on to shops (and the shop receives it)."""
    events: list[dict[str, Any]] = []
    products = [
        ("6901234.012345", "婴儿配方奶粉 1段 800g", ProductLine.INFANT_FORMULA, "XCN"),
        ("6901234.054321", "精制加碘食用盐 400g", ProductLine.SALT, "XBG"),
        ("6901234.067890", "东北大米 5kg", ProductLine.OTHER, "XBG"),
    ]
    for p_index, producer in enumerate(producers):
        prefix, name, line, unit = products[p_index % len(products)]
        for month in range(1, 13):
            day = dt.date(2022, month, 3 + p_index)
            batch = f"{'FSR'[p_index % 3]}22{month:02d}{p_index:02d}"
            if p_index == 2 and month == 3:
                batch = RECALL_BATCH
            epc_class = _lot(prefix, batch)
            events.append(
                {
                    "type": "ObjectEvent",
                    "action": "ADD",
                    "bizStep": "commissioning",
                    "disposition": "active",
                    "eventTime": _when(day, 8),
                    "eventTimeZoneOffset": "+08:00",
                    "quantityList": [{"epcClass": epc_class, "quantity": 5000, "uom": unit}],
                    "bizLocation": {"id": _party(producer)},
                    "ilmd": {
                        "shian:productName": name,
                        "shian:productLine": line,
                        "shian:productionDate": day.isoformat(),
                    },
                }
            )
            for w in rng.sample(wholesalers, k=min(3, len(wholesalers))):
                qty = rng.choice([600, 800, 1200])
                ship_day = day + dt.timedelta(days=1)
                events.append(_move("shipping", producer, w, epc_class, qty, unit, ship_day, batch))
                for shop in rng.sample(shops, k=min(rng.randint(3, 6), len(shops))):
                    q2 = rng.choice([24, 48, 60])
                    d2 = ship_day + dt.timedelta(days=rng.randint(1, 4))
                    events.append(_move("shipping", w, shop, epc_class, q2, unit, d2, batch))
                    if rng.random() < 0.6:
                        events.append(
                            _move("receiving", w, shop, epc_class, q2, unit, d2, batch, at_receiver=True)
                        )
    return events


def _move(
    step: str,
    frm: Business,
    to: Business,
    epc_class: str,
    qty: int,
    unit: str,
    day: dt.date,
    batch: str,
    *,
    at_receiver: bool = False,
) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "bizStep": step,
        "disposition": "in_transit" if step == "shipping" else "in_progress",
        "eventTime": _when(day, 16 if at_receiver else 9),
        "eventTimeZoneOffset": "+08:00",
        "quantityList": [{"epcClass": epc_class, "quantity": qty, "uom": unit}],
        "bizLocation": {"id": _party(to if at_receiver else frm)},
        "sourceList": [{"type": "owning_party", "source": _party(frm)}],
        "destinationList": [{"type": "owning_party", "destination": _party(to)}],
        "bizTransactionList": [
            {"type": "desadv", "bizTransaction": f"urn:shian:doc:{frm.credit_code}:{batch}-{to.pk}"}
        ],
    }


def _doc(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2023-01-01T00:00:00Z",
        "epcisBody": {"eventList": events},
    }


def _officer() -> User:
    return User.objects.filter(role=Role.DISTRICT_OFFICER, is_active=True).order_by(
        "id"
    ).first() or User.objects.create(
        username="demo-trace-officer", role=Role.DISTRICT_OFFICER, full_name="演示数据（追溯）"
    )


def demo_trace_build(*, seed: int, out: Callable[[str], object] = print) -> int:
    """Build the demo's traceability data; skipped when events exist. Returns the events captured."""
    if TraceEvent.objects.exists():
        out("追溯事件已存在，跳过 / trace events exist")
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    taken: set[int] = set()
    producers = _pick(BusinessType.PRODUCTION, 3, rng, taken)
    wholesalers = _pick(BusinessType.WHOLESALE_RETAIL, 8, rng, taken)
    shops = _pick(BusinessType.WHOLESALE_RETAIL, 40, rng, taken) + _pick(
        BusinessType.CATERING, 10, rng, taken
    )
    warehouses = _pick(BusinessType.COLD_STORE, 2, rng, taken)
    if not producers or not wholesalers or not shops:
        out("登记簿中没有足够的主体，跳过追溯演示数据 / register too small")
        return 0
    officer = _officer()
    events = _events(rng, producers, wholesalers, shops)
    result = services.epcis_capture(
        by=officer, document=_doc(events), source=AuditSource.COMMAND, filename="demo", check_permission=False
    )
    out(f"追溯事件 {result.new} 个，批次节点 {Lot.objects.count()} 个 / trace events")
    _cold_chain(rng, officer, warehouses or wholesalers[:1], shops)
    _queries(rng)
    _recall(officer, producers[2 % len(producers)], out)
    return result.new


def _cold_chain(
    rng: random.Random, officer: User, warehouses: list[Business], buyers: list[Business]
) -> None:
    """The central supervised warehouse through 2022: imported frozen food in with its proofs (a
    few missing one), out to buyers; quarterly checklist checks of the cold stores."""
    central = warehouses[0]
    products = [
        ("冷冻去骨牛肉", "巴西"),
        ("冷冻白虾", "厄瓜多尔"),
        ("冷冻猪肉分割品", "西班牙"),
        ("冷冻三文鱼", "挪威"),
    ]
    for k in range(36):
        day = dt.date(2022, 1 + k // 3, 5 + (k % 3) * 8)
        product, country = products[k % len(products)]
        proofs = {
            "customs_declaration": f"0204{2022}{k:06d}",
            "quarantine_certificate": f"IQ120000{k:05d}",
            "nucleic_acid_proof": f"HS{k:05d}" if k % 11 else "",
            "disinfection_proof": f"XD{k:05d}",
            "trace_code": f"TJLL{k:08d}",
        }
        at = dt.datetime.combine(day, dt.time(9, 0), tzinfo=TZ)
        services.cold_chain_record(
            by=officer,
            warehouse=central,
            direction="in",
            at=at,
            product_name=product,
            quantity=Decimal(rng.choice([8000, 12000, 20000])),
            origin_country=country,
            proofs=proofs,
            source=AuditSource.COMMAND,
        )
        buyer = rng.choice(buyers)
        services.cold_chain_record(
            by=officer,
            warehouse=central,
            direction="out",
            at=at + dt.timedelta(days=2),
            product_name=product,
            quantity=Decimal(2000),
            origin_country=country,
            counterparty=buyer,
            proofs={"trace_code": proofs["trace_code"]},
            source=AuditSource.COMMAND,
        )

    for quarter in range(4):
        day = dt.date(2022, 3 * quarter + 2, 15)
        checklist = rules.cold_chain_checklist(day)
        for w in warehouses:
            answers = {i.code: not (quarter == 1 and i.code == "bu-mixed") for i in checklist.items}
            services.cold_chain_check_record(
                by=officer, business=w, checked_on=day, answers=answers, source=AuditSource.COMMAND
            )
    for market in Business.objects.filter(
        business_type=BusinessType.AGRI_MARKET, status=BusinessStatus.ACTIVE
    ).order_by("id")[:20]:
        services.cold_chain_check_record(
            by=officer,
            business=market,
            checked_on=dt.date(2022, 6, 20),
            answers={i.code: True for i in rules.cold_chain_checklist(dt.date(2022, 6, 20)).items},
            source=AuditSource.COMMAND,
        )


def _queries(rng: random.Random) -> None:
    """2021: the industry department's reported monthly figures (the baseline of T20); 2022: daily
    counts as the public page counts them."""
    rows = [
        ConsumerQueryCount(
            day=dt.date(2021, m, 1),
            product_line=ProductLine.INFANT_FORMULA,
            source=QuerySource.REPORTED,
            count=900 + 40 * m,
            note="区工业和信息化局报送（演示数据）",
        )
        for m in range(1, 13)
    ]
    day = dt.date(2022, 1, 1)
    while day.year == 2022:
        rows.append(
            ConsumerQueryCount(
                day=day,
                product_line=ProductLine.INFANT_FORMULA,
                identifier="",
                source=QuerySource.PLATFORM,
                count=rng.randint(40, 70),
            )
        )
        rows.append(
            ConsumerQueryCount(
                day=day,
                product_line=ProductLine.SALT,
                identifier="",
                source=QuerySource.PLATFORM,
                count=rng.randint(5, 20),
            )
        )
        day += dt.timedelta(days=1)
    ConsumerQueryCount.objects.bulk_create(rows, batch_size=2000)


def _recall(officer: User, producer: Business, out: Callable[[str], object]) -> None:
    """An unqualified sample of the producer's March rice lot, and the recall it starts."""
    lot = Lot.objects.filter(business=producer, lot_number=RECALL_BATCH).first()
    if lot is None or Recall.objects.exists():
        return
    lab = Lab.objects.order_by("id").first() or Lab.objects.create(
        name="北辰区食品检验所", cma_number="CMA-120113-0002"
    )
    member = LabMember.objects.filter(lab=lab).select_related("user").first()
    lab_user = (
        member.user
        if member
        else User.objects.create(username="demo-trace-lab", role=Role.LAB, full_name="演示检验员")
    )
    if member is None:
        LabMember.objects.create(user=lab_user, lab=lab)
    with transaction.atomic():
        sample = sampling_services.sample_create(
            by=officer,
            code="BC2022-TRACE-01",
            region=Region.objects.get(pk=producer.region_id),
            food_name="大米",
            category_path="粮食加工品-大米",
            produced_on=dt.date(2022, 3, 5),
            sampled_on=dt.date(2022, 3, 10),
            lab=lab,
            business=producer,
            batch=RECALL_BATCH,
            source=AuditSource.COMMAND,
        )
        for status in (S.SAMPLED, S.DELIVERED):
            sampling_services.sample_set_status(
                sample=sample, status=status, by=officer, on=dt.date(2022, 3, 10), source=AuditSource.COMMAND
            )
        sampling_services.sample_results_record(
            sample=sample,
            results=[("镉(以Cd计)", "0.35mg/kg")],
            by=lab_user,
            on=dt.date(2022, 3, 21),
            source=AuditSource.COMMAND,
        )
        sampling_services.sample_set_status(
            sample=sample, status=S.NOTIFIED, by=officer, on=dt.date(2022, 3, 22), source=AuditSource.COMMAND
        )
        sample.refresh_from_db()
        view = selectors.trace_for_user(user=officer, lot=lot, forward=True)
        recall = services.recall_open(
            by=officer,
            lot=lot,
            sample=sample,
            reason="抽检样品 BC2022-TRACE-01 镉超标，召回同批次大米",
            on=dt.date(2022, 3, 23),
            scope_rows=[
                services.ScopeBusiness(b.business_id, b.region_id, b.lots, b.quantity, b.uom, b.depth)
                for b in view.businesses
            ],
            lots_reached=view.lot_ids,
            source=AuditSource.COMMAND,
        )
    out(f"召回 1 起：{recall.businesses.count()} 家主体开启核查处置 / one recall")
