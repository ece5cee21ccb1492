"""Training sessions organised at region, league or county level, and who attended (G12, N5.1)."""
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from common.constraints import dates_in_order


class TrainingSession(models.Model):
    """培训: a session organised by an association; its level is the organiser's level."""

    class Kind(models.TextChoices):
        LEADERS = "leaders", "协会负责人培训"
        BACKBONE = "backbone", "青年志愿者骨干培训"
        MEMBERS = "members", "会员培训"
        ORGANISATION_LEADERS = "organisation_leaders", "组织负责人培训"
        SKILLS = "skills", "专业技能培训"

    class Mode(models.TextChoices):
        OFFLINE = "offline", "线下"
        ONLINE = "online", "线上"

    title = models.CharField("培训名称", max_length=100)
    organiser = models.ForeignKey("associations.Association", verbose_name="主办协会", on_delete=models.PROTECT,
                                  related_name="training_sessions")
    kind = models.CharField("培训类别", max_length=32, choices=Kind.choices)
    mode = models.CharField("培训方式", max_length=16, choices=Mode.choices, default=Mode.OFFLINE)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1, null=True, blank=True)
    trainers = models.CharField("授课人", max_length=200, blank=True)

    history = HistoricalRecords()

    scope_path = "organiser__division__code"
    association_path = "organiser"

    class Meta:
        verbose_name = "培训"
        verbose_name_plural = "培训"
        ordering = ["-started_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organiser", "title", "started_on"], name="training_session_unique",
                                    violation_error_message="本协会在同一天已有同名培训。"),
            dates_in_order("started_on", "ended_on", name="training_ended_after_started", message="结束日期不能早于开始日期。"),
            models.CheckConstraint(condition=models.Q(hours__isnull=True) | models.Q(hours__gt=0),
                                   name="training_hours_positive", violation_error_message="学时必须大于 0。"),
        ]

    def __str__(self):
        return f"{self.title}（{self.started_on:%Y-%m-%d}）"

    @property
    def level(self) -> str:
        return self.organiser.level

    def clean(self):
        errors = {}
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            errors["ended_on"] = "结束日期不能早于开始日期。"
        if self.hours is not None and self.hours <= 0:
            errors["hours"] = "学时必须大于 0。"
        if errors:
            raise ValidationError(errors)


class Attendance(models.Model):
    """参训人员: a registered volunteer (members are volunteers too) invited to a session, and whether present."""

    session = models.ForeignKey(TrainingSession, verbose_name="培训", on_delete=models.CASCADE,
                                related_name="attendance")
    volunteer = models.ForeignKey("members.Volunteer", verbose_name="参训人员", on_delete=models.PROTECT,
                                  related_name="+")
    attended = models.BooleanField("出勤", default=True)

    history = HistoricalRecords()

    scope_path = "session__organiser__division__code"
    association_path = "session__organiser"

    class Meta:
        verbose_name = "参训人员"
        verbose_name_plural = "参训人员"
        constraints = [
            models.UniqueConstraint(fields=["session", "volunteer"], name="attendance_unique",
                                    violation_error_message="该人员已在本次培训名单中。"),
        ]

    def __str__(self):
        return f"{self.session} · {self.volunteer.name}"
