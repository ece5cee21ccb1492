from datetime import date

from stdnum.cn import uscc

from associations.models import Association, SupervisingUnit
from associations.services import serial_number_issue
from divisions.models import Division


def valid_uscc(division_code: str, n: int = 1) -> str:
    base = f"51{division_code.ljust(6, '0')}MJ{n:07d}"
    return base + uscc.calc_check_digit(base)


def association(code: str, *, units=None, supervisor_kind=Association.SupervisorKind.CYL_COMMITTEE,
                supervisor_name=None, supervisor_cyl_since=date(2020, 6, 1), **overrides) -> Association:
    """A registered county (or league, region) association in the division with this code, supervised by the CYL
    committee since 2020-06-01 unless told otherwise: ``supervisor_*`` give one supervising unit (a kind other than
    the CYL committee holds from founding), ``units`` a whole history (dicts of SupervisingUnit fields)."""
    division = Division.objects.get(code=code)
    level = {"county": "county", "league": "league", "region": "region", "township": "grassroots"}[division.level]
    values = dict(
        level=level,
        division=division,
        name=f"{division.name}青年志愿者协会",
        founded_on=date(2020, 6, 1),
        grassroots_kind="township" if level == "grassroots" else "",
    )
    values.update(overrides)
    obj = Association(**values)
    obj.serial_number = serial_number_issue(division=division)
    obj.save()
    if units is None:
        cyl = supervisor_kind == Association.SupervisorKind.CYL_COMMITTEE
        name = supervisor_name if supervisor_name is not None else (f"共青团{division.name}委员会" if cyl else "")
        units = [dict(kind=supervisor_kind, name=name, since=supervisor_cyl_since if cyl else None)] if (
            supervisor_kind or name) else []
    for unit in units:
        SupervisingUnit.objects.create(association=obj, **unit)
    return obj
