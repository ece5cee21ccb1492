from django.contrib import admin

from accounts.admin_scoping import (
    CountyListFilter,
    LeagueListFilter,
    ScopedInline,
    ScopedModelAdmin,
)
from common.admin_excel import TableExcelAdminMixin
from common.paginator import FastCountPaginator
from members.admin import VolunteerColumnsMixin

from .importers import RosterImporter, TeamImporter
from .models import (
    Incubation,
    ServiceBase,
    Team,
    TeamMembership,
    YouthVolunteerOrganisation,
)


@admin.register(Team)
class TeamAdmin(TableExcelAdminMixin, ScopedModelAdmin):
    excel_title = "青年志愿服务队"
    excel_noun = "支服务队"
    excel_importer_class = TeamImporter
    excel_text_columns = ("区划代码", "所属协会统一编制序列号")
    excel_export_related = ("division", "association")
    excel_example = {"服务队名称": "海拉尔东路街道青年志愿服务队", "依托单位类别": "乡镇（街道）", "区划代码": "150102001",
                     "所在区划": "海拉尔东路街道", "新时代文明实践志愿服务队": "是", "成立日期": "2021-03-05"}
    excel_notes = ("乡镇（街道）、社区服务队填写所在乡镇（街道）；乡镇重名时填写 9 位区划代码。",
                   "旗县直属服务队须填写直属服务队领域：应急救援、医疗卫生、生态保护、大型活动。")
    list_display = ("name", "host_kind", "host_name", "division", "county_direct_domain", "civilization_practice",
                    "founded_on", "dissolved_on")
    list_filter = (LeagueListFilter, CountyListFilter, "host_kind", "county_direct_domain", "civilization_practice")
    list_select_related = ("division",)
    search_fields = ("name", "host_name")
    autocomplete_fields = ("division", "association")


@admin.register(TeamMembership)
class TeamMembershipAdmin(VolunteerColumnsMixin, TableExcelAdminMixin, ScopedModelAdmin):
    excel_title = "队员名册"
    excel_noun = "名队员"
    excel_importer_class = RosterImporter
    excel_text_columns = ("区划代码", "身份证号码")
    excel_export_related = ("team__division", "volunteer")
    excel_example = {"区划代码": "150102001", "所在区划": "海拉尔东路街道", "服务队名称": "海拉尔东路街道青年志愿服务队",
                     "身份证号码": "（18 位，须已登记为注册志愿者）", "姓名": "王志强", "加入日期": "2024-03-05"}
    list_display = ("team", "volunteer_name", "volunteer_id_masked", "joined_on", "left_on")
    list_filter = (LeagueListFilter, CountyListFilter)
    list_select_related = ("team", "volunteer")
    search_fields = ("team__name", "volunteer__name")
    paginator = FastCountPaginator
    show_full_result_count = False
    autocomplete_fields = ("team", "volunteer")


class IncubationInline(ScopedInline):
    model = Incubation
    fields = ("support", "base", "started_on", "ended_on")


@admin.register(YouthVolunteerOrganisation)
class YouthVolunteerOrganisationAdmin(ScopedModelAdmin):
    list_display = ("name", "division", "association", "founded_on", "unit_member")
    list_filter = (LeagueListFilter, CountyListFilter)
    list_select_related = ("division", "association", "unit_member")
    search_fields = ("name", "=uscc")
    autocomplete_fields = ("division", "association", "unit_member")
    inlines = (IncubationInline,)


@admin.register(ServiceBase)
class ServiceBaseAdmin(ScopedModelAdmin):
    list_display = ("name", "kind", "division", "opened_on")
    list_filter = (LeagueListFilter, CountyListFilter, "kind")
    list_select_related = ("division",)
    search_fields = ("name", "address")
    autocomplete_fields = ("division", "teams")
