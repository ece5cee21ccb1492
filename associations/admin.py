from django.contrib import admin

from accounts.admin_scoping import CountyListFilter, LeagueListFilter, ScopedExportAdmin, ScopedInline

from .models import Association, Officer, PartyLeagueOrganisation, SeatMembership, SystemAdoption
from .resources import AssociationResource
from .services import association_register


class OfficerInline(ScopedInline):
    model = Officer
    fields = ("role", "name", "post", "is_cyl_leader", "is_fulltime_cadre", "term_start", "term_end")


class SystemAdoptionInline(ScopedInline):
    model = SystemAdoption
    fields = ("system", "adopted_on", "document")


class PartyLeagueOrganisationInline(ScopedInline):
    model = PartyLeagueOrganisation
    fields = ("kind", "form", "established_on", "dissolved_on")


class SeatMembershipInline(ScopedInline):
    model = SeatMembership
    fk_name = "upper"
    fields = ("lower", "joined_on", "left_on")
    verbose_name = "席位会员（下级协会）"
    verbose_name_plural = "席位会员（下级协会）"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("upper", "lower")


@admin.register(Association)
class AssociationAdmin(ScopedExportAdmin):
    resource_classes = [AssociationResource]
    list_display = (
        "serial_number",
        "name",
        "level",
        "league_name",
        "division",
        "founded_on",
        "dissolved_on",
        "supervisor_kind",
        "registered_on",
    )
    list_display_links = ("serial_number", "name")
    list_filter = (LeagueListFilter, CountyListFilter, "level", "supervisor_kind", "secretariat_host")
    list_select_related = ("division__parent",)
    search_fields = ("name", "serial_number", "=uscc")
    search_help_text = "按协会名称、统一编制序列号或统一社会信用代码查找"
    autocomplete_fields = ("division",)
    readonly_fields = ("serial_number",)
    date_hierarchy = None
    inlines = (OfficerInline, SystemAdoptionInline, PartyLeagueOrganisationInline, SeatMembershipInline)
    fieldsets = (
        ("基本情况", {"fields": ("serial_number", "level", "division", "name", "founded_on", "dissolved_on")}),
        ("业务主管单位（G1）", {"fields": ("supervisor_kind", "supervisor_name", "supervisor_cyl_since")}),
        ("登记注册（G3）", {"fields": ("registration_authority", "registered_on", "uscc")}),
        (
            "秘书处（G5）",
            {
                "fields": (
                    "secretariat_host",
                    "secretariat_since",
                    ("staff_fulltime", "staff_seconded", "staff_parttime", "staff_volunteer"),
                )
            },
        ),
        (
            "保障条件（G9）",
            {
                "fields": (
                    ("fulltime_posts", "staffing_quota"),
                    "annual_budget",
                    ("has_office", "office_shared_with_civilization_center"),
                )
            },
        ),
        ("备注", {"fields": ("note",)}),
    )

    @admin.display(description="盟市", ordering="division__parent__name")
    def league_name(self, obj):
        division = obj.division
        if division.level == division.Level.COUNTY and division.parent is not None:
            return division.parent.name
        return "—"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            association_register(association=obj, user=request.user)
