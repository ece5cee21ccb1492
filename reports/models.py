"""Targets (data, not code) and the metric snapshots the dashboard reads."""
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from divisions.models import Division

from .metrics import METRICS


def validate_metric(value: str) -> None:
    from django.core.exceptions import ValidationError

    if value not in METRICS or METRICS[value].kind != "rate":
        raise ValidationError(f"「{value}」不是可用作目标的指标。")


def metric_choices() -> list[tuple[str, str]]:
    return [(key, metric.label) for key, metric in METRICS.items() if metric.kind == "rate"]


class Target(models.Model):
    """A dated target of the 2020 notice (T1–T4) or of a later plan: a metric, a threshold and a deadline."""

    code = models.CharField("编号", max_length=16, unique=True, help_text="如 T1；新的计划可增加 T5 等。")
    title = models.CharField("目标", max_length=200)
    clause = models.CharField("依据条款", max_length=20, blank=True)
    # Not a choices field: a new metric in reports.metrics needs no migration; the validator and the admin's
    # select list come from the same registry.
    metric = models.CharField("指标", max_length=40, validators=[validate_metric])
    threshold = models.DecimalField("达标值（%）", max_digits=5, decimal_places=1)
    deadline = models.DateField("期限")
    division = models.ForeignKey(Division, verbose_name="制定层级", on_delete=models.PROTECT, related_name="+",
                                 limit_choices_to={"level": "region"})
    active = models.BooleanField("启用", default=True)

    history = HistoricalRecords()

    scope_path = "division__code"

    class Meta:
        verbose_name = "目标"
        verbose_name_plural = "目标"
        ordering = ["deadline", "code"]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def metric_label(self) -> str:
        return METRICS[self.metric].label if self.metric in METRICS else self.metric

    def met(self, figure) -> bool | None:
        """The verdict on a figure (numerator, denominator, unknown), read as the notice's targets are read:
        达标 (True) when the known passes alone reach the threshold; 未达标 (False) when even counting every unknown
        as a pass would not; otherwise, or with nothing to count, 待补充 (None). Both shares are rounded as shown."""
        if figure is None or not figure.denominator:
            return None

        def share(count: int) -> Decimal:
            return (Decimal(count * 100) / figure.denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

        if share(figure.numerator) >= self.threshold:
            return True
        if share(figure.numerator + figure.unknown) < self.threshold:
            return False
        return None


class MetricSnapshot(models.Model):
    """One metric for one division as of one date: numerator, denominator and how many were unknown."""

    metric = models.CharField("指标", max_length=40)
    division = models.ForeignKey(Division, verbose_name="区划", on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField("截至日期")
    numerator = models.PositiveIntegerField("达标数", default=0)
    denominator = models.PositiveIntegerField("总数", default=0)
    unknown = models.PositiveIntegerField("待补充数", default=0)
    value = models.DecimalField("数值", max_digits=14, decimal_places=1, null=True, blank=True)
    details = models.JSONField("明细", default=dict, blank=True)
    computed_at = models.DateTimeField("计算时间", default=timezone.now)

    scope_path = "division__code"

    class Meta:
        verbose_name = "指标快照"
        verbose_name_plural = "指标快照"
        ordering = ["-as_of", "division__code", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "division", "as_of"], name="metric_snapshot_unique"),
        ]
        indexes = [models.Index(fields=["as_of", "metric"], name="metric_snapshot_date")]

    def __str__(self):
        return f"{self.metric} {self.as_of:%Y-%m-%d}"


class SnapshotRun(models.Model):
    """One completed snapshot run. Its version keys every cached reading of the dashboard, so a run finished in
    any process (the worker, a command, another web server) is seen by every web process at once."""

    version = models.CharField("数据版本", max_length=32, unique=True)
    finished_at = models.DateTimeField("完成时间", default=timezone.now)
    dates = models.JSONField("截至日期", default=list)
    rows = models.PositiveIntegerField("快照条数", default=0)

    class Meta:
        verbose_name = "快照计算记录"
        verbose_name_plural = "快照计算记录"
        ordering = ["-pk"]  # runs take turns (see snapshots_compute): the last one is the newest

    def __str__(self):
        return f"{timezone.localtime(self.finished_at):%Y-%m-%d %H:%M} 版本 {self.short_version}"

    @property
    def short_version(self) -> str:
        return self.version[:8]
