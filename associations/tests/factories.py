from datetime import date

from stdnum.cn import uscc

from associations.models import Association
from associations.services import serial_number_issue
from divisions.models import Division


def valid_uscc(division_code: str, n: int = 1) -> str:
    base = f"51{division_code.ljust(6, '0')}MJ{n:07d}"
    return base + uscc.calc_check_digit(base)


def association(code: str, **overrides) -> Association:
    """A registered county (or league, region) association in the division with this code."""
    division = Division.objects.get(code=code)
    level = {"county": "county", "league": "league", "region": "region"}[division.level]
    values = dict(
        level=level,
        division=division,
        name=f"{division.name}青年志愿者协会",
        founded_on=date(2020, 6, 1),
        supervisor_kind=Association.SupervisorKind.CYL_COMMITTEE,
        supervisor_name=f"共青团{division.name}委员会",
        supervisor_cyl_since=date(2020, 6, 1),
    )
    values.update(overrides)
    obj = Association(**values)
    obj.serial_number = serial_number_issue(division=division)
    obj.save()
    return obj
