"""What the 体检 and the metrics read of members and volunteers: plain facts, a fixed number of queries."""
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import Substr

from associations.rules import MemberFact, UnitMemberFact

from .models import IndividualMember, UnitMember, Volunteer, VolunteerStar
from .reference import CYL_MEMBER


def membership_facts(association_ids: list[int], as_of: date | None = None):
    """Individual and unit members of these associations (G6, G7): two queries, grouped by association id.

    Every membership is returned; the rules read joining and leaving dates against the as-of date."""
    members: dict[int, list[MemberFact]] = defaultdict(list)
    rows = IndividualMember.objects.filter(association_id__in=association_ids).values_list(
        "association_id", "volunteer__birth_date", "joined_on", "left_on", "review_status", "domains", "age_exception"
    )
    for association_id, birth, joined, left, status, domains, exception in rows.iterator(chunk_size=5000):
        members[association_id].append(
            MemberFact(birth, joined, left, status == IndividualMember.Review.APPROVED, tuple(domains or ()),
                       bool(exception.strip()))
        )
    units: dict[int, list[UnitMemberFact]] = defaultdict(list)
    for association_id, kind, joined, left, domains in UnitMember.objects.filter(
        association_id__in=association_ids
    ).values_list("association_id", "kind", "joined_on", "left_on", "domains"):
        units[association_id].append(UnitMemberFact(kind, joined, left, tuple(domains or ())))
    return members, units


def people_counts_by_county(as_of: date) -> dict[str, dict[str, Decimal]]:
    """Per county (the first six digits of the division code), in three GROUP BY queries: registered volunteers
    (and those without a registration date), League members among them, new volunteers and members this year and
    last year, members ever, confirmed stars."""
    year_start = date(as_of.year, 1, 1)
    last_year = (date(as_of.year - 1, 1, 1), date(as_of.year - 1, 12, 31))
    counts: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in Volunteer.objects.annotate(county=Substr("division__code", 1, 6)).values("county").annotate(
        registered=Count("pk", filter=Q(registered_on__lte=as_of)),
        undated=Count("pk", filter=Q(registered_on__isnull=True)),
        league=Count("pk", filter=Q(registered_on__lte=as_of, political_status=CYL_MEMBER)),
        new=Count("pk", filter=Q(registered_on__gte=year_start, registered_on__lte=as_of)),
        new_last=Count("pk", filter=Q(registered_on__range=last_year)),
    ):
        for key in ("registered", "undated", "league", "new", "new_last"):
            counts[row["county"]][key] += row[key]
    for row in IndividualMember.objects.annotate(county=Substr("association__division__code", 1, 6)).values(
        "county"
    ).annotate(new=Count("pk", filter=Q(joined_on__gte=year_start, joined_on__lte=as_of)),
               new_last=Count("pk", filter=Q(joined_on__range=last_year)), ever=Count("pk")):
        counts[row["county"]]["new"] += row["new"]
        counts[row["county"]]["new_last"] += row["new_last"]
        counts[row["county"]]["members_ever"] += row["ever"]
    for row in VolunteerStar.objects.filter(status=VolunteerStar.Status.CONFIRMED, confirmed_on__lte=as_of).annotate(
        county=Substr("volunteer__division__code", 1, 6)
    ).values("county").annotate(n=Count("pk")):
        counts[row["county"]]["stars"] += row["n"]
    return counts
