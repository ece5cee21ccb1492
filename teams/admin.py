from django.contrib import admin

from accounts.admin_scoping import CountyListFilter, LeagueListFilter, ScopedInline, ScopedModelAdmin
from common.paginator import FastCountPaginator

from .models import Incubation, ServiceBase, Team, TeamMembership, YouthVolunteerOrganisation


@admin.register(Team)
class TeamAdmin(ScopedModelAdmin):
    list_display = ("name", "host_kind", "host_name", "division", "county_direct_domain", "civilization_practice",
                    "founded_on", "dissolved_on")
    list_filter = (LeagueListFilter, CountyListFilter, "host_kind", "county_direct_domain", "civilization_practice")
    list_select_related = ("division",)
    search_fields = ("name", "host_name")
    autocomplete_fields = ("division", "association")


@admin.register(TeamMembership)
class TeamMembershipAdmin(ScopedModelAdmin):
    list_display = ("team", "volunteer_name", "volunteer_id_masked", "joined_on", "left_on")
    list_filter = (LeagueListFilter, CountyListFilter)
    list_select_related = ("team", "volunteer")
    search_fields = ("team__name", "volunteer__name")
    paginator = FastCountPaginator
    show_full_result_count = False
    autocomplete_fields = ("team", "volunteer")

    @admin.display(description="姓名", ordering="volunteer__name")
    def volunteer_name(self, obj):
        return obj.volunteer.name

    @admin.display(description="身份证号码")
    def volunteer_id_masked(self, obj):
        return obj.volunteer.id_number_masked


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
