from collections import defaultdict
from datetime import date
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet

from .models import Association, Officer
from .rules import (
    AssociationFacts,
    Finding,
    LowerAssociationFact,
    MemberFact,
    OfficerFact,
    PeriodFact,
    Status,
    TeamFact,
    UnitMemberFact,
    evaluate,
    overall,
)

NEXT_LEVEL = {"region": "league", "league": "county"}


def association_facts(queryset: QuerySet) -> list[AssociationFacts]:
    """Plain facts for every association in ``queryset``, in a fixed number of queries whatever its size."""
    associations = list(
        queryset.select_related("division__parent").prefetch_related(
            Prefetch("officers", queryset=Officer.objects.order_by("role", "-term_start")),
            "systems",
            "party_league_organisations",
            "seats",
        )
    )
    uppers = [a for a in associations if a.level in NEXT_LEVEL]
    lower_by_upper: dict[int, list[LowerAssociationFact]] = defaultdict(list)
    if uppers:
        condition = reduce(or_, (Q(level=NEXT_LEVEL[a.level], division__code__startswith=a.division.code) for a in uppers))
        lowers = list(Association.objects.filter(condition).select_related("division").order_by("serial_number"))
        for upper in uppers:
            for lower in lowers:
                if lower.level == NEXT_LEVEL[upper.level] and lower.division.code.startswith(upper.division.code):
                    lower_by_upper[upper.pk].append(
                        LowerAssociationFact(lower.pk, lower.name, lower.founded_on, lower.dissolved_on)
                    )
    members, units = _membership_facts([a.pk for a in associations])
    county_codes = sorted({a.division.code for a in associations if a.level == "county"})
    townships, teams = _team_facts(county_codes)
    return [
        _facts(
            a, tuple(lower_by_upper.get(a.pk, ())), tuple(members.get(a.pk, ())), tuple(units.get(a.pk, ())),
            tuple(townships.get(a.division.code, ())), tuple(teams.get(a.division.code, ())),
        )
        for a in associations
    ]


def _team_facts(county_codes: list[str]):
    """Townships and teams of these counties: two queries, grouped by county code."""
    from divisions.models import Division
    from teams.models import Team

    townships: dict[str, list[str]] = defaultdict(list)
    teams: dict[str, list[TeamFact]] = defaultdict(list)
    if not county_codes:
        return townships, teams
    for code, parent in Division.objects.townships().filter(parent__code__in=county_codes).values_list(
        "code", "parent__code"
    ):
        townships[parent].append(code)
    # Teams sit in a county or in one of its townships: two IN conditions, however many counties.
    condition = Q(division__code__in=county_codes) | Q(division__parent__code__in=county_codes)
    for code, host, domain, founded, dissolved in Team.objects.filter(condition).values_list(
        "division__code", "host_kind", "county_direct_domain", "founded_on", "dissolved_on"
    ).iterator(chunk_size=5000):
        teams[code[:6]].append(TeamFact(code if len(code) > 6 else None, host, domain, founded, dissolved))
    return townships, teams


def _membership_facts(ids: list[int]):
    """Members and unit members of these associations: two queries, plain tuples."""
    from members.models import IndividualMember, UnitMember

    members: dict[int, list[MemberFact]] = defaultdict(list)
    rows = IndividualMember.objects.filter(association_id__in=ids).values_list(
        "association_id", "volunteer__birth_date", "joined_on", "left_on", "review_status", "domains"
    )
    for association_id, birth, joined, left, status, domains in rows.iterator(chunk_size=5000):
        members[association_id].append(
            MemberFact(birth, joined, left, status == IndividualMember.Review.APPROVED, tuple(domains or ()))
        )
    units: dict[int, list[UnitMemberFact]] = defaultdict(list)
    for association_id, kind, joined, left, domains in UnitMember.objects.filter(association_id__in=ids).values_list(
        "association_id", "kind", "joined_on", "left_on", "domains"
    ):
        units[association_id].append(UnitMemberFact(kind, joined, left, tuple(domains or ())))
    return members, units


def _facts(a: Association, expected: tuple[LowerAssociationFact, ...], members=(), units=(), townships=(),
           teams=()) -> AssociationFacts:
    division = a.division
    return AssociationFacts(
        id=a.pk,
        name=a.name,
        level=a.level,
        division_name=division.name,
        division_kind=division.kind,
        parent_division_name=division.parent.name if division.parent_id else "",
        founded_on=a.founded_on,
        dissolved_on=a.dissolved_on,
        supervisor_kind=a.supervisor_kind,
        supervisor_cyl_since=a.supervisor_cyl_since,
        is_registered=a.is_registered,
        registration_authority=a.registration_authority,
        registered_on=a.registered_on,
        uscc=a.uscc,
        secretariat_host=a.secretariat_host,
        secretariat_since=a.secretariat_since,
        staff_fulltime=a.staff_fulltime,
        fulltime_posts=a.fulltime_posts,
        annual_budget=a.annual_budget,
        has_office=a.has_office,
        officers=tuple(
            OfficerFact(o.role, o.name, o.is_cyl_leader, o.is_fulltime_cadre, o.term_start, o.term_end)
            for o in a.officers.all()
        ),
        systems={s.system: s.adopted_on for s in a.systems.all()},
        organisations=tuple(
            PeriodFact(o.kind, o.established_on, o.dissolved_on) for o in a.party_league_organisations.all()
        ),
        seats=tuple(PeriodFact(str(s.lower_id), s.joined_on, s.left_on) for s in a.seats.all()),
        expected_seat_members=expected,
        members=members,
        unit_members=units,
        townships=townships,
        teams=teams,
        township_share_threshold=settings.G13_TOWNSHIP_SHARE,
    )


def association_findings(queryset: QuerySet, *, as_of: date) -> dict[int, list[Finding]]:
    """体检 of every association in the queryset as of a date, keyed by association id."""
    return {facts.id: evaluate(facts, as_of) for facts in association_facts(queryset)}


def association_ids_with_status(queryset: QuerySet, *, status: Status, as_of: date) -> list[int]:
    return [
        pk for pk, findings in association_findings(queryset, as_of=as_of).items()
        if any(f.status == status for f in findings)
    ]


__all__ = ["association_facts", "association_findings", "association_ids_with_status", "overall"]
