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


def _project(code):
    from projects.tests.factories import project

    own = _association(code)
    return own.projects.first() or project(own)


def project_(code, n):
    from projects.models import ContestEntry, FundingLine
    from projects.tests.factories import project

    made = project(_association(code), f"项目{n}")
    FundingLine.objects.create(project=made, source="foundation", amount=1000)
    ContestEntry.objects.create(project=made, year=2024, level="county")
    return made


def activity_(code, n):
    from projects.tests.factories import activity

    return activity(_project(code), date(2024, 3, 1 + n), f"活动{n}")


def service_record(code, n):
    from projects.tests.factories import activity, record

    return record(activity(_project(code), date(2024, 4, 1 + n), f"活动{n}"))


def correction(code, n):
    from projects.services import service_record_correct

    entry = service_record(code, n)
    return service_record_correct(record=entry, hours="1", reason="更正", user=make_staff_superuser())


def make_staff_superuser():
    from accounts.tests.factories import staff_user

    return staff_user(superuser=True)


def certificate(code, n):
    from projects.services import certificate_issue

    entry = service_record(code, n)
    return certificate_issue(volunteer=entry.volunteer, association=entry.association, period_start=date(2024, 1, 1),
                             period_end=date(2024, 12, 31), user=make_staff_superuser())


def training_session(code, n, *, with_attendance=True):
    from training.models import Attendance, TrainingSession

    session = TrainingSession.objects.create(title=f"培训{n}", organiser=_association(code), kind="backbone",
                                             started_on=date(2024, 4, 1))
    if with_attendance:
        Attendance.objects.create(session=session, volunteer=volunteer(code))
    return session


def attendance(code, n):
    from training.models import Attendance

    session = training_session(code, n, with_attendance=False)
    return Attendance.objects.create(session=session, volunteer=volunteer(code))


def star(code, n):
    from members.models import VolunteerStar

    return VolunteerStar.objects.create(volunteer=volunteer(code), level=1, threshold_hours=100,
                                        reached_on=date(2024, 1, 1))


def commendation(code, n):
    from associations.models import Commendation

    return Commendation.objects.create(kind="star_volunteer", year=2024, level="county", document_number=f"文{n}",
                                       volunteer=volunteer(code))


# Issued certificates and correction logs are kept for good, and stars follow from the hours: no role deletes them.
NEVER_DELETED = {"projects_certificate", "projects_servicerecordcorrection", "members_volunteerstar"}

CASES = {
    "projects_project": project_,
    "projects_activity": activity_,
    "projects_servicerecord": service_record,
    "projects_servicerecordcorrection": correction,
    "projects_certificate": certificate,
    "training_trainingsession": training_session,
    "training_attendance": attendance,
    "members_volunteerstar": star,
    "associations_commendation": commendation,
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
        refused = path == "delete" and name in NEVER_DELETED  # 403 for every id: nothing to learn from it
        assert client.get(reverse(f"admin:{name}_{path}", args=[other.pk])).status_code == (
            403 if refused else 404), path
        assert client.get(reverse(f"admin:{name}_{path}", args=[own.pk])).status_code == (
            403 if refused else 200), path

    for n in range(1, 6):
        make(OWN, n)
    with CaptureQueriesContext(connection) as many:
        response = client.get(changelist)
    assert len(response.context["cl"].result_list) == 6
    assert len(many) == len(one)
