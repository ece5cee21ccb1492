from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from simple_history.models import HistoricalRecords

from common.constraints import dates_in_order
from common.names import PersonNameField
from divisions.models import Division

from .validators import normalise_uscc, validate_uscc

LEVEL_DIVISION = {
    "region": Division.Level.REGION,
    "league": Division.Level.LEAGUE,
    "county": Division.Level.COUNTY,
    "grassroots": Division.Level.TOWNSHIP,
}
LEVEL_RANK = {"region": 0, "league": 1, "county": 2, "grassroots": 3}


class Association(models.Model):
    """青年志愿者协会: the region's, a league's or a county's youth volunteer association (N2.1).

    Every real-world fact carries its own date (founded, registered, supervised by the CYL committee,
    secretariat set up), so the ledger can be read as the world stood on any day.
    """

    class Level(models.TextChoices):
        REGION = "region", "自治区级"
        LEAGUE = "league", "盟市级"
        COUNTY = "county", "旗县级"
        GRASSROOTS = "grassroots", "乡镇（街道）、社区、园区级"

    class GrassrootsKind(models.TextChoices):
        TOWNSHIP = "township", "乡镇（街道）"
        COMMUNITY = "community", "社区"
        PARK = "park", "园区"

    class SupervisorKind(models.TextChoices):
        CYL_COMMITTEE = "cyl_committee", "共青团委员会"
        CIVILIZATION_OFFICE = "civilization_office", "精神文明建设委员会办公室"
        CIVIL_AFFAIRS = "civil_affairs", "民政部门"
        OTHER = "other", "其他单位"

    class SecretariatHost(models.TextChoices):
        CYL_COMMITTEE = "cyl_committee", "设在团委"
        ELSEWHERE = "elsewhere", "设在其他单位"
        NONE = "none", "未设立"

    serial_number = models.CharField(
        "统一编制序列号", max_length=20, unique=True, editable=False, help_text="由区划代码派生，保存时自动编号，永不复用。"
    )
    level = models.CharField("层级", max_length=16, choices=Level.choices, default=Level.COUNTY)
    # PROTECT: a division with a ledger record is never deleted out from under it.
    division = models.ForeignKey(
        Division,
        verbose_name="所属区划",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=Q(is_statutory=True) | Q(kind="开发区/管理区"),
        error_messages={"invalid": "所属区划只能是自治区、盟市、旗县（市、区）或乡镇（街道）。"},
    )
    grassroots_kind = models.CharField(
        "基层协会类别", max_length=16, choices=GrassrootsKind.choices, blank=True,
        help_text="仅乡镇（街道）、社区、园区级协会填写（指引第 13 条：在条件成熟的社区、园区成立协会）；"
                  "所属区划填写其所在的乡镇（街道）。",
    )
    name = models.CharField("协会名称", max_length=100)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    dissolved_on = models.DateField("注销日期", null=True, blank=True)

    is_registered = models.BooleanField(
        "已在民政部门登记", null=True, blank=True, help_text="未填写表示情况不明；尚未登记请选“否”。"
    )
    registration_authority = models.CharField("登记管理机关", max_length=100, blank=True)
    registered_on = models.DateField("登记日期", null=True, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True, validators=[validate_uscc])

    secretariat_host = models.CharField("秘书处设立情况", max_length=16, choices=SecretariatHost.choices, blank=True)
    secretariat_since = models.DateField("秘书处设立日期", null=True, blank=True)
    staff_fulltime = models.PositiveSmallIntegerField("专职工作人员（人）", null=True, blank=True)
    staff_seconded = models.PositiveSmallIntegerField("借调人员（人）", null=True, blank=True)
    staff_parttime = models.PositiveSmallIntegerField("兼职人员（人）", null=True, blank=True)
    staff_volunteer = models.PositiveSmallIntegerField("志愿者（人）", null=True, blank=True)

    fulltime_posts = models.PositiveSmallIntegerField("秘书处专职岗位（个）", null=True, blank=True)
    staffing_quota = models.PositiveSmallIntegerField("编制数（个）", null=True, blank=True)
    annual_budget = models.DecimalField(
        "年度工作经费（万元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    has_office = models.BooleanField("有固定办公场所", null=True, blank=True)
    office_shared_with_civilization_center = models.BooleanField(
        "与新时代文明实践中心合署办公", null=True, blank=True
    )
    party_org_conditions = models.BooleanField(
        "具备成立党组织的条件", null=True, blank=True,
        help_text="指引第 10 条：具备条件的应成立党的组织。未填写表示未作判断，按倡导性条款提示。",
    )
    league_org_conditions = models.BooleanField(
        "具备建立团组织的条件", null=True, blank=True,
        help_text="指引第 10 条：具备条件的协会应及时建立团组织。未填写表示未作判断，按倡导性条款提示。",
    )
    note = models.TextField("备注", blank=True)

    history = HistoricalRecords()

    scope_path = "division__code"
    association_path = "pk"

    class Meta:
        verbose_name = "青年志愿者协会"
        verbose_name_plural = "青年志愿者协会"
        ordering = ["serial_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "level"],
                condition=Q(dissolved_on__isnull=True) & ~Q(level="grassroots"),
                name="association_one_active_per_division_level",
                violation_error_message="该区划在该层级已有一个未注销的协会，不能重复登记。",
            ),
            models.UniqueConstraint(
                fields=["uscc"],
                condition=~Q(uscc=""),
                name="association_uscc_unique",
                violation_error_message="该统一社会信用代码已被其他协会使用。",
            ),
            dates_in_order("founded_on", "dissolved_on", name="association_dissolved_after_founded", message="注销日期不能早于成立日期。"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.uscc:
            self.uscc = normalise_uscc(self.uscc)
        if self.division_id and self.level:
            division = self.division
            expected = LEVEL_DIVISION[self.level]
            if self.level == self.Level.GRASSROOTS:
                zone = division.kind == Division.Kind.DEVELOPMENT_ZONE
                if not (zone or (division.level == expected and division.is_statutory)):
                    errors["division"] = (f"乡镇（街道）、社区、园区级协会的所属区划应为其所在的乡镇（街道）或开发区/管理区，"
                                          f"「{division.name}」是{division.get_kind_display()}。")
            elif division.kind == Division.Kind.DEVELOPMENT_ZONE:
                errors["division"] = (f"「{division.name}」是开发区/管理区，不单独设立{self.get_level_display()}协会；"
                                      "园区的协会请选择层级“乡镇（街道）、社区、园区级”。")
            elif division.level != expected or not division.is_statutory:
                errors["division"] = (
                    f"{self.get_level_display()}协会的所属区划应为{Division.Level(expected).label}，"
                    f"「{division.name}」是{division.get_kind_display()}。"
                )
        if self.level == self.Level.GRASSROOTS and not self.grassroots_kind:
            errors["grassroots_kind"] = "乡镇（街道）、社区、园区级协会请选择基层协会类别。"
        elif self.level != self.Level.GRASSROOTS and self.grassroots_kind:
            errors["grassroots_kind"] = "只有乡镇（街道）、社区、园区级协会填写基层协会类别。"
        if self.founded_on and self.dissolved_on and self.dissolved_on < self.founded_on:
            errors["dissolved_on"] = "注销日期不能早于成立日期。"
        today = timezone.localdate()
        for name in ("founded_on", "registered_on", "secretariat_since"):
            day = getattr(self, name)
            if day is not None and day > today and name not in errors:
                errors[name] = f"{self._meta.get_field(name).verbose_name}（{day:%Y-%m-%d}）晚于今天，已发生的事项不能填写将来的日期。"
        if self.is_registered is False and (self.registered_on or self.uscc):
            errors["is_registered"] = "已填写登记日期或统一社会信用代码，登记情况不能选“否”。"
        if errors:
            raise ValidationError(errors)

    def supervising_unit(self):
        """The supervising unit in force today (the latest recorded); ``None`` when none is recorded."""
        units = list(self.supervising_units.all())  # ordered by start date, an undated first row first
        return units[-1] if units else None

    def exists_on(self, day) -> bool | None:
        """Whether the association existed on ``day``; ``None`` when its founding date is not recorded."""
        from .rules import in_force_on

        return in_force_on(self.founded_on, self.dissolved_on, day)


class SupervisingUnit(models.Model):
    """业务主管单位 as it changed over time (G1): each row holds from its start date until the next row's start.

    A row without a start date holds from the association's founding; a change to the CYL committee is completed
    by the change registration (变更登记) with the registration authority, recorded with its date and document."""

    association = models.ForeignKey(
        Association, verbose_name="协会", on_delete=models.CASCADE, related_name="supervising_units"
    )
    kind = models.CharField("业务主管单位类别", max_length=32, choices=Association.SupervisorKind.choices, blank=True)
    name = models.CharField("业务主管单位名称", max_length=100, blank=True)
    since = models.DateField(
        "起始日期", null=True, blank=True,
        help_text="成立时即由该单位主管的，填写成立日期；变更而来的，填写变更日期。未填写表示日期不明。",
    )
    change_registered_on = models.DateField("变更登记日期", null=True, blank=True,
                                            help_text="在登记管理机关办理业务主管单位变更登记的日期。")
    change_document = models.CharField("变更登记文件（文号）", max_length=200, blank=True)

    history = HistoricalRecords()

    scope_path = "association__division__code"
    association_path = "association"

    class Meta:
        verbose_name = "业务主管单位"
        verbose_name_plural = "业务主管单位（变更记录）"
        ordering = ["association", models.F("since").asc(nulls_first=True), "pk"]
        constraints = [
            models.UniqueConstraint(fields=["association", "since"], name="supervising_unit_one_per_day",
                                    violation_error_message="同一协会同一起始日期只能有一条业务主管单位记录。"),
            models.UniqueConstraint(fields=["association"], condition=Q(since__isnull=True),
                                    name="supervising_unit_one_undated",
                                    violation_error_message="同一协会只能有一条未填写起始日期的业务主管单位记录。"),
        ]

    def __str__(self):
        label = self.get_kind_display() if self.kind else "未填写"
        return f"{self.name or label}（{self.since:%Y-%m-%d}起）" if self.since else (self.name or label)

    def clean(self):
        errors = {}
        today = timezone.localdate()
        for name in ("since", "change_registered_on"):
            day = getattr(self, name)
            if day is not None and day > today:
                errors[name] = f"{self._meta.get_field(name).verbose_name}（{day:%Y-%m-%d}）晚于今天，已发生的事项不能填写将来的日期。"
        founded = self.association.founded_on if self.association_id else None
        if self.since and founded and self.since < founded and "since" not in errors:
            errors["since"] = f"起始日期不能早于协会成立日期（{founded:%Y-%m-%d}）。"
        if self.change_registered_on and self.since and self.change_registered_on < self.since and not errors:
            errors["change_registered_on"] = "变更登记日期不能早于业务主管单位的起始日期。"
        if errors:
            raise ValidationError(errors)


def current_supervisor_kind() -> Subquery:
    """The kind of an association's supervising unit in force today, for ``annotate`` (lists and filters)."""
    return Subquery(
        SupervisingUnit.objects.filter(association=OuterRef("pk"))
        .order_by(F("since").desc(nulls_last=True), "-pk").values("kind")[:1]
    )


class SerialNumberSequence(models.Model):
    """The last serial issued per division. Kept even when an association is deleted, so numbers are never
    reused."""

    division = models.OneToOneField(Division, on_delete=models.PROTECT, related_name="+")
    last_issued = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "编制序列计数"
        verbose_name_plural = "编制序列计数"


class Officer(models.Model):
    """协会负责人: president, legal representative, secretary-general or vice-president, with the term held."""

    class Role(models.TextChoices):
        PRESIDENT = "president", "会长"
        LEGAL_REPRESENTATIVE = "legal_representative", "法定代表人"
        SECRETARY_GENERAL = "secretary_general", "秘书长"
        VICE_PRESIDENT = "vice_president", "副会长"

    association = models.ForeignKey(Association, verbose_name="协会", on_delete=models.CASCADE, related_name="officers")
    role = models.CharField("职务", max_length=32, choices=Role.choices)
    name = PersonNameField("姓名", max_length=50)
    post = models.CharField("本职工作职务", max_length=100, blank=True, help_text="例如：团旗委书记、团县委副书记")
    is_cyl_leader = models.BooleanField("团委负责同志", null=True, blank=True)
    is_fulltime_cadre = models.BooleanField("分管志愿工作的专职干部", null=True, blank=True)
    term_start = models.DateField("任职起始日期", null=True, blank=True)
    term_end = models.DateField("任职截止日期", null=True, blank=True)

    history = HistoricalRecords()

    scope_path = "association__division__code"
    association_path = "association"

    class Meta:
        verbose_name = "协会负责人"
        verbose_name_plural = "协会负责人"
        ordering = ["association", "role", "-term_start"]
        constraints = [
            dates_in_order("term_start", "term_end", name="officer_term_end_after_start", message="任职截止日期不能早于起始日期。"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.name}"


class SystemAdoption(models.Model):
    """章程与基本制度: the charter and each basic system an association has adopted (G8, N2.5, N3.1)."""

    class System(models.TextChoices):
        CHARTER = "charter", "章程"
        DECISION = "decision", "决策制度"
        EXECUTION = "execution", "执行制度"
        SUPERVISION = "supervision", "监督制度"
        RULES_OF_PROCEDURE = "rules_of_procedure", "议事规则"
        PERSONNEL = "personnel", "人事管理制度"
        FINANCE = "finance", "财务管理制度"
        ASSETS = "assets", "资产管理制度"
        INFORMATION_DISCLOSURE = "information_disclosure", "信息公开制度"
        PUBLICITY = "publicity", "宣传动员制度"
        REGISTRATION = "registration", "志愿者注册制度"
        TRAINING = "training", "管理培训制度"
        ASSESSMENT = "assessment", "评价考核制度"
        INCENTIVES = "incentives", "激励表彰制度"
        RIGHTS_PROTECTION = "rights_protection", "权益保障制度"
        INFORMATION_SECURITY = "information_security", "信息安全制度"

    association = models.ForeignKey(Association, verbose_name="协会", on_delete=models.CASCADE, related_name="systems")
    system = models.CharField("章程或制度", max_length=32, choices=System.choices)
    adopted_on = models.DateField("通过日期", null=True, blank=True)
    document = models.CharField("文件名称或文号", max_length=200, blank=True)

    history = HistoricalRecords()

    scope_path = "association__division__code"
    association_path = "association"

    class Meta:
        verbose_name = "章程与制度"
        verbose_name_plural = "章程与制度"
        ordering = ["association", "system"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "system"],
                name="system_adoption_unique",
                violation_error_message="该协会已登记过这项章程或制度。",
            ),
        ]

    def __str__(self):
        return self.get_system_display()


class PartyLeagueOrganisation(models.Model):
    """协会的党组织、团组织 (G10: 应建必建)."""

    class Kind(models.TextChoices):
        PARTY = "party", "党组织"
        LEAGUE = "league", "团组织"

    association = models.ForeignKey(
        Association, verbose_name="协会", on_delete=models.CASCADE, related_name="party_league_organisations"
    )
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    form = models.CharField("组织形式", max_length=50, blank=True, help_text="例如：党支部、联合党支部、团支部")
    established_on = models.DateField("成立日期", null=True, blank=True)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)

    history = HistoricalRecords()

    scope_path = "association__division__code"
    association_path = "association"

    class Meta:
        verbose_name = "党团组织"
        verbose_name_plural = "党团组织"
        ordering = ["association", "kind"]
        constraints = [
            dates_in_order("established_on", "dissolved_on", name="party_league_org_dissolved_after_established", message="撤销日期不能早于成立日期。"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}{self.form and '（' + self.form + '）'}"


class SeatMembership(models.Model):
    """席位制: a lower-level association sitting as a member of the upper one (N2.1)."""

    upper = models.ForeignKey(Association, verbose_name="上级协会", on_delete=models.CASCADE, related_name="seats")
    lower = models.ForeignKey(
        Association, verbose_name="席位会员（下级协会）", on_delete=models.CASCADE, related_name="seats_held"
    )
    joined_on = models.DateField("加入日期", null=True, blank=True)
    left_on = models.DateField("退出日期", null=True, blank=True)

    history = HistoricalRecords()

    scope_path = "upper__division__code"
    association_path = "upper"

    class Meta:
        verbose_name = "席位会员"
        verbose_name_plural = "席位会员"
        ordering = ["upper", "lower"]
        constraints = [
            models.UniqueConstraint(
                fields=["upper", "lower"], name="seat_membership_unique", violation_error_message="该席位会员已登记。"
            ),
            models.CheckConstraint(
                condition=~Q(upper=F("lower")), name="seat_membership_not_self", violation_error_message="协会不能成为自己的席位会员。"
            ),
        ]

    def __str__(self):
        return f"{self.upper} ← {self.lower}"

    def clean(self):
        if not (self.upper_id and self.lower_id):
            return
        upper, lower = self.upper, self.lower
        if LEVEL_RANK[lower.level] != LEVEL_RANK[upper.level] + 1:
            raise ValidationError({"lower": f"席位会员应为「{upper.name}」的下一级协会。"})
        if not lower.division.code.startswith(upper.division.code):
            raise ValidationError({"lower": f"「{lower.name}」不在「{upper.division.name}」辖区内。"})
        if self.joined_on and self.left_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": "退出日期不能早于加入日期。"})


class Commendation(models.Model):
    """表彰: star volunteers, excellent projects, demonstration associations and organisations (N4.4, N5.2).

    The region names demonstration associations and organisations every two years; the record keeps the year,
    the level that conferred it and the document number. Its division is the commended subject's, so each
    league and county sees the honours of its own.
    """

    class Kind(models.TextChoices):
        DEMONSTRATION_ASSOCIATION = "demonstration_association", "示范性旗县级青年志愿者协会"
        DEMONSTRATION_ORGANISATION = "demonstration_organisation", "示范性青年志愿者组织"
        EXCELLENT_PROJECT = "excellent_project", "优秀志愿服务项目"
        STAR_VOLUNTEER = "star_volunteer", "星级（优秀）志愿者"

    class Level(models.TextChoices):
        NATIONAL = "national", "全国"
        REGION = "region", "自治区"
        LEAGUE = "league", "盟市"
        COUNTY = "county", "旗县"

    SUBJECT_FIELD = {
        Kind.DEMONSTRATION_ASSOCIATION: "association",
        Kind.DEMONSTRATION_ORGANISATION: "organisation",
        Kind.EXCELLENT_PROJECT: "project",
        Kind.STAR_VOLUNTEER: "volunteer",
    }

    kind = models.CharField("表彰类别", max_length=32, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("年度")
    level = models.CharField("表彰级别", max_length=16, choices=Level.choices)
    document_number = models.CharField("文件文号", max_length=60, help_text="例如：内团联发〔2022〕8号")
    conferred_on = models.DateField("表彰日期", null=True, blank=True)
    association = models.ForeignKey(Association, verbose_name="协会", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="commendations")
    organisation = models.ForeignKey("teams.YouthVolunteerOrganisation", verbose_name="青年志愿者组织",
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="commendations")
    project = models.ForeignKey("projects.Project", verbose_name="项目", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="commendations")
    volunteer = models.ForeignKey("members.Volunteer", verbose_name="志愿者", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="commendations")
    division = models.ForeignKey(Division, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+",
                                 editable=False)

    history = HistoricalRecords()

    scope_path = "division__code"

    @staticmethod
    def association_q(association_id: int) -> models.Q:
        """A commendation of the association, or of its project, organisation or volunteer."""
        from members.models import Volunteer

        return (models.Q(association=association_id) | models.Q(project__association=association_id)
                | models.Q(organisation__association=association_id)
                | models.Q(volunteer__in=Volunteer.objects.filter(Volunteer.association_q(association_id))))

    class Meta:
        verbose_name = "表彰"
        verbose_name_plural = "表彰"
        ordering = ["-year", "kind"]

    def __str__(self):
        return f"{self.year} {self.get_kind_display()}：{self.subject}"

    @property
    def subject(self):
        return getattr(self, self.SUBJECT_FIELD[self.kind], None) if self.kind else None

    def subject_division(self):
        subject = self.subject
        if subject is None:
            return None
        if self.kind == self.Kind.EXCELLENT_PROJECT:
            return subject.association.division
        return subject.division

    def clean(self):
        errors = {}
        if self.kind:
            wanted = self.SUBJECT_FIELD[self.kind]
            for field in self.SUBJECT_FIELD.values():
                filled = getattr(self, f"{field}_id") is not None
                if field == wanted and not filled:
                    errors[field] = f"「{self.get_kind_display()}」须选择被表彰的{self._meta.get_field(field).verbose_name}。"
                elif field != wanted and filled:
                    errors[field] = f"「{self.get_kind_display()}」不填写{self._meta.get_field(field).verbose_name}。"
        if errors:
            raise ValidationError(errors)
        division = self.subject_division()
        if division is not None:
            self.division = division

    def save(self, *args, **kwargs):
        division = self.subject_division()
        if division is not None:
            self.division = division
        super().save(*args, **kwargs)
