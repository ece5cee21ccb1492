"""Service work: projects, their funding and contest entries, activities and the service-hour records."""
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from common.constraints import dates_in_order
from common.names import PersonNameField
from divisions.models import Division

from .keydates import KeyDateWindow
from .keydates import key_date_of as window_of


class Brand(models.TextChoices):
    """National and regional brands (N2.4, G15, G19) or a local project."""

    CARE_ACTION = "care_action", "关爱行动"
    RAINBOW_HOUSE = "rainbow_house", "关爱行动·七彩小屋"
    RAINBOW_HOLIDAY = "rainbow_holiday", "关爱行动·七彩假期"
    RAINBOW_AFTER_SCHOOL = "rainbow_after_school", "关爱行动·七彩四点半"
    SUNSHINE = "sunshine", "助残“阳光行动”"
    GOLDEN_GLOW = "golden_glow", "“金晖助老”"
    COMMUNITY = "community", "青年志愿者服务社区行动"
    CIVILIZATION_PRACTICE = "civilization_practice", "新时代文明实践"
    RURAL_REVITALISATION = "rural_revitalisation", "乡村振兴"
    LOCAL = "local", "地方特色项目"


# 关爱行动 and its sub-brands count as 关爱行动 (G15).
CARE_ACTION_FAMILY = {Brand.CARE_ACTION, Brand.RAINBOW_HOUSE, Brand.RAINBOW_HOLIDAY, Brand.RAINBOW_AFTER_SCHOOL}


class Domain(models.TextChoices):
    """G20: the fields a regular project serves in."""

    POVERTY = "poverty", "扶贫"
    HARDSHIP = "hardship", "济困"
    ELDERLY = "elderly", "扶老"
    ORPHANS = "orphans", "救孤"
    SICK = "sick", "恤病"
    DISABLED = "disabled", "助残"
    DISASTER = "disaster", "救灾"
    MEDICAL = "medical", "助医"
    EDUCATION = "education", "助学"
    LARGE_EVENTS = "large_events", "大型活动"
    ENVIRONMENT = "environment", "环境保护"
    CULTURE = "culture", "文化"
    INTERNET = "internet", "互联网"


BENEFICIARY_GROUPS = [
    ("empty_nest_elderly", "空巢老人"),
    ("left_behind_children", "留守儿童"),
    ("migrant_children", "农民工子女"),
    ("disabled_youth", "残疾青少年"),
    ("extremely_poor", "分散供养特困人员"),
    ("prisoners_children", "服刑人员未成年子女"),
    ("community_residents", "社区居民"),
    ("students", "学生"),
    ("other", "其他"),
]
BENEFICIARY_CODES = {code for code, _ in BENEFICIARY_GROUPS}


def validate_beneficiaries(value):
    if not isinstance(value, list) or any(code not in BENEFICIARY_CODES for code in value):
        labels = "、".join(label for _, label in BENEFICIARY_GROUPS)
        raise ValidationError(f"服务对象只能从{labels}中选择。")


