from collections import defaultdict
from dataclasses import replace
from datetime import date
from functools import reduce
from operator import or_

from django.db.models import Prefetch, Q, QuerySet

from .models import Association, Officer
from .rules import (
    AssociationFacts,
    Finding,
    InsuranceFact,
    insurance_since,
    LowerAssociationFact,
    MemberFact,
    OfficerFact,
    PeriodFact,
    ProjectFact,
    Status,
    SupervisionFact,
    TeamFact,
    TrainingFact,
    UnitMemberFact,
    evaluate,
    latest,
    overall,
)

NEXT_LEVEL = {"region": "league", "league": "county", "county": "grassroots"}


def association_facts(queryset: QuerySet, *, as_of: date | None = None) -> list[AssociationFacts]:
    """Plain facts for every association in ``queryset``, in a fixed number of queries whatever its size.

    With ``as_of``, the service records of that calendar year are summarised too (G11)."""
    associations = list(
        queryset.select_related("division__parent").prefetch_related(
            Prefetch("officers", queryset=Officer.objects.order_by("role", "-term_start")),
            "systems",
            "supervising_units",
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
    service = _service_facts([a.pk for a in associations], as_of)
    return [
        replace(
            _facts(
                a, tuple(lower_by_upper.get(a.pk, ())), tuple(members.get(a.pk, ())), tuple(units.get(a.pk, ())),
                tuple(townships.get(a.division.code, ())), tuple(teams.get(a.division.code, ())),
            ),
            projects=tuple(service["projects"].get(a.pk, ())),
            activity_count=service["activity_count"].get(a.pk, 0),
            key_date_activities=tuple(service["key_dates"].get(a.pk, ())),
            key_dates=service["windows"],
            trainings=tuple(service["trainings"].get(a.pk, ())),
            insurance=service["insurance"].get(a.pk, InsuranceFact(insurance_since(as_of))) if as_of else None,
        )
        for a in associations
    ]


def _service_facts(ids: list[int], as_of: date | None) -> dict:
    """Projects, activities, training and (for ``as_of``) insurance cover of these associations: five queries."""
    from django.db.models import Count, F

    from projects.models import Activity, KeyDate, Project, ServiceRecord
    from training.models import TrainingSession

    projects: dict[int, list[ProjectFact]] = defaultdict(list)
    for association_id, brand, regular, started, ended in Project.objects.filter(association_id__in=ids).values_list(
        "association_id", "brand", "regular", "started_on", "ended_on"
    ):
        projects[association_id].append(ProjectFact(brand, regular, started, ended))
    activity_count = dict(
        Activity.objects.filter(project__association_id__in=ids).values("project__association_id")
        .annotate(n=Count("pk")).values_list("project__association_id", "n")
    )
    key_dates: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for association_id, held_on, tag in Activity.objects.filter(
        project__association_id__in=ids, key_date__gt=""
    ).values_list("project__association_id", "held_on", "key_date"):
        key_dates[association_id].append((held_on, tag))
    trainings: dict[int, list[TrainingFact]] = defaultdict(list)
    for organiser_id, kind, started in TrainingSession.objects.filter(organiser_id__in=ids).order_by(
        "started_on"
    ).values_list("organiser_id", "kind", "started_on"):
        trainings[organiser_id].append(TrainingFact(kind, started))
    insurance: dict[int, InsuranceFact] = {}
    if as_of is not None:
        since = insurance_since(as_of)
        covered = Q(volunteer__insured_from__lte=F("served_on")) & (
            Q(volunteer__insured_until__isnull=True) | Q(volunteer__insured_until__gte=F("served_on"))
        )
        unrecorded = Q(volunteer__insured_from__isnull=True, volunteer__insured_until__isnull=True)
        risky, unmarked = Q(activity__may_endanger=True), Q(activity__may_endanger__isnull=True)
        rows = (
            ServiceRecord.objects.filter(association_id__in=ids, served_on__gte=since, served_on__lte=as_of)
            .values("association_id")
            .annotate(
                serving=Count("volunteer_id", distinct=True),
                at_risk=Count("volunteer_id", distinct=True, filter=risky),
                not_insured=Count("volunteer_id", distinct=True, filter=risky & ~covered),
                unrecorded=Count("volunteer_id", distinct=True, filter=risky & unrecorded),
                unmarked=Count("volunteer_id", distinct=True, filter=unmarked & ~covered),
            )
        )
        for row in rows:
            insurance[row["association_id"]] = InsuranceFact(
                since, row["serving"], row["at_risk"], row["not_insured"], row["unrecorded"], row["unmarked"]
            )
    return {"projects": projects, "activity_count": activity_count, "key_dates": key_dates, "trainings": trainings,
            "windows": KeyDate.windows(),
            "insurance": insurance}


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
        "association_id", "volunteer__birth_date", "joined_on", "left_on", "review_status", "domains", "age_exception"
    )
    for association_id, birth, joined, left, status, domains, exception in rows.iterator(chunk_size=5000):
        members[association_id].append(
            MemberFact(birth, joined, left, status == IndividualMember.Review.APPROVED, tuple(domains or ()),
                       bool(exception.strip()))
        )
    units: dict[int, list[UnitMemberFact]] = defaultdict(list)
    for association_id, kind, joined, left, domains in UnitMember.objects.filter(association_id__in=ids).values_list(
        "association_id", "kind", "joined_on", "left_on", "domains"
    ):
        units[association_id].append(UnitMemberFact(kind, joined, left, tuple(domains or ())))
    return members, units


def supervision_facts(units) -> tuple[SupervisionFact, ...]:
    """Supervising-unit rows (as the model orders them: by start date, an undated one first) as facts."""
    return tuple(SupervisionFact(u.kind, u.name, u.since, u.change_registered_on, u.change_document) for u in units)


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
        supervision=supervision_facts(a.supervising_units.all()),
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
        party_org_conditions=a.party_org_conditions,
        league_org_conditions=a.league_org_conditions,
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
    )


def association_findings(queryset: QuerySet, *, as_of: date) -> dict[int, list[Finding]]:
    """体检 of every association in the queryset as of a date, keyed by association id."""
    return {facts.id: evaluate(facts, as_of) for facts in association_facts(queryset, as_of=as_of)}


def association_ids_with_status(queryset: QuerySet, *, status: Status, as_of: date) -> list[int]:
    return [
        pk for pk, findings in association_findings(queryset, as_of=as_of).items()
        if status in latest(findings).values() or any(f.status == status for f in findings if f.is_current)
    ]


__all__ = ["association_facts", "association_findings", "association_ids_with_status", "overall"]
