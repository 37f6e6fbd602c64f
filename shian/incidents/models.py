"""Food-safety incidents (食品安全事故) with their level, reporting clocks and timeline; emergency
drills against the response plan; foodborne-disease case reports from hospitals."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shian.core.models import CreatedBy, Region, Registered, person_reference
from shian.registry.models import Business


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", _("已报告")
    INVESTIGATING = "investigating", _("调查处置中")
    CLOSED = "closed", _("已结案")


INCIDENT_TRANSITIONS: dict[str, frozenset[str]] = {
    IncidentStatus.REPORTED: frozenset({IncidentStatus.INVESTIGATING, IncidentStatus.CLOSED}),
    IncidentStatus.INVESTIGATING: frozenset({IncidentStatus.CLOSED}),
    IncidentStatus.CLOSED: frozenset(),
}


class Incident(Registered):
    code = models.CharField(_("编号"), max_length=20, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("发生镇街"))
    business = models.ForeignKey(
        Business, null=True, blank=True, on_delete=models.PROTECT, related_name="incidents", db_index=False
    )
    place = models.CharField(_("发生地点"), max_length=200)
    onset_at = models.DateTimeField(_("首例发病时间"))
    known_at = models.DateTimeField(_("接报时间"))
    ill = models.PositiveIntegerField(_("发病人数"))
    hospitalised = models.PositiveIntegerField(_("住院人数"), default=0)
    deaths = models.PositiveIntegerField(_("死亡人数"), default=0)
    suspected_food = models.CharField(_("可疑食品"), max_length=200, blank=True)
    level = models.CharField(_("级别"), max_length=8)
    rule_edition = models.CharField(_("分级规则版本"), max_length=40)
    status = models.CharField(
        _("状态"), max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.REPORTED
    )
    sample_codes = models.CharField(_("关联样品编号"), max_length=400, blank=True)
    case_number = models.CharField(_("关联案件编号"), max_length=60, blank=True)
    cause = models.CharField(_("原因"), max_length=500, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("食品安全事故")
        verbose_name_plural = _("食品安全事故")
        ordering = ["-onset_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="incident_status_valid", condition=Q(status__in=IncidentStatus.values)
            ),
            models.CheckConstraint(
                name="incident_deaths_within_ill", condition=Q(deaths__lte=models.F("ill"))
            ),
            models.CheckConstraint(
                name="incident_hospitalised_within_ill", condition=Q(hospitalised__lte=models.F("ill"))
            ),
        ]
        indexes = [
            # a town's incidents by onset (the list, the per-100,000 indicator)
            models.Index(fields=["region", "onset_at"], name="incident_region_onset_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.place}"


class IncidentStep(models.Model):
    """The timeline: reports made (首报、续报), escalations, findings, closure."""

    class Kind(models.TextChoices):
        REPORTED = "reported", _("接报登记")
        REPORT_SENT = "report_sent", _("向上报告")
        ESCALATED = "escalated", _("升级")
        UPDATE = "update", _("处置进展")
        CLOSED = "closed", _("结案")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    clock = models.CharField(_("报告时限"), max_length=30, blank=True)
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    by = person_reference()

    class Meta:
        verbose_name = _("事故处置记录")
        verbose_name_plural = _("事故处置记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at}"


class Drill(CreatedBy):
    """An emergency drill (应急演练, plan task 二) against the response plan."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织镇街或区"), db_index=False
    )
    held_on = models.DateField(_("演练日期"))
    title = models.CharField(_("演练名称"), max_length=200)
    plan = models.CharField(_("依据预案"), max_length=200)
    scenario = models.CharField(_("演练情景"), max_length=500, blank=True)
    participants = models.PositiveIntegerField(_("参演人数"))
    units = models.CharField(_("参演单位"), max_length=500, blank=True)
    findings = models.TextField(_("发现的问题和改进措施"), max_length=4000, blank=True)

    class Meta:
        verbose_name = _("应急演练")
        verbose_name_plural = _("应急演练")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["held_on"], name="drill_held_on_idx")]  # the plan's drill count

    def __str__(self) -> str:
        return self.title


class FoodborneCase(models.Model):
    """A foodborne-disease case report from a hospital (食品安全法第一百零四条), imported: no name
    or identity number is kept, only what links cases to a place."""

    hospital = models.CharField(_("报告医院"), max_length=100)
    report_no = models.CharField(_("报告卡编号"), max_length=40, unique=True)
    onset_on = models.DateField(_("发病日期"))
    age = models.PositiveSmallIntegerField(_("年龄"), null=True, blank=True)
    sex = models.CharField(_("性别"), max_length=2, blank=True)
    symptoms = models.CharField(_("主要症状"), max_length=200, blank=True)
    suspected_food = models.CharField(_("可疑食品"), max_length=200, blank=True)
    place = models.CharField(_("进食场所"), max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇街"))
    business = models.ForeignKey(
        Business, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases", db_index=False
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("食源性疾病病例报告")
        verbose_name_plural = _("食源性疾病病例报告")
        ordering = ["-onset_on", "-id"]
        indexes = [models.Index(fields=["region", "onset_on"], name="foodbornecase_region_onset_idx")]

    def __str__(self) -> str:
        return self.report_no


class MonitoringTask(models.Model):
    """A food-safety risk-monitoring task (风险监测, plan task 十四): what the city's monitoring plan
    asks the district to sample for contaminants or pathogens. Monitoring is not enforcement: its
    results are studied (研判), not judged against a limit to penalise a business."""

    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    category = models.ForeignKey("core.FoodCategory", on_delete=models.PROTECT, related_name="+")
    hazard = models.CharField(_("监测项目"), max_length=100)
    planned = models.PositiveIntegerField(_("计划样本数"))
    unit = models.CharField(_("承担单位"), max_length=100)

    class Meta:
        verbose_name = _("风险监测任务")
        verbose_name_plural = _("风险监测任务")
        ordering = ["-year", "id"]

    def __str__(self) -> str:
        return self.title


class MonitoringResult(models.Model):
    task = models.ForeignKey(MonitoringTask, on_delete=models.CASCADE, related_name="results")
    sampled_on = models.DateField(_("采样日期"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", db_index=False)
    food_name = models.CharField(_("样品"), max_length=100)
    value = models.DecimalField(_("结果"), max_digits=14, decimal_places=4, null=True, blank=True)
    result_unit = models.CharField(_("单位"), max_length=20, blank=True)
    abnormal = models.BooleanField(_("异常"), default=False)
    note = models.CharField(_("研判意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("风险监测结果")
        verbose_name_plural = _("风险监测结果")
        ordering = ["-sampled_on", "-id"]
        indexes = [models.Index(fields=["task", "sampled_on"], name="monitoringresult_task_idx")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.food_name}"