class Project(models.Model):
    """志愿服务项目 of an association (carried out by one of its teams, or by the association itself)."""

    class LibraryStatus(models.TextChoices):
        NONE = "", "未申报"
        CANDIDATE = "candidate", "入库申报"
        SELECTED = "selected", "入选项目库"
        PROMOTED = "promoted", "线上推广"

    name = models.CharField("项目名称", max_length=100, db_index=True)
    association = models.ForeignKey(
        "associations.Association", verbose_name="所属协会", on_delete=models.PROTECT, related_name="projects"
    )
    team = models.ForeignKey("teams.Team", verbose_name="实施服务队", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="projects")
    brand = models.CharField("项目品牌", max_length=32, choices=Brand.choices, default=Brand.LOCAL)
    domain = models.CharField("服务领域", max_length=16, choices=Domain.choices)
    regular = models.BooleanField("常态化项目", default=False, help_text="长期、定期开展的项目；一次性活动不勾选。")
    started_on = models.DateField("开始日期", null=True, blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True, help_text="仍在开展的项目不填。")
    beneficiaries = models.JSONField("服务对象", default=list, blank=True, validators=[validate_beneficiaries])
    service_posts = models.CharField("服务岗位", max_length=200, blank=True, help_text="多个岗位用顿号分隔。")
    library_status = models.CharField("项目库状态", max_length=16, choices=LibraryStatus.choices, blank=True,
                                      default=LibraryStatus.NONE)
    library_candidate_on = models.DateField("入库申报日期", null=True, blank=True)
    library_selected_on = models.DateField("入选日期", null=True, blank=True)
    library_promoted_on = models.DateField("线上推广日期", null=True, blank=True)

    history = HistoricalRecords()

    scope_path = "association__division__code"
    association_path = "association"

    class Meta:
        verbose_name = "志愿服务项目"
        verbose_name_plural = "志愿服务项目"
        ordering = ["association", "name"]
        constraints = [
            models.UniqueConstraint(fields=["association", "name"], name="project_unique_name",
                                    violation_error_message="本协会已有同名项目。"),
            dates_in_order("started_on", "ended_on", name="project_ended_after_started", message="结束日期不能早于开始日期。"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.team_id and self.association_id:
            if not self.team.division.code.startswith(self.association.division.code):
                errors["team"] = f"服务队「{self.team}」不在「{self.association.division.name}」范围内。"
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            errors["ended_on"] = "结束日期不能早于开始日期。"
        order = [("candidate", self.library_candidate_on), ("selected", self.library_selected_on),
                 ("promoted", self.library_promoted_on)]
        reached = [key for key, day in order if day]
        if self.library_status and self.library_status not in reached:
            label = self.LibraryStatus(self.library_status).label
            errors["library_status"] = f"项目库状态为「{label}」，请填写对应日期。"
        dated = [day for _, day in order if day]
        if dated != sorted(dated):
            errors["library_promoted_on"] = "项目库日期应依次为：入库申报、入选、线上推广。"
        if errors:
            raise ValidationError(errors)


class FundingLine(models.Model):
    """资金来源 of a project (G25, N3.3)."""

    class Source(models.TextChoices):
        FOUNDATION = "foundation", "基金会"
        INTERNET_FUNDRAISING = "internet_fundraising", "互联网公开募捐"
        DONATION = "donation", "社会捐赠"
        GOVERNMENT_PURCHASE = "government_purchase", "政府购买服务"
        YOUTH_FUND = "youth_fund", "青年志愿服务基金"
        CYL_BUDGET = "cyl_budget", "团委工作经费"
        OTHER = "other", "其他"

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="funding")
    source = models.CharField("资金来源", max_length=32, choices=Source.choices)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    received_on = models.DateField("到账日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    history = HistoricalRecords()

    scope_path = "project__association__division__code"
    association_path = "project__association"

    class Meta:
        verbose_name = "项目资金"
        verbose_name_plural = "项目资金"
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="funding_amount_positive",
                                   violation_error_message="金额必须大于 0。"),
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.amount} 元"


class ContestEntry(models.Model):
    """项目大赛 entry (G18): year, level and the award won."""

    class Level(models.TextChoices):
        COUNTY = "county", "旗县级"
        LEAGUE = "league", "盟市级"
        REGION = "region", "自治区级"
        NATIONAL = "national", "全国"

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="contest_entries")
    year = models.PositiveSmallIntegerField("年度")
    level = models.CharField("赛事级别", max_length=16, choices=Level.choices)
    award = models.CharField("获奖情况", max_length=50, blank=True, help_text="例如：金奖、银奖、铜奖；未获奖留空。")

    history = HistoricalRecords()

    scope_path = "project__association__division__code"
    association_path = "project__association"

    class Meta:
        verbose_name = "项目大赛参赛"
        verbose_name_plural = "项目大赛参赛"
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "level"], name="contest_entry_unique",
                                    violation_error_message="该项目在同一年度、同一级别已有参赛记录。"),
        ]

    def __str__(self):
        return f"{self.year} {self.get_level_display()}"


