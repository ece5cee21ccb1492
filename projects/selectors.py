"""What the 体检 and the metrics read of projects, activities and service records: plain facts, set-based."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr

from associations.rules import InsuranceFact, ProjectFact, insurance_since

from .models import Activity, KeyDate, Project, ServiceRecord


@dataclass
class ProjectFacts:
    """Projects and service of a set of associations, keyed by association id."""

    projects: dict = field(default_factory=dict)  # id → [ProjectFact] (G15, G20)
    activity_count: dict = field(default_factory=dict)  # id → number of activities
    key_dates: dict = field(default_factory=dict)  # id → [(held on, key-date tag)] (G17)
    windows: dict = field(default_factory=dict)  # key-date tag → its window (KeyDate, data)
    insurance: dict = field(default_factory=dict)  # id → InsuranceFact over the year to the as-of date (G11)


def project_facts(association_ids: list[int], as_of: date | None = None) -> ProjectFacts:
    """Five queries; insurance cover only with an as-of date (it is judged over the year before it)."""
    facts = ProjectFacts(projects=defaultdict(list), key_dates=defaultdict(list), windows=KeyDate.windows())
    for association_id, brand, regular, started, ended in Project.objects.filter(
        association_id__in=association_ids
    ).values_list("association_id", "brand", "regular", "started_on", "ended_on"):
        facts.projects[association_id].append(ProjectFact(brand, regular, started, ended))
    facts.activity_count = dict(
        Activity.objects.filter(project__association_id__in=association_ids).values("project__association_id")
        .annotate(n=Count("pk")).values_list("project__association_id", "n")
    )
    for association_id, held_on, tag in Activity.objects.filter(
        project__association_id__in=association_ids, key_date__gt=""
    ).values_list("project__association_id", "held_on", "key_date"):
        facts.key_dates[association_id].append((held_on, tag))
    if as_of is not None:
        since = insurance_since(as_of)
        covered = Q(volunteer__insured_from__lte=F("served_on")) & (
            Q(volunteer__insured_until__isnull=True) | Q(volunteer__insured_until__gte=F("served_on"))
        )
        unrecorded = Q(volunteer__insured_from__isnull=True, volunteer__insured_until__isnull=True)
        risky, unmarked = Q(activity__may_endanger=True), Q(activity__may_endanger__isnull=True)
        rows = (
            ServiceRecord.objects.filter(association_id__in=association_ids, served_on__gte=since,
                                         served_on__lte=as_of)
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
            facts.insurance[row["association_id"]] = InsuranceFact(
                since, row["serving"], row["at_risk"], row["not_insured"], row["unrecorded"], row["unmarked"]
            )
    return facts


def hours_by_county(as_of: date) -> dict[str, dict[str, Decimal]]:
    """Per county (first six digits of the division code), one GROUP BY: confirmed hours this year to the date
    and last year, and how many service records were ever entered up to the date."""
    year_start = date(as_of.year, 1, 1)
    last_year = (date(as_of.year - 1, 1, 1), date(as_of.year - 1, 12, 31))
    counts: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    confirmed = Q(status=ServiceRecord.Status.CONFIRMED)
    for row in ServiceRecord.objects.annotate(county=Substr("association__division__code", 1, 6)).values(
        "county"
    ).annotate(
        hours_now=Sum("hours", filter=confirmed & Q(served_on__gte=year_start, served_on__lte=as_of)),
        hours_last=Sum("hours", filter=confirmed & Q(served_on__range=last_year)),
        ever=Count("pk", filter=Q(served_on__lte=as_of)),
    ):
        counts[row["county"]]["hours"] += row["hours_now"] or Decimal("0")
        counts[row["county"]]["hours_last"] += row["hours_last"] or Decimal("0")
        counts[row["county"]]["records_ever"] += row["ever"]
    return counts
