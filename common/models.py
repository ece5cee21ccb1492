import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ImportJob(models.Model):
    """A large Excel import run by a Celery worker: first a preview (validation only), then, once confirmed,
    the import itself. Progress and the report are kept here for the admin to poll and download."""

    class Phase(models.TextChoices):
        PREVIEW = "preview", "预览检查"
        IMPORT = "import", "正式导入"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.CASCADE,
                             related_name="+")
    model_label = models.CharField("数据类别", max_length=100)
    filename = models.CharField("文件名", max_length=255)
    stored_path = models.CharField("存储路径", max_length=255)
    phase = models.CharField("阶段", max_length=16, choices=Phase.choices, default=Phase.PREVIEW)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField("已处理行数", default=0)
    new = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("无变化", default=0)
    skipped = models.PositiveIntegerField("跳过已登记", default=0)
    options = models.JSONField("导入选项", default=dict, blank=True)  # the upload form's choices (on_existing)
    errors = models.JSONField("错误", default=list, blank=True)
    error_count = models.PositiveIntegerField("问题数", default=0)  # all of them, also beyond MAX_ERRORS_KEPT
    changes = models.JSONField("更新内容", default=list, blank=True)  # [row, record, [[column, old, new], …]]
    message = models.CharField("说明", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    heartbeat_at = models.DateTimeField("最近进展时间", null=True, blank=True)  # the worker's last sign of life
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    MAX_ERRORS_KEPT = 5000
    STALE_AFTER = timedelta(minutes=10)  # a running job silent this long lost its worker
    WORKER_LOST = ("处理该文件的后台进程意外中止，导入是一个整体事务，未写入任何数据。"
                   "可以点“重新执行”再试一次；多次失败请联系管理员。")
    BROKER_DOWN = ("后台任务服务暂时无法连接，文件已保存，但尚未开始检查，未写入任何数据。"
                   "请稍后点“重新执行”；多次失败请联系管理员。")

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at"]
        constraints = [
            # confirming the same preview twice (a double click, two tabs) imports the file once
            models.UniqueConstraint(fields=["stored_path"], condition=Q(phase="import") & ~Q(status="failed"),
                                    name="importjob_one_live_import_per_upload"),
        ]

    def __str__(self):
        return f"{self.filename}（{self.get_phase_display()}，{self.get_status_display()}）"

    @property
    def ok(self) -> bool:
        return self.status == self.Status.DONE and not self.errors

    @staticmethod
    def change_rows(report) -> list:
        """An import report's changes as stored here: [row, record, [[column, old, new], …]]."""
        return [[c.row, c.label, [list(f) for f in c.fields]] for c in report.changes]

    def record(self, report, *, save: bool = True) -> None:
        """What an import found (``common.imports.ImportReport``), kept for the admin to show and download."""
        self.status = self.Status.DONE
        self.total, self.new, self.updated, self.unchanged = report.total, report.new, report.updated, report.unchanged
        self.skipped = report.skipped
        self.changes = self.change_rows(report)
        self.errors = [[e.row, e.column, e.message] for e in report.errors[: self.MAX_ERRORS_KEPT]]
        self.error_count = len(report.errors)
        self.message = " ".join(report.notes)[:500]
        if len(report.errors) > self.MAX_ERRORS_KEPT:
            self.message = f"共 {len(report.errors)} 处问题，仅保留前 {self.MAX_ERRORS_KEPT} 处。"
        self.finished_at = timezone.now()
        if save:
            self.save()

    @property
    def duration(self):
        return self.finished_at - self.created_at if self.finished_at else None

    @classmethod
    def reap(cls, now=None, **filters) -> int:
        """Mark failed every running job whose worker has been silent for ``STALE_AFTER`` (killed, or its
        machine lost): its transaction died with it, so nothing was written and the file can be run again."""
        now = now or timezone.now()
        silent = Q(heartbeat_at__lt=now - cls.STALE_AFTER) | Q(heartbeat_at__isnull=True,
                                                                created_at__lt=now - cls.STALE_AFTER)
        return cls.objects.filter(silent, status=cls.Status.RUNNING, **filters).update(
            status=cls.Status.FAILED, message=cls.WORKER_LOST, finished_at=now)


class Heartbeat(models.Model):
    """When a periodic task last ran through beat, the broker and a worker (the health check reads it)."""

    name = models.CharField("名称", max_length=50, primary_key=True)
    at = models.DateTimeField("时间")
    hostname = models.CharField("执行的进程", max_length=255, blank=True)

    class Meta:
        verbose_name = "心跳"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