class KeyDate(models.Model):
    """G17 "等重要时间节点": a key date and the days around it whose activities are held for it. Data, not code:
    region staff widen a window or add a local occasion, and every stored activity is tagged again."""

    code = models.CharField("日期（月-日）", max_length=5, unique=True, help_text="如 03-05、05-04、12-05。",
                            error_messages={"unique": "该日期已是重要节点。"})
    name = models.CharField("名称", max_length=50)
    whole_month = models.BooleanField("整月计入", default=False, help_text="如“学雷锋月”：当月任一天的活动都计入。")
    days_before = models.PositiveSmallIntegerField("提前天数", default=0)
    days_after = models.PositiveSmallIntegerField("延后天数", default=0)
    active = models.BooleanField("启用", default=True)
    division = models.ForeignKey(Division, verbose_name="制定层级", on_delete=models.PROTECT, related_name="+",
                                 limit_choices_to={"level": "region"})

    history = HistoricalRecords()

    scope_path = "division__code"

    class Meta:
        verbose_name = "重要时间节点"
        verbose_name_plural = "重要时间节点"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.window.describe(2024)}）" if self.code else self.name

    @property
    def window(self) -> KeyDateWindow:
        return KeyDateWindow(self.code, self.name, self.whole_month, self.days_before, self.days_after)

    @classmethod
    def windows(cls) -> tuple[KeyDateWindow, ...]:
        return tuple(k.window for k in cls.objects.filter(active=True).order_by("code"))

    def save(self, *args, **kwargs):
        from django.core.cache import cache

        super().save(*args, **kwargs)
        activity_key_dates_refresh()  # the same transaction: no activity keeps a tag of the old window
        cache.delete(KEY_DATE_LABELS)

    def delete(self, *args, **kwargs):
        from django.core.cache import cache

        result = super().delete(*args, **kwargs)
        activity_key_dates_refresh()
        cache.delete(KEY_DATE_LABELS)
        return result

    def clean(self):
        import re
        from datetime import date

        errors = {}
        code = (self.code or "").strip()
        try:
            valid = bool(re.fullmatch(r"\d\d-\d\d", code)) and date(2023, int(code[:2]), int(code[3:])) is not None
        except ValueError:
            valid = False
        if not valid:
            errors["code"] = "请按“月-日”填写，如 03-05（2月29日不能作为重要节点）。"
        if (self.days_before or 0) > 31 or (self.days_after or 0) > 31:
            errors["days_after"] = "提前、延后天数最多 31 天。"
        if self.whole_month and (self.days_before or self.days_after):
            errors["whole_month"] = "整月计入时不再填写提前、延后天数。"
        if not errors and self.active:
            mine = self.window.month_days()
            for other in KeyDate.objects.filter(active=True).exclude(pk=self.pk):
                theirs = other.window.month_days()
                if any(set(days) & set(theirs.get(month, ())) for month, days in mine.items()):
                    errors["code"] = f"与「{other}」的时间范围重叠，一次活动只能计入一个重要节点。"
                    break
        if errors:
            raise ValidationError(errors)


KEY_DATE_LABELS = "projects:key-date-labels"


def key_date_labels() -> dict[str, str]:
    """Code → name of every key date, for the activity lists (kept five minutes; dropped when one changes)."""
    from django.core.cache import cache

    return cache.get_or_set(KEY_DATE_LABELS, lambda: dict(KeyDate.objects.values_list("code", "name")), 300)


def key_date_of(day, windows=None) -> str:
    """The key-date tag (G17) of a date: the code of the active window it falls in, or ""."""
    return window_of(day, KeyDate.windows() if windows is None else windows)


