"""Makers for the scoping matrices: each makes the n-th record of one model in the division with ``code``
(a county), so that a test can put records in the viewer's county and in another league's."""
import itertools
from collections import Counter
from datetime import date

from associations.tests.factories import association
from divisions.models import Division
from members.models import IndividualMember, UnitMember
from members.tests.factories import volunteer
from teams.models import (
    Incubation,
    ServiceBase,
    Team,
    TeamMembership,
    YouthVolunteerOrganisation,
)
from teams.tests.factories import team

OWN, OTHER = "150102", "150402"
# The role matrix's cases, counted by (role, URL kind, method) and printed at the end of the run.
CASES: Counter = Counter()


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


ISSUER = {"principal": "王志强", "contact": "0471-6661234"}


def certificate(code, n):
    from projects.services import certificate_issue

    entry = service_record(code, n)
    return certificate_issue(volunteer=entry.volunteer, association=entry.association, period_start=date(2024, 1, 1),
                             period_end=date(2024, 12, 31), user=make_staff_superuser(), **ISSUER)


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


def association_(code, n):
    """The n-th association of a county: earlier ones dissolved (one active association per county)."""
    from associations.models import Association

    Association.objects.filter(division__code=code, level="county", dissolved_on__isnull=True).update(
        dissolved_on=date(2020, 1, 1))
    return association(code, founded_on=date(2019, 1, 1 + n))


def division_(code, n):
    return Division.objects.townships().filter(parent__code=code).order_by("code")[n]


def volunteer_(code, n):
    return volunteer(code)


def team_(code, n):
    township = Division.objects.townships().filter(parent__code=code).order_by("code")[n]
    return team(township.code, name=f"服务队{n}")


def personal_data_access(code, n):
    from members.models import PersonalDataAccess

    person = volunteer(code)
    return PersonalDataAccess.objects.create(user=make_staff_superuser(), volunteer=person, subject=str(person),
                                             fields="身份证号码")


def target_(code, n):
    from reports.models import Target

    return Target.objects.create(code=f"X{code}{n}", title="测试目标", metric="county_coverage", threshold=50,
                                 deadline=date(2025, 12, 31), division=Division.objects.get(code=code))


def key_date_(code, n):
    """A key date of the division (the region's own in real use); its window is one day in August, one per call."""
    from projects.models import KeyDate

    day = next(_KEY_DAYS)
    return KeyDate.objects.create(code=f"08-{day:02d}", name=f"测试节点{day}", division=Division.objects.get(code=code))


_KEY_DAYS = itertools.cycle(range(1, 29))


def pillar_(code, n):
    from reports.models import Pillar

    return Pillar.objects.create(key=f"pillar_test_{code}_{n}", name="测试要素", parts=["G3"],
                                 division=Division.objects.get(code=code))


def snapshot_(code, n):
    from reports.models import MetricSnapshot

    return MetricSnapshot.objects.create(metric="county_coverage", division=Division.objects.get(code=code),
                                         as_of=date(2024, 1, 1 + n), numerator=1, denominator=1, value=100)


MAKERS = {
    "associations_association": association_,
    "associations_commendation": commendation,
    "divisions_division": division_,
    "members_volunteer": volunteer_,
    "members_individualmember": individual_member,
    "members_unitmember": unit_member,
    "members_volunteerstar": star,
    "members_personaldataaccess": personal_data_access,
    "teams_team": team_,
    "teams_teammembership": roster,
    "teams_youthvolunteerorganisation": organisation,
    "teams_servicebase": service_base,
    "projects_project": project_,
    "projects_activity": activity_,
    "projects_servicerecord": service_record,
    "projects_servicerecordcorrection": correction,
    "projects_certificate": certificate,
    "training_trainingsession": training_session,
    "training_attendance": attendance,
    "reports_target": target_,
    "projects_keydate": key_date_,
    "reports_pillar": pillar_,
    "reports_metricsnapshot": snapshot_,
}


def attach_to(own):
    """What the makers leave unattached (volunteers, teams, organisations) becomes ``own``'s, so that its
    secretariat reaches it."""
    from members.models import Volunteer

    Volunteer.objects.filter(registered_by__isnull=True).update(registered_by=own)
    Team.objects.filter(association__isnull=True).update(association=own)
    YouthVolunteerOrganisation.objects.filter(association__isnull=True).update(association=own)
