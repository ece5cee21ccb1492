from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from divisions.models import Division
from members.tests.factories import volunteer
from teams.models import ServiceBase, Team, TeamMembership

from .factories import team

pytestmark = pytest.mark.django_db


def test_a_township_team_must_sit_in_a_township():
    wrong = Team(name="新城区青年志愿服务队", host_kind="township", division=Division.objects.get(code="150102"))
    with pytest.raises(ValidationError) as error:
        wrong.full_clean()
    assert error.value.message_dict["division"] == ["乡镇（街道）和社区服务队须选择所在的乡镇（街道）。"]


def test_a_county_direct_team_names_its_domain():
    direct = Team(name="应急救援队", host_kind="county_direct", division=Division.objects.get(code="150102"))
    with pytest.raises(ValidationError) as error:
        direct.full_clean()
    assert "须选择服务领域" in error.value.message_dict["county_direct_domain"][0]


def test_teams_bases_and_rosters_outside_scope_are_invisible(client, make_staff):
    own = team("150102001")
    other = team("150402001")
    base = ServiceBase.objects.create(name="红山区青年之家", kind="youth_home", division=Division.objects.get(code="150402"))
    roster = TeamMembership.objects.create(team=other, volunteer=volunteer("150402"), joined_on=date(2022, 1, 1))
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))

    listed = {t.pk for t in client.get(reverse("admin:teams_team_changelist")).context["cl"].result_list}
    assert listed == {own.pk}
    for url in (
        reverse("admin:teams_team_change", args=[other.pk]),
        reverse("admin:teams_team_history", args=[other.pk]),
        reverse("admin:teams_servicebase_change", args=[base.pk]),
        reverse("admin:teams_teammembership_change", args=[roster.pk]),
    ):
        assert client.get(url).status_code == 404, url
    found = client.get(reverse("admin:autocomplete"), {"app_label": "teams", "model_name": "servicebase",
                                                        "field_name": "teams", "term": "服务队"}).json()["results"]
    assert [r["id"] for r in found] == [str(own.pk)]


def test_team_list_queries_are_constant(client, make_staff):
    team("150102001")
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    url = reverse("admin:teams_team_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for township in Division.objects.townships().filter(parent__code="150102")[1:6]:
        team(township.code)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 6
    assert len(many) == len(one)