def activity_key_dates_refresh() -> int:
    """Tag every stored activity again after a window changed: one UPDATE per window, whatever the number of
    activities. The tag is derived from the date, so no history row is written for it."""
    from functools import reduce
    from operator import or_

    from django.db import transaction
    from django.db.models import Q

    with transaction.atomic():
        Activity.objects.exclude(key_date="").update(key_date="")
        tagged = 0
        for window in KeyDate.windows():
            inside = reduce(or_, (Q(held_on__month=month, held_on__day__in=days)
                                  for month, days in window.month_days().items()))
            tagged += Activity.objects.filter(inside).update(key_date=window.code)
    return tagged


class ActivityManager(models.Manager):
    """Reads each activity with its project and association, which its label names."""

    def get_queryset(self):
        return super().get_queryset().select_related("project__association")


class Activity(models.Model):
    """志愿服务活动 under a project: when and where, tagged when held on a key date (G17)."""

    project = models.ForeignKey(Project, verbose_name="所属项目", on_delete=models.CASCADE, related_name="activities")
    name = models.CharField("活动名称", max_length=100)
    held_on = models.DateField("活动日期")
    township = models.ForeignKey(
        Division, verbose_name="所在乡镇（街道）", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        limit_choices_to={"level": "township", "is_statutory": True},
    )
    service_base = models.ForeignKey("teams.ServiceBase", verbose_name="服务阵地", on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="activities")
    address = models.CharField("活动地点", max_length=200, blank=True)
    key_date = models.CharField("重要节点", max_length=5, blank=True, editable=False,
                                help_text="由活动日期按“重要时间节点”自动标注（默认学雷锋为3月全月，五四、12月5日为前后7天）。")
    may_endanger = models.BooleanField(
        "可能发生人身危险", null=True, blank=True,
        help_text="如应急救援、水上或野外服务、大型活动安保等。是的，参加前应为志愿者购买人身意外伤害保险"
                  "（《志愿服务条例》第十七条）；未填写表示情况不明。",
    )

    objects = ActivityManager()
    history = HistoricalRecords()

    scope_path = "project__association__division__code"
    association_path = "project__association"

    class Meta:
        verbose_name = "志愿服务活动"
        verbose_name_plural = "志愿服务活动"
        ordering = ["-held_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name", "held_on"], name="activity_unique",
                                    violation_error_message="该项目在同一天已有同名活动。"),
        ]
        indexes = [models.Index(fields=["key_date", "held_on"], name="activity_key_date")]

    def __str__(self):
        """Project · activity (date, association): four 五四青年节志愿服务 on one day stay apart in a choice."""
        return f"{self.project.name} · {self.name}（{self.held_on:%Y-%m-%d}，{self.project.association.name}）"

    @property
    def key_date_label(self) -> str:
        return key_date_labels().get(self.key_date, "")

    def save(self, *args, **kwargs):
        self.key_date = key_date_of(self.held_on)
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        county = self.project.association.division.code if self.project_id else None
        if county and self.township_id and not self.township.code.startswith(county):
            errors["township"] = f"「{self.township.name}」不在「{self.project.association.division.name}」范围内。"
        if county and self.service_base_id and not self.service_base.division.code.startswith(county):
            errors["service_base"] = f"服务阵地「{self.service_base}」不在「{self.project.association.division.name}」范围内。"
        if errors:
            raise ValidationError(errors)


HOURS_STEP = Decimal("0.1")


def service_hours(value) -> Decimal:
    """Actual service time as entered, to 0.1 hour (6 minutes). 67号令 sets no rounding rule, so the platform adds
    none: a spreadsheet's binary float (2.3000000000000003) is read as the number it shows, and more than one
    decimal is refused rather than silently changed. Raises ``ValueError`` with a Chinese message."""
    if isinstance(value, float):
        value = round(value, 6)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"「{value}」不是数字。") from None
    if not number.is_finite():
        raise ValueError(f"「{value}」不是数字。")
    if number <= 0:
        raise ValueError("服务时长必须大于 0 小时。")
    if number > 24:
        raise ValueError(f"「{value}」超过 24 小时，一条记录是一天的服务时长。")
    if number != number.quantize(HOURS_STEP):
        down = number.quantize(HOURS_STEP, rounding=ROUND_DOWN)
        raise ValueError(f"服务时长「{value}」按实际填写，精确到 0.1 小时（6 分钟），请改为 {down} 或 {down + HOURS_STEP}。")
    return number.quantize(HOURS_STEP)


