"""The composed 体检 facts: every app's part arrives, in a number of queries that does not grow with the data."""
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from associations.models import Association
from associations.rules import Status
from associations.tests.factories import association
from checkup.facts import association_facts, county_checkups, findings_by_id, league_seat_findings
from divisions.models import Division
from members.tests.factories import member
from projects.models import Project
from teams.models import Team
from training.models import TrainingSession

pytestmark = pytest.mark.django_db
AS_OF = date(2022, 6, 30)


def _county_with_everything(code: str, n: int):
    a = association(code)
    township = Division.objects.townships().filter(parent__code=code).first()
    for i in range(n):
        member(a, joined_on=date(2021, 2, 1))
        Project.objects.create(association=a, name=f"项目{i}", started_on=date(2021, 3, 1), regular=True)
        TrainingSession.objects.create(organiser=a, title=f"培训{i}", kind="officers", started_on=date(2022, 3, 1),
                                       ended_on=date(2022, 3, 1))
        Team.objects.create(name=f"服务队{code}{i}", division=township or a.division, founded_on=date(2021, 1, 1))
    return a


def _queries(codes):
    with CaptureQueriesContext(connection) as ctx:
        facts = association_facts(Association.objects.filter(division__code__in=codes), as_of=AS_OF)
    return len(ctx.captured_queries), facts


def test_every_app_contributes_its_facts():
    code = Division.objects.counties().order_by("code").values_list("code", flat=True)[0]
    _county_with_everything(code, 2)
    _, (facts,) = _queries([code])
    assert facts.division_code == code
    assert len(facts.members) == 2 and all(m.approved for m in facts.members)
    assert len(facts.projects) == 2 and len(facts.trainings) == 2
    assert len(facts.teams) == 2
    assert facts.townships  # the county's statutory townships, for G13
    assert facts.insurance is not None and facts.insurance.since <= AS_OF


def test_queries_do_not_grow_with_associations_or_rows():
    codes = list(Division.objects.counties().order_by("code").values_list("code", flat=True)[:6])
    _county_with_everything(codes[0], 1)
    small, _ = _queries(codes[:1])
    for code in codes[1:]:
        _county_with_everything(code, 4)
    large, facts = _queries(codes)
    assert len(facts) == 6
    assert large == small


def test_county_checkups_and_league_seats_read_the_ledger_for_the_date():
    codes = list(Division.objects.counties().order_by("code").values_list("code", flat=True)[:3])
    association(codes[0], founded_on=date(2020, 6, 1))
    association(codes[1], founded_on=None)
    association(codes[2], founded_on=date(2023, 1, 1))
    checkups = county_checkups(AS_OF)
    assert checkups[codes[0]].exists is True and checkups[codes[0]].covered is True
    assert checkups[codes[0]].statuses["G1"] == Status.PASS
    assert checkups[codes[1]].exists is None and checkups[codes[1]].association_id is None
    assert codes[2] not in checkups  # founded after the date: nothing in force, nothing unknown
    league = codes[0][:4]
    association(league, founded_on=date(2020, 5, 1))
    seats = league_seat_findings(AS_OF)
    assert seats[league] == Status.FAIL  # it has not taken the county association in as a seat member
    assert set(findings_by_id([checkups[codes[0]].association_id], as_of=AS_OF)) == {checkups[codes[0]].association_id}
