"""What the ledger itself says for the 体检: plain facts over associations, set-based. ``checkup.facts`` adds
what the other apps hold and applies the rules."""
from collections import defaultdict
from datetime import date
from functools import reduce
from operator import or_

from django.db.models import F, Prefetch, Q, QuerySet

from .models import Association, Officer, SupervisingUnit
from .rules import (
    AssociationFacts,
    LowerAssociationFact,
    OfficerFact,
    PeriodFact,
    SupervisionFact,
    counts_for_coverage,
    in_force_on,
)

NEXT_LEVEL = {"region": "league", "league": "county", "county": "grassroots"}


def ledger_facts(queryset: QuerySet) -> list[AssociationFacts]:
    """The ledger's own facts for every association in ``queryset`` (officers, systems, supervising units, Party
    and League organisations, seats and the lower-level associations it should seat), in seven queries whatever
    its size. Members, teams, projects and training are added by ``checkup.facts`` from their own apps."""
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
    return [_facts(a, tuple(lower_by_upper.get(a.pk, ()))) for a in associations]


def supervision_facts(units) -> tuple[SupervisionFact, ...]:
    """Supervising-unit rows (as the model orders them: by start date, an undated one first) as facts."""
    return tuple(SupervisionFact(u.kind, u.name, u.since, u.change_registered_on, u.change_document) for u in units)


def _facts(a: Association, expected: tuple[LowerAssociationFact, ...]) -> AssociationFacts:
    division = a.division
    return AssociationFacts(
        id=a.pk,
        name=a.name,
        level=a.level,
        division_name=division.name,
        division_kind=division.kind,
        parent_division_name=division.parent.name if division.parent_id else "",
        division_code=division.code,
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
    )


def associations_by_ids(ids) -> QuerySet:
    return Association.objects.filter(pk__in=list(ids))


def county_associations_of(code: str) -> QuerySet:
    """The county associations recorded in one county division, oldest first."""
    return Association.objects.filter(division__code=code, level="county").order_by("founded_on", "pk")


def county_associations_in_force(as_of: date) -> dict[str, tuple[bool | None, int | None, bool | None]]:
    """Every county association in the ledger, read for the date: {county code: (in force, the one judged,
    counts for coverage)}. In force is None when only undated associations could be; where a successor was
    founded before its predecessor was dissolved, the one founded last is judged (N2.1). Two queries."""
    result: dict[str, tuple[bool | None, int | None, bool | None]] = {}
    rows = Association.objects.filter(level="county").values_list(
        "pk", "division__code", "founded_on", "dissolved_on", "name"
    ).order_by(F("founded_on").desc(nulls_last=True), "-pk")
    units: dict[int, list] = defaultdict(list)
    for unit in SupervisingUnit.objects.filter(association__level="county").order_by(
            "association_id", F("since").asc(nulls_first=True), "pk"):
        units[unit.association_id].append(unit)
    for pk, code, founded, dissolved, name in rows:
        if result.get(code, (False,))[0] is True:
            continue  # the latest founded in force is already judged
        state = in_force_on(founded, dissolved, as_of)
        if state:
            result[code] = (True, pk, counts_for_coverage(name, supervision_facts(units.get(pk, ())), as_of))
        elif state is None:
            result[code] = (None, None, None)
    return result


def league_associations_in_force(as_of: date) -> dict[str, tuple[bool | None, int | None]]:
    """{league code: (in force, its association)} for the league associations of the ledger; one query."""
    result: dict[str, tuple[bool | None, int | None]] = {}
    for pk, code, founded, dissolved in Association.objects.filter(level="league").values_list(
        "pk", "division__code", "founded_on", "dissolved_on"
    ):
        state = in_force_on(founded, dissolved, as_of)
        if state:
            result[code] = (True, pk)
        elif state is None and code not in result:
            result[code] = (None, None)
    return result
