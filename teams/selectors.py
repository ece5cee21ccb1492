"""What the 体检 reads of teams (G13): plain facts, two queries."""
from collections import defaultdict

from django.db.models import Q

from associations.rules import TeamFact
from divisions.models import Division

from .models import Team


def team_facts(county_codes: list[str]):
    """Townships and teams of these counties, grouped by county code: ({county: [township code]},
    {county: [TeamFact]}). Teams hang off divisions, not associations, so this reads by county code."""
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