class ServiceRecord(models.Model):
    """志愿服务记录: hours a volunteer served at an activity (actual service time, travel excluded).

    The association that organised the activity is kept on the record: it is the one that may certify it
    (民政部令第67号). Hours are changed only by a correction, which keeps the old value and the reason.
    """

    class Status(models.TextChoices):
        RECORDED = "recorded", "已记录"
        CONFIRMED = "confirmed", "已确认"

    # No single-column indexes on these three: the unique constraint leads with activity, and the two indexes in
    # Meta lead with volunteer and association, so every lookup is served and a record costs three fewer index
    # insertions (tens of millions of rows at region scale).
    volunteer = models.ForeignKey("members.Volunteer", verbose_name="志愿者", on_delete=models.PROTECT,
                                  related_name="service_records", db_index=False)
    activity = models.ForeignKey(Activity, verbose_name="活动", on_delete=models.PROTECT, related_name="records",
                                 db_index=False)
    # The activity's association, copied (by ``save`` and the importer) so that scope and per-association counts
    # need no join through activity and project. The activity's foreign key is the database constraint; a
    # second one here, on a copy, cost an import about a sixth of its write time. Django still protects the
    # association from deletion while records point at it.
    association = models.ForeignKey("associations.Association", verbose_name="组织协会", on_delete=models.PROTECT,
                                    related_name="+", editable=False, db_index=False, db_constraint=False)
    served_on = models.DateField("服务日期")
    hours = models.DecimalField("服务时长（小时）", max_digits=5, decimal_places=1)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.RECORDED)
    evaluation = models.CharField("评价情况", max_length=200, blank=True, default="", db_default="",
                                  help_text="服务对象或组织方对本次服务的评价（民政部令第67号第四条），如：服务认真，受到好评。")
    # Who recorded and confirmed: audit stamps on the largest table, never searched by. Django keeps them
    # consistent when a user is deleted (SET_NULL through the ORM, a rare scan of this table); without a
    # database-level constraint or an index an import of a million records skips two million foreign-key checks
    # and four million index insertions. The same holds for the history rows' user.
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+", editable=False, db_constraint=False,
                                    db_index=False)
    recorded_at = models.DateTimeField("记录时间", default=timezone.now, editable=False)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+", editable=False, db_constraint=False,
                                     db_index=False)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True, editable=False)

    # A record's history is looked up by the record (``id``) and by date; the copied link columns need no
    # indexes of their own there.
    history = HistoricalRecords(no_db_index=["volunteer", "activity", "association", "recorded_by", "confirmed_by"],
                                user_db_constraint=False)

    scope_path = "association__division__code"
    association_path = "association"

    class Meta:
        verbose_name = "志愿服务记录"
        verbose_name_plural = "志愿服务记录"
        ordering = ["-served_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer", "served_on"], name="service_record_unique",
                                    violation_error_message="该志愿者在这次活动的同一天已有服务记录。"),
            models.CheckConstraint(condition=models.Q(hours__gt=0, hours__lte=24), name="service_record_hours_range",
                                   violation_error_message="服务时长应大于 0 小时、不超过 24 小时。"),
        ]
        indexes = [
            models.Index(fields=["volunteer", "served_on"], name="service_record_volunteer"),
            models.Index(fields=["association", "served_on"], name="service_record_association"),
        ]

    def __str__(self):
        return f"{self.served_on:%Y-%m-%d} {self.hours} 小时"

    def save(self, *args, **kwargs):
        if self.activity_id and not self.association_id:
            self.association_id = self.activity.project.association_id
        super().save(*args, **kwargs)

    def clean(self):
        if self.activity_id:
            # The record's association is its activity's; a form knows it before the scope check asks for it.
            self.association_id = self.activity.project.association_id
        errors = {}
        if self.hours is not None:
            if self.hours <= 0:
                errors["hours"] = "服务时长必须大于 0 小时。"
            elif self.hours > 24:
                errors["hours"] = "一天的服务时长不能超过 24 小时。"
        if self.activity_id and self.served_on and self.served_on < self.activity.held_on:
            errors["served_on"] = f"服务日期早于活动日期（{self.activity.held_on:%Y-%m-%d}）。"
        if self.served_on and self.served_on > timezone.localdate():
            errors["served_on"] = "服务日期不能晚于今天。"
        if errors:
            raise ValidationError(errors)


