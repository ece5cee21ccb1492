from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from associations.validators import validate_uscc
from common.constraints import dates_in_order
from divisions.models import Division

# Host kinds whose team belongs to one township (the base-level coverage of G13 counts these by township).
TOWNSHIP_HOSTS = {"township", "community"}


class Team(models.Model):
    """青年志愿服务队: a grassroots team hosted by a township, agency, school, enterprise, community … (G13)."""

    class HostKind(models.TextChoices):
        TOWNSHIP = "township", "乡镇（街道）"
        COMMUNITY = "community", "城乡社区"
        AGENCY = "agency", "机关"
        PUBLIC_INSTITUTION = "public_institution", "事业单位"
        MIDDLE_SCHOOL = "middle_school", "中学"
        COLLEGE = "college", "高校"
        STATE_ENTERPRISE = "state_enterprise", "国有企业"
        PARK = "park", "园区"
        PRIVATE_ENTERPRISE = "private_enterprise", "非公企业"
        SOCIAL_ORGANISATION = "social_organisation", "社会组织"
        COUNTY_DIRECT = "county_direct", "旗县直属"

    class CountyDirectDomain(models.TextChoices):
        EMERGENCY = "emergency", "应急救援"
        MEDICAL = "medical", "医疗卫生"
        ECOLOGY = "ecology", "生态保护"
        LARGE_EVENTS = "large_events", "大型活动"

    name = models.CharField("服务队名称", max_length=100, db_index=True)
    host_kind = models.CharField("依托单位类别", max_length=32, choices=HostKind.choices)
    host_name = models.CharField("依托单位名称", max_length=100, blank=True)
    division = models.ForeignKey(
        Division, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"level__in": ["county", "township"], "is_statutory": True},
        help_text="乡镇（街道）、社区服务队请选择所在乡镇（街道）；其他可选择旗县（市、区）。",
    )
    association = models.ForeignKey(
        "associations.Association", verbose_name="所属协会", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="teams",
    )
    county_direct_domain = models.CharField(
        "直属服务队领域", max_length=32, choices=CountyDirectDomain.choices, blank=True
    )
    civilization_practice = models.BooleanField("新时代文明实践志愿服务队", default=False)
    leader_name = models.CharField("队长", max_length=50, blank=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)

    history = HistoricalRecords()

    scope_path = "division__code"
    association_path = "association"

    class Meta:
        verbose_name = "青年志愿服务队"
        verbose_name_plural = "青年志愿服务队"
        ordering = ["division__code", "name"]
        constraints = [
            dates_in_order("founded_on", "dissolved_on", name="team_dissolved_after_founded", message="撤销日期不能早于成立日期。"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.host_kind in TOWNSHIP_HOSTS and self.division_id and self.division.level != Division.Level.TOWNSHIP:
            errors["division"] = "乡镇（街道）和社区服务队须选择所在的乡镇（街道）。"
        if self.host_kind == self.HostKind.COUNTY_DIRECT and not self.county_direct_domain:
            errors["county_direct_domain"] = "旗县直属服务队须选择服务领域（应急救援、医疗卫生、生态保护、大型活动）。"
        if self.county_direct_domain and self.host_kind != self.HostKind.COUNTY_DIRECT:
            errors["county_direct_domain"] = "只有旗县直属服务队填写直属服务队领域。"
        if self.founded_on and self.dissolved_on and self.dissolved_on < self.founded_on:
            errors["dissolved_on"] = "撤销日期不能早于成立日期。"
        if errors:
            raise ValidationError(errors)


class TeamMembership(models.Model):
    """服务队队员: a registered volunteer on a team's roster, with the period served."""

    team = models.ForeignKey(Team, verbose_name="服务队", on_delete=models.CASCADE, related_name="roster")
    volunteer = models.ForeignKey("members.Volunteer", verbose_name="志愿者", on_delete=models.PROTECT, related_name="+")
    joined_on = models.DateField("加入日期", null=True, blank=True)
    left_on = models.DateField("退出日期", null=True, blank=True)

    history = HistoricalRecords()

    scope_path = "team__division__code"
    association_path = "team__association"

    class Meta:
        verbose_name = "队员"
        verbose_name_plural = "队员"
        constraints = [
            models.UniqueConstraint(fields=["team", "volunteer", "joined_on"], name="team_membership_unique",
                                    violation_error_message="该志愿者已在本队名册中。"),
            dates_in_order("joined_on", "left_on", name="team_membership_left_after_joined", message="退出日期不能早于加入日期。"),
        ]

    def __str__(self):
        return f"{self.team} · {self.volunteer.name}"


class YouthVolunteerOrganisation(models.Model):
    """青年志愿者组织: an organisation the association cultivates and incubates (N2.3, G14)."""

    name = models.CharField("组织名称", max_length=100)
    division = models.ForeignKey(Division, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+",
                                 limit_choices_to={"level__in": ["county", "township"], "is_statutory": True})
    association = models.ForeignKey("associations.Association", verbose_name="培育协会", on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="cultivated_organisations")
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True, validators=[validate_uscc])
    founded_on = models.DateField("成立日期", null=True, blank=True)
    unit_member = models.OneToOneField("members.UnitMember", verbose_name="对应单位会员", on_delete=models.SET_NULL,
                                       null=True, blank=True, related_name="organisation")

    history = HistoricalRecords()

    scope_path = "division__code"
    association_path = "association"

    class Meta:
        verbose_name = "青年志愿者组织"
        verbose_name_plural = "青年志愿者组织"
        ordering = ["division__code", "name"]

    def __str__(self):
        return self.name


class Incubation(models.Model):
    """孵化: support given to a youth volunteer organisation (project support, subsidy, purchase of services)."""

    class Support(models.TextChoices):
        PROJECT = "project", "项目支持"
        SUBSIDY = "subsidy", "资金补贴"
        PURCHASE = "purchase", "购买服务"
        TRAINING = "training", "培训指导"
        VENUE = "venue", "场地支持"

    organisation = models.ForeignKey(YouthVolunteerOrganisation, verbose_name="组织", on_delete=models.CASCADE,
                                     related_name="incubations")
    support = models.CharField("支持方式", max_length=16, choices=Support.choices)
    base = models.CharField("孵化基地", max_length=100, blank=True)
    started_on = models.DateField("开始日期", null=True, blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)

    history = HistoricalRecords()

    scope_path = "organisation__division__code"
    association_path = "organisation__association"

    class Meta:
        verbose_name = "孵化支持"
        verbose_name_plural = "孵化支持"

    def __str__(self):
        return self.get_support_display()


class ServiceBase(models.Model):
    """阵地: a place where volunteers serve (青年之家、新时代文明实践中心/所/站 …, G23), with the teams stationed."""

    class Kind(models.TextChoices):
        YOUTH_HOME = "youth_home", "青年之家（爱里）"
        PRACTICE_CENTRE = "practice_centre", "新时代文明实践中心"
        PRACTICE_STATION = "practice_station", "新时代文明实践所/站"
        PARTY_SERVICE_CENTRE = "party_service_centre", "党群服务中心"
        COMMUNITY_SERVICE_CENTRE = "community_service_centre", "社区服务中心"
        CULTURE_CENTRE = "culture_centre", "文化活动中心"
        LIBRARY = "library", "图书馆"
        MUSEUM = "museum", "博物馆"
        CULTURAL_PALACE = "cultural_palace", "文化宫"
        ART_GALLERY = "art_gallery", "美术馆"
        SCIENCE_MUSEUM = "science_museum", "科技馆"
        REVOLUTIONARY_MEMORIAL = "revolutionary_memorial", "革命纪念馆"
        RAINBOW_HOUSE = "rainbow_house", "七彩小屋"
        OTHER = "other", "其他"

    name = models.CharField("阵地名称", max_length=100)
    kind = models.CharField("阵地类别", max_length=32, choices=Kind.choices)
    division = models.ForeignKey(Division, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+",
                                 limit_choices_to={"level__in": ["county", "township"], "is_statutory": True})
    address = models.CharField("地址", max_length=200, blank=True)
    teams = models.ManyToManyField(Team, verbose_name="驻站服务队", blank=True, related_name="bases")
    opened_on = models.DateField("启用日期", null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[teams])

    scope_path = "division__code"

    class Meta:
        verbose_name = "服务阵地"
        verbose_name_plural = "服务阵地"
        ordering = ["division__code", "name"]

    def __str__(self):
        return self.name
