"""Targets (data, not code) and the metric snapshots the dashboard reads."""
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
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
        return f"{self.metric_label} {self.as_of:%Y-%m-%d}"

    @property
    def metric_label(self) -> str:
        return METRICS[self.metric].label if self.metric in METRICS else self.metric


class SnapshotRun(models.Model):
    """One completed snapshot run. Its version keys every cached reading of the dashboard, so a run finished in
    any process (the worker, a command, another web server) is seen by every web process at once."""

    version = models.CharField("数据版本", max_length=32, unique=True)
    finished_at = models.DateTimeField("完成时间", default=timezone.now)
    dates = models.JSONField("截至日期", default=list)
    rows = models.PositiveIntegerField("快照条数", default=0)
    pillars = models.JSONField("T3 建设要素", default=list, blank=True,
                               help_text="本次计算所用的四项要素及其条款：看板按此说明 T3 的读法。")

    class Meta:
        verbose_name = "快照计算记录"
        verbose_name_plural = "快照计算记录"
        ordering = ["-pk"]  # runs take turns (see snapshots_compute): the last one is the newest

    def __str__(self):
        return f"{timezone.localtime(self.finished_at):%Y-%m-%d %H:%M} 版本 {self.short_version}"

    @property
    def short_version(self) -> str:
        return self.version[:8]


class SnapshotJob(models.Model):
    """One 重新计算 asked for in the admin: queued, running (dates done of dates to do), done with its run, or failed
    with the reason. The page that asked polls it; a job whose worker stopped reporting is shown as interrupted."""

    class Status(models.TextChoices):
        QUEUED = "queued", "等待计算"
        RUNNING = "running", "正在计算"
        DONE = "done", "计算完成"
        FAILED = "failed", "计算失败"

    STALE_AFTER = timedelta(minutes=15)  # longer than the task's hard time limit: nobody is computing it any more

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.SET_NULL,
                                     null=True, related_name="+")
    requested_at = models.DateTimeField("提交时间", default=timezone.now)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.QUEUED)
    dates_total = models.PositiveSmallIntegerField("截至日期数", default=0)
    dates_done = models.PositiveSmallIntegerField("已完成日期数", default=0)
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    run = models.ForeignKey(SnapshotRun, verbose_name="计算记录", on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+")
    message = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "重新计算任务"
        verbose_name_plural = "重新计算任务"
        ordering = ["-pk"]

    def __str__(self):
        return f"{timezone.localtime(self.requested_at):%Y-%m-%d %H:%M} {self.get_status_display()}"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def give_up_if_stale(self, now=None) -> bool:
        """Mark a job nobody works on any more as failed (its worker was stopped); True if it was."""
        now = now or timezone.now()
        if not self.active or (self.heartbeat_at or self.requested_at) > now - self.STALE_AFTER:
            return False
        self.status, self.finished_at = self.Status.FAILED, now
        self.message = "计算中断（后台任务服务已停止或重启），未写入新的快照。请重新提交。"
        self.save(update_fields=["status", "finished_at", "message"])
        return True

    def as_dict(self) -> dict:
        return {"status": self.status, "label": self.get_status_display(), "done": self.dates_done,
                "total": self.dates_total, "message": self.message}


# Facts a pillar may use besides the clauses of the 体检 (reports.metrics measures them per county).
PILLAR_FACTS = {"coverage": "建立协会（N2.1，计入覆盖率）", "new_people": "当年（或上一整年）有新注册志愿者或新会员",
                "hours": "当年（或上一整年）有已确认的服务时长"}


def pillar_parts() -> dict[str, str]:
    from associations.rules import CLAUSE_TITLES, CLAUSES

    return {**{c: f"{c} {CLAUSE_TITLES.get(c, '')}".strip() for c in CLAUSES}, **PILLAR_FACTS}


class Pillar(models.Model):
    """One of T3's four pillars (组织完备、管理规范、服务完善、充满活力) and the clauses and facts that make it.

    The notice names the four words and nothing more; which clauses make each is the platform's reading, so it is
    data the region keeps, shown on the dashboard beside T3. Only a hard clause can make a pillar fail (advice and
    a duty not yet due never do)."""

    key = models.CharField("指标", max_length=40, unique=True, editable=False)
    name = models.CharField("名称", max_length=20)
    parts = models.JSONField("构成条款和事实", default=list,
                             help_text="条款编号（如 G3、N2.5）和事实（coverage 建立协会、new_people 新注册、hours 服务时长）。")
    position = models.PositiveSmallIntegerField("顺序", default=0)
    division = models.ForeignKey(Division, verbose_name="制定层级", on_delete=models.PROTECT, related_name="+",
                                 limit_choices_to={"level": "region"})

    history = HistoricalRecords()

    scope_path = "division__code"

    class Meta:
        verbose_name = "T3 建设要素"
        verbose_name_plural = "T3 建设要素"
        ordering = ["position", "key"]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        known = pillar_parts()
        parts = self.parts if isinstance(self.parts, list) else None
        if not parts:
            raise ValidationError({"parts": "请至少选择一项条款或事实。"})
        unknown = [str(p) for p in parts if p not in known]
        if unknown:
            raise ValidationError({"parts": f"「{'、'.join(unknown)}」不是可用的条款或事实。"})
        if len(set(parts)) != len(parts):
            raise ValidationError({"parts": "有重复的条款。"})


DEFAULT_PILLARS = (
    ("pillar_organisation", "组织完备", ["coverage", "N2.1", "G3", "G1", "G5", "G13"]),
    ("pillar_management", "管理规范", ["G8", "N2.5", "G4", "G6"]),
    ("pillar_service", "服务完善", ["G20", "G17"]),
    ("pillar_vitality", "充满活力", ["G12", "new_people", "hours"]),
)


def pillars_described() -> list[dict]:
    """The pillars as the dashboard explains them: name and each part's label, hard or advisory."""
    from associations.rules import CLAUSES

    labels = pillar_parts()
    rows = [row for row in Pillar.objects.order_by("position", "key").values_list("key", "name", "parts")
            if row[0] in METRICS and row[0].startswith("pillar_")] or [
        (key, name, parts) for key, name, parts in DEFAULT_PILLARS]
    return [{"key": key, "name": name,
             "parts": [{"code": p, "label": labels.get(p, p),
                        "advisory": p in CLAUSES and CLAUSES[p].strength == "soft"} for p in parts]}
            for key, name, parts in rows]


def pillars_read() -> dict[str, tuple[str, ...]]:
    """Pillar metric → its parts, in order; the defaults while none are stored (a database not yet migrated)."""
    stored = {key: tuple(parts) for key, parts in Pillar.objects.order_by("position", "key").values_list("key", "parts")
              if key in METRICS and key.startswith("pillar_")}  # the four metrics; nothing else is measured
    return stored or {key: tuple(parts) for key, _, parts in DEFAULT_PILLARS}
