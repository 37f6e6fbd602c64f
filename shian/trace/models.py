"""Traceability: EPCIS 2.0 events as captured, the lot graph derived from them, recalls, consumer
queries, and imported cold-chain food at the central supervised warehouse."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shian.core.models import Region
from shian.registry.models import Business


class EventType(models.TextChoices):
    OBJECT = "ObjectEvent", _("Object event")
    AGGREGATION = "AggregationEvent", _("Aggregation event")
    TRANSFORMATION = "TransformationEvent", _("Transformation event")
    TRANSACTION = "TransactionEvent", _("Transaction event")
    ASSOCIATION = "AssociationEvent", _("Association event")


class ProductLine(models.TextChoices):
    """Product lines counted apart on the consumer page (plan task 二十: infant formula, salt)."""

    INFANT_FORMULA = "infant_formula", _("Infant formula")
    SALT = "salt", _("Edible salt")
    IMPORTED_COLD_CHAIN = "imported_cold_chain", _("Imported cold-chain food")
    OTHER = "other", _("Other food")


class LotStatus(models.TextChoices):
    NORMAL = "normal", _("Normal")
    UNQUALIFIED = "unqualified", _("Judged unqualified")
    RECALLED = "recalled", _("Recalled")


class EdgeKind(models.TextChoices):
    SHIP = "ship", _("Shipped")
    RECEIVE = "receive", _("Received")
    TRANSFORM = "transform", _("Transformed")


class Capture(models.Model):
    """One accepted EPCIS document (or xlsx file): who sent it, when, and its document-level fields
    (everything but the event list), so an export can give them back."""

    captured_at = models.DateTimeField(_("captured at"), auto_now_add=True)
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=16)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    header = models.JSONField(_("document header"), default=dict, blank=True)
    events_total = models.PositiveIntegerField(_("events"), default=0)
    events_new = models.PositiveIntegerField(_("new events"), default=0)

    class Meta:
        verbose_name = _("EPCIS capture")
        verbose_name_plural = _("EPCIS captures")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.events_new}/{self.events_total}"


class PartyIdentifier(models.Model):
    """An EPCIS party or location identifier (a GLN, PGLN, a company's own URI) that stands for a
    business of the register. A `urn:cn:uscc:<unified social credit code>` needs no row."""

    identifier = models.CharField(_("identifier"), max_length=300, unique=True)
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="trace_identifiers")

    class Meta:
        verbose_name = _("party identifier")
        verbose_name_plural = _("party identifiers")

    def __str__(self) -> str:
        return self.identifier


class TraceEvent(models.Model):
    """One EPCIS event, stored as captured (`body`, the exact JSON) with the fields queries need."""

    hash_id = models.CharField(_("event hash ID"), max_length=100, unique=True)
    event_id = models.CharField(_("event ID as sent"), max_length=300, blank=True)
    event_type = models.CharField(_("event type"), max_length=20, choices=EventType.choices)
    action = models.CharField(_("action"), max_length=8, blank=True)
    biz_step = models.CharField(_("business step"), max_length=200, blank=True)
    disposition = models.CharField(_("disposition"), max_length=200, blank=True)
    event_time = models.DateTimeField(_("event time"))
    tz_offset = models.CharField(_("time zone offset"), max_length=6)
    record_time = models.DateTimeField(_("record time"))
    read_point = models.CharField(_("read point"), max_length=300, blank=True)
    biz_location = models.CharField(_("business location"), max_length=300, blank=True)
    # The business the event was recorded at (resolved from its location or parties), and its town:
    # the scope key.
    business = models.ForeignKey(
        Business, null=True, blank=True, on_delete=models.PROTECT, related_name="trace_events", db_index=False
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    capture = models.ForeignKey(Capture, on_delete=models.PROTECT, related_name="events", db_index=False)
    body = models.TextField(_("event as captured"))

    class Meta:
        verbose_name = _("trace event")
        verbose_name_plural = _("trace events")
        ordering = ["event_time", "id"]
        constraints = [
            models.CheckConstraint(
                name="traceevent_type_valid", condition=Q(event_type__in=EventType.values)
            ),
        ]
        indexes = [
            # a business's events by time (the coverage page, the business's trace record)
            models.Index(fields=["business", "event_time"], name="traceevent_business_time_idx"),
            # a town's events by time (scoped queries and exports)
            models.Index(fields=["region", "event_time"], name="traceevent_region_time_idx"),
            # queries by time alone (the EPCIS query's GE_eventTime / LT_eventTime)
            models.Index(fields=["event_time"], name="traceevent_time_idx"),
            # an export of one capture
            models.Index(fields=["capture"], name="traceevent_capture_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.biz_step} {self.event_time:%Y-%m-%d}"


class Lot(models.Model):
    """A node of the lot graph: one lot (or one identified item) held by one business. The same
    lot code at the producer, the wholesaler and the shop is three nodes joined by shipments."""

    identifier = models.CharField(_("identifier"), max_length=300)
    # "b:<business id>" for a business of the register, else the party's own identifier.
    holder = models.CharField(_("holder key"), max_length=300)
    business = models.ForeignKey(
        Business, null=True, blank=True, on_delete=models.PROTECT, related_name="lots", db_index=False
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True)
    lot_number = models.CharField(_("lot"), max_length=80, blank=True)
    product_name = models.CharField(_("product"), max_length=200, blank=True)
    product_line = models.CharField(
        _("product line"), max_length=20, choices=ProductLine.choices, default=ProductLine.OTHER
    )
    produced_on = models.DateField(_("production date"), null=True, blank=True)
    best_before = models.DateField(_("best before"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=LotStatus.choices, default=LotStatus.NORMAL)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["identifier", "holder"], name="lot_identifier_holder_uniq"),
            models.CheckConstraint(name="lot_status_valid", condition=Q(status__in=LotStatus.values)),
            models.CheckConstraint(
                name="lot_product_line_valid", condition=Q(product_line__in=ProductLine.values)
            ),
        ]
        # One column each: an entry then ends with the row id, so a business's or a town's lots
        # come in id order (the lists' order) without a sort, and each new lot costs less to
        # index than with the identifier in the key (docs/trace.md, "Lot indexes").
        indexes = [
            # a business's lots (the recall page's lots of the sample's business; a business
            # deleted: the reference check)
            models.Index(fields=["business"], name="lot_business_idx"),
            # a town's lots (scoped lists, newest first)
            models.Index(fields=["region"], name="lot_region_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.product_name or self.identifier} {self.lot_number}".strip()


class EventLot(models.Model):
    """Which lots an event concerns and in what role (the EPCIS "what" index: MATCH_anyEPCClass)."""

    event = models.ForeignKey(TraceEvent, on_delete=models.CASCADE, related_name="lots", db_index=False)
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="event_links", db_index=False)
    role = models.CharField(_("role"), max_length=12)
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=3, null=True, blank=True)
    uom = models.CharField(_("unit"), max_length=3, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "lot", "role"], name="eventlot_uniq")]
        indexes = [
            # a lot's events (its page, the FSMA sheet)
            models.Index(fields=["lot", "event"], name="eventlot_lot_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.lot_id} {self.role}"


class LotEdge(models.Model):
    """An edge of the lot graph: goods of one lot node went into another (shipped, received,
    transformed), at a time, in a quantity. Append-only: the in-memory graph follows by id."""

    src = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="out_edges", db_index=False)
    dst = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="in_edges", db_index=False)
    kind = models.CharField(_("kind"), max_length=10, choices=EdgeKind.choices)
    event = models.ForeignKey(TraceEvent, on_delete=models.PROTECT, related_name="edges", db_index=False)
    at = models.DateTimeField(_("time"))
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=3, null=True, blank=True)
    uom = models.CharField(_("unit"), max_length=3, blank=True)

    class Meta:
        verbose_name = _("lot link")
        verbose_name_plural = _("lot links")
        constraints = [
            models.CheckConstraint(name="lotedge_kind_valid", condition=Q(kind__in=EdgeKind.values)),
            models.UniqueConstraint(fields=["event", "src", "dst"], name="lotedge_event_uniq"),
        ]
        indexes = [
            # forward trace (where did it go) and the recursive CTE's join
            models.Index(fields=["src", "dst"], name="lotedge_src_dst_idx"),
            # backward trace (where did it come from)
            models.Index(fields=["dst", "src"], name="lotedge_dst_src_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.src_id} → {self.dst_id} ({self.kind})"


class LotSample(models.Model):
    """A sample (sampling) taken of a lot: its verdict is the lot's test result on the consumer page."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="sample_links")
    sample = models.ForeignKey("sampling.Sample", on_delete=models.CASCADE, related_name="trace_lots")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lot", "sample"], name="lotsample_uniq")]

    def __str__(self) -> str:
        return f"{self.lot_id}:{self.sample_id}"


class RecallStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Recall(models.Model):
    """A recall started from an unqualified sample's lot: the scope as it was found, and the
    disposal tasks opened for each business reached."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="recalls")
    sample = models.ForeignKey(
        "sampling.Sample", null=True, blank=True, on_delete=models.PROTECT, related_name="recalls"
    )
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"), max_length=8, choices=RecallStatus.choices, default=RecallStatus.OPEN
    )
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    lots_reached = models.PositiveIntegerField(_("lots reached"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("recall")
        verbose_name_plural = _("recalls")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(name="recall_status_valid", condition=Q(status__in=RecallStatus.values)),
        ]

    def __str__(self) -> str:
        return f"{self.lot} {self.opened_on}"


class RecallBusiness(models.Model):
    """A business reached by a recall: how many of its lots, how much, and its disposal task."""

    recall = models.ForeignKey(Recall, on_delete=models.CASCADE, related_name="businesses")
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    lots = models.PositiveIntegerField(_("lots"), default=0)
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=3, null=True, blank=True)
    uom = models.CharField(_("unit"), max_length=3, blank=True)
    depth = models.PositiveSmallIntegerField(_("steps from the origin"), default=0)
    disposal = models.ForeignKey(
        "sampling.DisposalTask", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recall", "business"], name="recallbusiness_uniq")]
        ordering = ["depth", "id"]

    def __str__(self) -> str:
        return f"{self.recall_id}:{self.business_id}"


class QuerySource(models.TextChoices):
    PLATFORM = "platform", _("Counted by the platform")
    REPORTED = "reported", _("Reported figure")


class ConsumerQueryCount(models.Model):
    """Consumer trace queries of a day, per product line (and lot identifier when counted here).
    Reported rows hold figures from before the platform (the 2021 baseline of plan target T20)."""

    day = models.DateField(_("day"))
    product_line = models.CharField(_("product line"), max_length=20, choices=ProductLine.choices)
    identifier = models.CharField(_("identifier"), max_length=300, blank=True)
    source = models.CharField(
        _("source"), max_length=8, choices=QuerySource.choices, default=QuerySource.PLATFORM
    )
    count = models.PositiveIntegerField(_("queries"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("consumer query count")
        verbose_name_plural = _("consumer query counts")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "product_line", "identifier", "source"], name="consumerquery_uniq"
            ),
        ]
        indexes = [models.Index(fields=["product_line", "day"], name="consumerquery_line_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.product_line} {self.count}"


class ColdChainDirection(models.TextChoices):
    IN = "in", _("Into the warehouse")
    OUT = "out", _("Out of the warehouse")


class ColdChainRecord(models.Model):
    """An in or out record of imported cold-chain food at the central supervised warehouse
    (集中监管仓), with its certificates; `missing` lists what the rules of its date required and
    the record lacks (rules.cold_chain_missing)."""

    warehouse = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="cold_chain_records")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(_("direction"), max_length=3, choices=ColdChainDirection.choices)
    at = models.DateTimeField(_("time"))
    product_name = models.CharField(_("product"), max_length=200)
    origin_country = models.CharField(_("country of origin"), max_length=60, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    uom = models.CharField(_("unit"), max_length=3, default="KGM")
    lot = models.ForeignKey(
        Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="cold_chain_records"
    )
    counterparty = models.ForeignKey(
        Business, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counterparty_name = models.CharField(_("counterparty"), max_length=200, blank=True)
    customs_declaration = models.CharField(_("customs declaration number"), max_length=40, blank=True)
    quarantine_certificate = models.CharField(
        _("inspection and quarantine certificate"), max_length=40, blank=True
    )
    nucleic_acid_proof = models.CharField(_("nucleic acid test report"), max_length=40, blank=True)
    disinfection_proof = models.CharField(_("disinfection certificate"), max_length=40, blank=True)
    trace_code = models.CharField(_("trace code"), max_length=60, blank=True)
    rule_edition = models.CharField(_("rule edition"), max_length=40)
    missing = models.JSONField(_("missing proofs"), default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("cold-chain record")
        verbose_name_plural = _("cold-chain records")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="coldchain_direction_valid", condition=Q(direction__in=ColdChainDirection.values)
            ),
            models.CheckConstraint(name="coldchain_quantity_positive", condition=Q(quantity__gt=0)),
        ]
        indexes = [models.Index(fields=["region", "at"], name="coldchain_region_time_idx")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.product_name} {self.at:%Y-%m-%d}"


class ColdChainCheck(models.Model):
    """A 三专三证五不准 checklist check of a cold store or a market (plan task 五; target T05)."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="cold_chain_checks")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField(_("checked on"))
    answers = models.JSONField(_("answers"), default=dict)
    edition = models.CharField(_("rule edition"), max_length=40)
    passed = models.BooleanField(_("all items met"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("cold-chain checklist check")
        verbose_name_plural = _("cold-chain checklist checks")
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["region", "checked_on"], name="coldcheck_region_day_idx")]

    def __str__(self) -> str:
        return f"{self.business_id} {self.checked_on}"
