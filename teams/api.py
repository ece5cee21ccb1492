from common.api import ScopedViewSet, filterset_for, model_serializer

from .models import ServiceBase, Team, TeamMembership, YouthVolunteerOrganisation


class TeamViewSet(ScopedViewSet):
    """青年志愿服务队。"""

    queryset = Team.objects.all()
    serializer_class = model_serializer(Team)
    select_related = ("division",)
    filterset_class = filterset_for(Team, {"host_kind": ["exact"], "county_direct_domain": ["exact"],
                                           "founded_on": ["gte", "lte"]})
    ordering_fields = ("founded_on", "name")


class TeamMembershipViewSet(ScopedViewSet):
    """服务队队员名册。"""

    queryset = TeamMembership.objects.all()
    serializer_class = model_serializer(TeamMembership)
    select_related = ("team", "volunteer")
    filterset_class = filterset_for(TeamMembership, {"team": ["exact"], "joined_on": ["gte", "lte"]})
    ordering_fields = ("joined_on",)


class OrganisationViewSet(ScopedViewSet):
    """青年志愿者组织。"""

    queryset = YouthVolunteerOrganisation.objects.all()
    serializer_class = model_serializer(YouthVolunteerOrganisation)
    select_related = ("division",)
    filterset_class = filterset_for(YouthVolunteerOrganisation, {"founded_on": ["gte", "lte"]})
    ordering_fields = ("founded_on", "name")


class ServiceBaseViewSet(ScopedViewSet):
    """服务阵地。"""

    queryset = ServiceBase.objects.all()
    serializer_class = model_serializer(ServiceBase)
    select_related = ("division",)
    prefetch_related = ("teams",)
    filterset_class = filterset_for(ServiceBase, {"kind": ["exact"], "opened_on": ["gte", "lte"]})
    ordering_fields = ("opened_on", "name")
