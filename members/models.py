from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from associations.validators import validate_uscc
from common.constraints import dates_in_order
from common.names import PersonNameField
from divisions.models import Division

from . import personal_data
from .reference import ETHNIC_GROUPS, POLITICAL_STATUS, SERVICE_DOMAINS
from .validators import (
    ADULT_AGE,
    MEMBER_AGE_RANGE,
    MIN_VOLUNTEER_AGE,
    age_on,
    birth_date_of,
    sex_of,
    validate_id_number,
    validate_phone,
)

DOMAIN_CODES = {code for code, _ in SERVICE_DOMAINS}
UNMASK_PERMISSION = "members.unmask_personal_data"


def validate_domains(value):
    if not isinstance(value, list) or any(code not in DOMAIN_CODES for code in value):
        raise ValidationError("服务领域只能从扶贫、济困、扶老、救孤、恤病、助残、救灾、助医、助学中选择。")


class Volunteer(models.Model):
    """注册志愿者: one person in the registry, found by a keyed hash of the ID number.

    The ID number and phone are stored only encrypted; lists and exports show the masked forms kept beside them.
    Reading the plain values goes through ``members.services.personal_data_reveal``, which checks the permission
    and logs the access.
    """

    class Sex(models.TextChoices):
        MALE = "male", "男"
        FEMALE = "female", "女"

    class ConsentMethod(models.TextChoices):
        WRITTEN = "written", "书面签字"
        ONLINE = "online", "线上确认"
        IN_PERSON = "in_person", "当面确认"

    name = PersonNameField("姓名", max_length=50, db_index=True)
    division = models.ForeignKey(
        Division, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"level__in": ["county", "township"]},
        help_text="志愿者注册所在的旗县（市、区）或乡镇（街道）。",
    )
    id_number_encrypted = models.TextField("身份证号码（密文）", editable=False)
    id_number_hash = models.CharField("身份证号码索引", max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField("身份证号码", max_length=18, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    sex = models.CharField("性别", max_length=8, choices=Sex.choices, editable=False)
    ethnicity = models.CharField("民族", max_length=2, choices=ETHNIC_GROUPS, blank=True)
    political_status = models.CharField("政治面貌", max_length=2, choices=POLITICAL_STATUS, blank=True)
    phone_encrypted = models.TextField("手机号码（密文）", blank=True, editable=False)
    phone_hash = models.CharField("手机号码索引", max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField("手机号码", max_length=16, blank=True, editable=False)
    skills = models.CharField("技能特长/专业领域", max_length=200, blank=True)
    volunteer_number = models.CharField("全国志愿服务信息系统编号", max_length=32, blank=True)
    registered_on = models.DateField("注册日期", null=True, blank=True)
    insurer = models.CharField("保险公司", max_length=100, blank=True)
    insurance_policy = models.CharField("保单号", max_length=64, blank=True)
    insured_from = models.DateField("保险起始日期", null=True, blank=True)
    insured_until = models.DateField("保险截止日期", null=True, blank=True)
    guardian_name = PersonNameField("监护人姓名", max_length=50, blank=True)
    guardian_relation = models.CharField("与监护人关系", max_length=20, blank=True)
    guardian_consent_on = models.DateField("监护人同意日期", null=True, blank=True)
    guardian_consent_method = models.CharField("同意方式", max_length=16, choices=ConsentMethod.choices, blank=True)
    registered_by = models.ForeignKey(
        "associations.Association", verbose_name="登记协会", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text="登记该志愿者的协会；协会秘书处登记的志愿者自动记为本协会登记。",
    )

    # A volunteer's history is looked up by the volunteer (``id``) and by date: the copied lookup columns (name,
    # hashes, division) need no indexes of their own there, and the history rows' user is kept consistent by
    # Django (no database-level constraint to check per row on a million-row import).
    history = HistoricalRecords(no_db_index=["name", "id_number_hash", "phone_hash", "division", "registered_by"],
                                user_db_constraint=False)

    scope_path = "division__code"
    registering_association_field = "registered_by"

    @staticmethod
    def association_q(association_id: int, prefix: str = "") -> models.Q:
        """A volunteer belongs to the associations that registered, admitted or rostered them."""
        from teams.models import TeamMembership

        ref = models.OuterRef(prefix.rstrip("_") or "pk")
        return (models.Q(**{f"{prefix}registered_by": association_id})
                | models.Exists(IndividualMember.objects.filter(volunteer=ref, association=association_id))
                | models.Exists(TeamMembership.objects.filter(volunteer=ref, team__association=association_id)))

    class Meta:
        verbose_name = "注册志愿者"
        verbose_name_plural = "注册志愿者"
        ordering = ["-registered_on", "pk"]
        permissions = [("unmask_personal_data", "查看完整身份证号码和手机号码")]
        indexes = [
            # The changelist's default order: the newest registrations first, without sorting a million rows.
            models.Index(fields=["-registered_on", "id"], name="volunteer_registered_order"),
        ]
        constraints = [
            dates_in_order("insured_from", "insured_until", name="volunteer_insurance_period", message="保险截止日期不能早于起始日期。"),
        ]

    def __str__(self):
        return f"{self.name}（{self.id_number_masked}）"

    def set_id_number(self, value: str, *, validated: bool = False) -> None:
        number = value if validated else validate_id_number(value)
        self.id_number_hash = personal_data.keyed_hash(number)
        self.id_number_encrypted = personal_data.encrypt(number)
        self.id_number_masked = personal_data.mask_id_number(number)
        self.birth_date = birth_date_of(number)
        self.sex = sex_of(number)

    def set_phone(self, value: str, *, validated: bool = False) -> None:
        number = value if validated else validate_phone(value)
        self.phone_encrypted = personal_data.encrypt(number)
        self.phone_hash = personal_data.keyed_hash(number) if number else ""
        self.phone_masked = personal_data.mask_phone(number)

    def age_on(self, day) -> int | None:
        return age_on(self.birth_date, day) if self.birth_date else None

    def clean(self):
        errors = {}
        if self.birth_date:
            day = self.registered_on or timezone.localdate()
            age = age_on(self.birth_date, day)
            if age < MIN_VOLUNTEER_AGE:
                errors["registered_on"] = f"注册时未满 {MIN_VOLUNTEER_AGE} 周岁（{age} 岁），不能注册为志愿者。"
            elif age < ADULT_AGE:
                missing = [label for label, value in (
                    ("监护人姓名", self.guardian_name), ("与监护人关系", self.guardian_relation),
                    ("监护人同意日期", self.guardian_consent_on), ("同意方式", self.guardian_consent_method),
                ) if not value]
                if missing:
                    errors["guardian_name"] = (
                        f"注册时 {age} 岁，未满 18 周岁，须有监护人同意记录，请填写：{'、'.join(missing)}。"
                    )
        if self.insured_from and self.insured_until and self.insured_until < self.insured_from:
            errors["insured_until"] = "保险截止日期不能早于起始日期。"
        if errors:
            raise ValidationError(errors)


class PersonalDataAccess(models.Model):
    """个人信息查看记录: who saw whose full ID number or phone, when and why (PIPL art. 51)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="查看人", on_delete=models.PROTECT, related_name="+")
    # SET_NULL: the log outlives the record it is about; the masked number stays as the trace.
    volunteer = models.ForeignKey(Volunteer, verbose_name="志愿者", on_delete=models.SET_NULL, null=True, related_name="+")
    subject = models.CharField("被查看人", max_length=80)
    fields = models.CharField("查看内容", max_length=100)
    purpose = models.CharField("查看事由", max_length=200, blank=True)
    ip_address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    accessed_at = models.DateTimeField("查看时间", default=timezone.now, db_index=True)
    # Where the access happened: the volunteer's division then (an export: the exporter's division). The entry
    # stays with that scope when the volunteer later moves to another county.
    division = models.ForeignKey("divisions.Division", verbose_name="所在区划", on_delete=models.PROTECT, null=True,
                                 related_name="+", help_text="查看时志愿者所在的区划；导出时为导出人的管辖区划。")

    scope_path = "division__code"

    def save(self, *args, **kwargs):
        if self.division_id is None and self.volunteer is not None:
            self.division_id = self.volunteer.division_id
        super().save(*args, **kwargs)

    @staticmethod
    def association_q(association_id: int) -> models.Q:
        return Volunteer.association_q(association_id, prefix="volunteer__")

    class Meta:
        verbose_name = "个人信息查看记录"
        verbose_name_plural = "个人信息查看记录"
        ordering = ["-accessed_at"]

    def __str__(self):
        return f"{self.user} 查看 {self.subject}"


class IndividualMember(models.Model):
    """个人会员: a registered volunteer admitted to an association (G6: aged 14–45, recommended by procedure)."""

    class Review(models.TextChoices):
        RECOMMENDED = "recommended", "已推荐"
        REVIEWING = "reviewing", "审核中"
        APPROVED = "approved", "审核通过"
        REJECTED = "rejected", "未通过"

    class Role(models.TextChoices):
        MEMBER = "member", "会员"
        COUNCIL = "council", "理事"
        STANDING_COUNCIL = "standing_council", "常务理事"
        VICE_PRESIDENT = "vice_president", "副会长"
        PRESIDENT = "president", "会长"
        SECRETARY_GENERAL = "secretary_general", "秘书长"

    association = models.ForeignKey(
        "associations.Association", verbose_name="协会", on_delete=models.CASCADE, related_name="individual_members"
    )
    volunteer = models.ForeignKey(Volunteer, verbose_name="志愿者", on_delete=models.PROTECT, related_name="memberships")
    joined_on = models.DateField("入会日期")
    left_on = models.DateField("退会日期", null=True, blank=True)
    recommended_by = models.CharField("推荐单位或推荐人", max_length=100, blank=True)
    review_status = models.CharField("审核状态", max_length=16, choices=Review.choices, default=Review.RECOMMENDED)
    role = models.CharField("会内职务", max_length=20, choices=Role.choices, default=Role.MEMBER)
    domains = models.JSONField("服务领域", default=list, blank=True, validators=[validate_domains])
    age_exception = models.CharField(
        "年龄例外说明", max_length=200, blank=True,
        help_text="入会时不在 14–45 岁之间的（指引第 6 条：原则上），写明吸收的理由。",
    )

    history = HistoricalRecords()

    scope_path = "association__division__code"
    association_path = "association"

    class Meta:
        verbose_name = "个人会员"
        verbose_name_plural = "个人会员"
        ordering = ["association", "-joined_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "volunteer", "joined_on"], name="individual_member_unique",
                violation_error_message="该志愿者在同一日期已登记为本协会会员。",
            ),
            dates_in_order("joined_on", "left_on", name="individual_member_left_after_joined", message="退会日期不能早于入会日期。", start_required=True),
        ]

    def __str__(self):
        return f"{self.volunteer.name} @ {self.association}"

    def clean(self):
        errors = {}
        if self.volunteer_id and self.joined_on and self.volunteer.birth_date:
            age = age_on(self.volunteer.birth_date, self.joined_on)
            low, high = MEMBER_AGE_RANGE
            # 原则上 14–45: recorded with its reason, reported by the 体检 as advice (G6); never refused outright.
            if age < MIN_VOLUNTEER_AGE:
                errors["joined_on"] = (f"入会时未满 {MIN_VOLUNTEER_AGE} 周岁（{age} 岁）：个人会员须为注册志愿者，"
                                       f"注册志愿者应年满 {MIN_VOLUNTEER_AGE} 周岁。")
            elif not low <= age <= high and not self.age_exception.strip():
                errors["age_exception"] = (f"入会时 {age} 岁，不在 {low}–{high} 岁之间（指引第 6 条：原则上）；"
                                           "确需吸收的，请填写年龄例外说明。")
        if self.joined_on and self.left_on and self.left_on < self.joined_on:
            errors["left_on"] = "退会日期不能早于入会日期。"
        if errors:
            raise ValidationError(errors)


class UnitMember(models.Model):
    """单位会员（团体会员）: an organisation admitted to an association (G7: a higher share; school groups)."""

    class Kind(models.TextChoices):
        SCHOOL = "school", "学校志愿者组织"
        YOUTH_VOLUNTEER_ORG = "youth_volunteer_org", "青年志愿者组织"
        YOUTH_SOCIAL_ORG = "youth_social_org", "青年社会组织"
        ENTERPRISE = "enterprise", "企业"
        PUBLIC_INSTITUTION = "public_institution", "机关事业单位"
        COMMUNITY = "community", "城乡社区"
        OTHER = "other", "其他"

    association = models.ForeignKey(
        "associations.Association", verbose_name="协会", on_delete=models.CASCADE, related_name="unit_members"
    )
    name = models.CharField("单位名称", max_length=100)
    kind = models.CharField("单位类别", max_length=32, choices=Kind.choices)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True, validators=[validate_uscc])
    domains = models.JSONField("服务领域", default=list, blank=True, validators=[validate_domains])
    joined_on = models.DateField("入会日期")
    left_on = models.DateField("退会日期", null=True, blank=True)

    history = HistoricalRecords()

    scope_path = "association__division__code"
    association_path = "association"

    class Meta:
        verbose_name = "单位会员"
        verbose_name_plural = "单位会员"
        ordering = ["association", "name"]
        constraints = [
            dates_in_order("joined_on", "left_on", name="unit_member_left_after_joined", message="退会日期不能早于入会日期。", start_required=True),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.joined_on and self.left_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": "退会日期不能早于入会日期。"})


class VolunteerStar(models.Model):
    """星级志愿者: a star level a volunteer reached by cumulative confirmed service hours (《中国注册志愿者管理办法》).

    Rows are added by ``members.services.star_levels_recompute`` (set-based, in SQL) when the hours cross a
    threshold; staff of the approving level publish the notice and then confirm.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待认定"
        NOTICE = "notice", "公示中"
        CONFIRMED = "confirmed", "已认定"

    volunteer = models.ForeignKey(Volunteer, verbose_name="志愿者", on_delete=models.CASCADE, related_name="stars")
    level = models.PositiveSmallIntegerField("星级")
    threshold_hours = models.DecimalField("达到时长（小时）", max_digits=7, decimal_places=1)
    reached_on = models.DateField("达到日期")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    notice_from = models.DateField("公示开始日期", null=True, blank=True)
    confirmed_on = models.DateField("认定日期", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="认定人", on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")

    history = HistoricalRecords()

    scope_path = "volunteer__division__code"

    @staticmethod
    def association_q(association_id: int) -> models.Q:
        return Volunteer.association_q(association_id, prefix="volunteer__")

    class Meta:
        verbose_name = "星级志愿者"
        verbose_name_plural = "星级志愿者"
        ordering = ["-reached_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "level"], name="volunteer_star_unique",
                                    violation_error_message="该志愿者已有这一星级记录。"),
        ]

    def __str__(self):
        return f"{self.volunteer.name} {self.level} 星"

    @property
    def approver_level(self) -> str:
        return settings.STAR_APPROVERS.get(self.level, "county")

    @property
    def notice_ends_on(self):
        from datetime import timedelta

        return self.notice_from + timedelta(days=settings.STAR_NOTICE_DAYS) if self.notice_from else None