class ServiceRecordCorrection(models.Model):
    """更正: a change to a record's hours or date, with the old and new values and the reason."""

    record = models.ForeignKey(ServiceRecord, verbose_name="服务记录", on_delete=models.CASCADE,
                               related_name="corrections")
    old_hours = models.DecimalField("原服务时长", max_digits=5, decimal_places=1)
    new_hours = models.DecimalField("更正后服务时长", max_digits=5, decimal_places=1)
    old_served_on = models.DateField("原服务日期")
    new_served_on = models.DateField("更正后服务日期")
    reason = models.CharField("更正原因", max_length=200)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="更正人", on_delete=models.PROTECT,
                                     related_name="+")
    corrected_at = models.DateTimeField("更正时间", default=timezone.now)

    history = HistoricalRecords()

    scope_path = "record__association__division__code"
    association_path = "record__association"

    class Meta:
        verbose_name = "服务记录更正"
        verbose_name_plural = "服务记录更正"
        ordering = ["-corrected_at"]

    def __str__(self):
        return f"{self.old_hours} → {self.new_hours} 小时"


class CertificateSequence(models.Model):
    """The last certificate number issued per association and year; never goes back."""

    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_issued = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "year"], name="certificate_sequence_unique")]


class Certificate(models.Model):
    """志愿服务记录证明: the hours a volunteer served in a period at the issuing association's own activities."""

    serial_number = models.CharField("证明编号", max_length=40, unique=True, editable=False)
    volunteer = models.ForeignKey("members.Volunteer", verbose_name="志愿者", on_delete=models.PROTECT,
                                  related_name="certificates")
    association = models.ForeignKey("associations.Association", verbose_name="出具协会", on_delete=models.PROTECT,
                                    related_name="certificates")
    period_start = models.DateField("服务起始日期")
    period_end = models.DateField("服务截止日期")
    total_hours = models.DecimalField("服务时长合计（小时）", max_digits=8, decimal_places=1, editable=False)
    activities = models.JSONField("服务记录明细", default=list, editable=False)
    issued_on = models.DateField("出具日期", default=timezone.localdate, editable=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="出具人", on_delete=models.PROTECT,
                                  related_name="+", editable=False)
    issued_at = models.DateTimeField("出具时间", default=timezone.now, editable=False)
    # 民发〔2015〕149号's certificate names who answers for it and how to reach the issuer
    principal = PersonNameField("负责人", max_length=50, blank=True,
                                 help_text="出具单位负责人；留空则取出具当日在任的会长（没有会长时取法定代表人）。")
    handler = PersonNameField("经办人", max_length=50, blank=True, help_text="留空则取出具人账号的姓名。")
    contact = models.CharField("联系方式", max_length=50, blank=True,
                               help_text="出具单位的办公电话等，供查验证明使用；必填。")

    history = HistoricalRecords()

    scope_path = "association__division__code"
    association_path = "association"

    class Meta:
        verbose_name = "志愿服务记录证明"
        verbose_name_plural = "志愿服务记录证明"
        ordering = ["-issued_at"]
        constraints = [
            dates_in_order("period_start", "period_end", name="certificate_period", message="截止日期不能早于起始日期。"),
        ]

    def __str__(self):
        return self.serial_number
