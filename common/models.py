import uuid

from django.conf import settings
from django.db import models


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
    errors = models.JSONField("错误", default=list, blank=True)
    changes = models.JSONField("更新内容", default=list, blank=True)  # [row, record, [[column, old, new], …]]
    message = models.CharField("说明", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    MAX_ERRORS_KEPT = 5000

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename}（{self.get_phase_display()}，{self.get_status_display()}）"

    @property
    def ok(self) -> bool:
        return self.status == self.Status.DONE and not self.errors
