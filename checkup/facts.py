"""The 体检 as one capability: each domain app's ``selectors`` reads its own facts in a fixed number of queries,
``associations.rules`` judges them, and everything above (admin, API, exports, ``reports``) asks here.

Layering: this module may import the domain apps' selectors; the domain apps' models, selectors and rules never
import it, and ``reports`` imports it instead of any domain model (``checkup/tests/test_layering.py``)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from django.db.models import QuerySet

from associations.rules import (
    AssociationFacts,
    Finding,
    InsuranceFact,
    Status,
    evaluate,
    insurance_since,
    latest,
    worst,
)
from associations.selectors import (
    associations_by_ids,
    county_associations_in_force,
    county_associations_of,
    league_associations_in_force,
    ledger_facts,
)
from members.selectors import membership_facts, people_counts_by_county
from projects.selectors import hours_by_county, project_facts
from teams.selectors import team_facts
from training.selectors import training_facts

__all__ = [
    "CountyCheckup", "association_facts", "association_findings", "association_ids_with_status", "county_checkups",
    "county_findings", "findings_by_id", "hours_by_county", "league_seat_findings", "people_counts_by_county",
]


def association_facts(queryset: QuerySet, *, as_of: date | None = None) -> list[AssociationFacts]:
    """Every fact the rules need for the associations in ``queryset``: the ledger's own, then members, teams,
    projects and training from their apps; a fixed number of queries whatever the size of the queryset."""
    ledger = ledger_facts(queryset)
    ids = [f.id for f in ledger]
    members, units = membership_facts(ids, as_of)
    county_codes = sorted({f.division_code for f in ledger if f.level == "county"})
    townships, teams = team_facts(county_codes)
    service = project_facts(ids, as_of)
    trainings = training_facts(ids, as_of)
    return [
        replace(
            f,
            members=tuple(members.get(f.id, ())),
            unit_members=tuple(units.get(f.id, ())),
            townships=tuple(townships.get(f.division_code, ())),
            teams=tuple(teams.get(f.division_code, ())),
            projects=tuple(service.projects.get(f.id, ())),
            activity_count=service.activity_count.get(f.id, 0),
            key_date_activities=tuple(service.key_dates.get(f.id, ())),
            key_dates=service.windows,
            trainings=tuple(trainings.get(f.id, ())),
            insurance=service.insurance.get(f.id, InsuranceFact(insurance_since(as_of))) if as_of else None,
        )
        for f in ledger
    ]


def association_findings(queryset: QuerySet, *, as_of: date) -> dict[int, list[Finding]]:
    """体检 of every association in the queryset as of a date, keyed by association id."""
    return {facts.id: evaluate(facts, as_of) for facts in association_facts(queryset, as_of=as_of)}


def findings_by_id(ids, *, as_of: date) -> dict[int, list[Finding]]:
    return association_findings(associations_by_ids(ids), as_of=as_of)


def association_ids_with_status(queryset: QuerySet, *, status: Status, as_of: date) -> list[int]:
    """The associations whose 体检 has a finding of ``status``: the latest reading of each clause, or any
    current-year finding."""
    return [
        pk for pk, findings in association_findings(queryset, as_of=as_of).items()
        if status in latest(findings).values() or any(f.status == status for f in findings if f.is_current)
    ]


def county_findings(code: str, as_of: date) -> list[tuple[object, list[Finding]]]:
    """The county associations recorded in one county division, oldest first, each with its 体检."""
    associations = list(county_associations_of(code))
    findings = findings_by_id([a.pk for a in associations], as_of=as_of)
    return [(a, findings.get(a.pk, [])) for a in associations]


@dataclass
class CountyCheckup:
    """One county as of a date: whether it had an association, whether that counts for coverage, and its 体检."""

    exists: bool | None = False  # an association in force; None: a founding date is missing
    covered: bool | None = False  # counts for T1/T2 (N2.1)
    association_id: int | None = None
    statuses: dict[str, Status] = field(default_factory=dict)  # clause → latest reading (rules.latest)
    clauses: dict[str, str] = field(default_factory=dict)  # clause → this year's finding (the worst of several)
    last_year: dict[str, str] = field(default_factory=dict)  # yearly duties: clause → last full year's finding


def county_checkups(as_of: date) -> dict[str, CountyCheckup]:
    """{county code: CountyCheckup} for every county with an association recorded (counties without one are
    absent); a fixed number of queries for the whole region."""
    checkups: dict[str, CountyCheckup] = {}
    judged: dict[str, int] = {}
    for code, (exists, pk, covered) in county_associations_in_force(as_of).items():
        checkups[code] = CountyCheckup(exists, covered, pk)
        if pk is not None:
            judged[code] = pk
    findings = findings_by_id(judged.values(), as_of=as_of)
    for code, pk in judged.items():
        checkup, found = checkups[code], findings.get(pk, [])
        checkup.statuses = latest(found)
        for target, current in ((checkup.clauses, True), (checkup.last_year, False)):
            for clause in dict.fromkeys(f.clause for f in found if f.is_current == current):
                target[clause] = worst(f.status for f in found if f.clause == clause and f.is_current == current).value
    return checkups


def league_seat_findings(as_of: date) -> dict[str, Status]:
    """N2.1 席位制 for every league with an association recorded: {league code: status}. An undated association
    (and no dated one in force) reads 待补充."""
    leagues = league_associations_in_force(as_of)
    findings = findings_by_id([pk for _, pk in leagues.values() if pk], as_of=as_of)
    result = {}
    for code, (state, pk) in leagues.items():
        if not state:
            result[code] = Status.UNKNOWN
            continue
        seat = next((f for f in findings.get(pk, []) if f.clause == "N2.1" and f.title != "协会已成立"), None)
        result[code] = seat.status if seat else Status.UNKNOWN
    return result
