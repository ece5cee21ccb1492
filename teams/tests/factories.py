from datetime import date

from divisions.models import Division
from teams.models import Team

DIRECT_DOMAINS = ("emergency", "medical", "ecology", "large_events")


def team(code: str, *, host_kind: str = "township", founded_on: date | None = date(2021, 1, 1), **fields) -> Team:
    division = Division.objects.get(code=code)
    return Team.objects.create(name=fields.pop("name", f"{division.name}青年志愿服务队"), host_kind=host_kind,
                               division=division, founded_on=founded_on, **fields)


def full_coverage(county_code: str, *, founded_on: date = date(2021, 1, 1)) -> list[Team]:
    """A team in every township of the county and all four county-direct teams."""
    teams = [team(t.code, founded_on=founded_on) for t in Division.objects.townships().filter(parent__code=county_code)]
    for domain in DIRECT_DOMAINS:
        teams.append(team(county_code, host_kind="county_direct", county_direct_domain=domain,
                          name=f"直属{domain}服务队", founded_on=founded_on))
    return teams
