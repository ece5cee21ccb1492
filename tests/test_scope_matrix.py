"""For every list a user reaches in the admin: only their division's rows, other rows a 404 on every object
path, and the same number of queries for one row as for many."""
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from associations.tests.factories import association
from divisions.models import Division
from members.models import IndividualMember, UnitMember
from members.tests.factories import volunteer
from teams.models import (
    Incubation,
    ServiceBase,
    TeamMembership,
    YouthVolunteerOrganisation,
)
from teams.tests.factories import team

pytestmark = pytest.mark.django_db

OWN, OTHER = "150102", "150402"


def _association(code):
    from associations.models import Association

    return Association.objects.filter(division__code=code).first() or association(code)


def individual_member(code, n):
    return IndividualMember.objects.create(association=_association(code), volunteer=volunteer(code),
                                           joined_on=date(2022, 1, n + 1), review_status="approved")


def unit_member(code, n):
    return UnitMember.objects.create(association=_association(code), name=f"单位{n}", kind="school",
                                     joined_on=date(2022, 1, 1))


def service_base(code, n):
    return ServiceBase.objects.create(name=f"青年之家{n}", kind="youth_home", division=Division.objects.get(code=code))


def roster(code, n):
    township = Division.objects.townships().filter(parent__code=code).order_by("code")[n % 3]
    return TeamMembership.objects.create(team=team(township.code, name=f"队{n}"), volunteer=volunteer(code),
                                         joined_on=date(2022, 1, 1))


def organisation(code, n):
    org = YouthVolunteerOrganisation.objects.create(name=f"组织{n}", division=Division.objects.get(code=code))
    Incubation.objects.create(organisation=org, support="project")
    return org


CASES = {
    "members_individualmember": individual_member,
    "members_unitmember": unit_member,
    "teams_servicebase": service_base,
    "teams_teammembership": roster,
    "teams_youthvolunteerorganisation": organisation,
}


@pytest.mark.parametrize("name", list(CASES))
def test_scoped_list_object_paths_and_constant_queries(client, make_staff, name):
    make = CASES[name]
    own, other = make(OWN, 0), make(OTHER, 0)
    client.force_login(make_staff(Role.COUNTY_STAFF, OWN))
    changelist = reverse(f"admin:{name}_changelist")

    client.get(changelist)
    with CaptureQueriesContext(connection) as one:
        response = client.get(changelist)
    assert [o.pk for o in response.context["cl"].result_list] == [own.pk]
    for path in ("change", "delete", "history"):
        assert client.get(reverse(f"admin:{name}_{path}", args=[other.pk])).status_code == 404, path
        assert client.get(reverse(f"admin:{name}_{path}", args=[own.pk])).status_code == 200, path

    for n in range(1, 6):
        make(OWN, n)
    with CaptureQueriesContext(connection) as many:
        response = client.get(changelist)
    assert len(response.context["cl"].result_list) == 6
    assert len(many) == len(one)
