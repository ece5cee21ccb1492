"""One spelling of a name: look-alike separators become ``·`` on forms, saves, bulk writes and imports."""
from datetime import date

import pytest

from common.names import normalise_name

VARIANTS = ["斯琴•高娃", "斯琴・高娃", "斯琴．高娃", "斯琴.高娃", "斯琴 · 高娃", "斯琴･高娃", "斯琴‧高娃", "斯琴·高娃"]


@pytest.mark.parametrize("typed", VARIANTS)
def test_every_look_alike_separator_becomes_the_middle_dot(typed):
    assert normalise_name(typed) == "斯琴·高娃"


def test_names_without_a_separator_and_mongolian_script_are_kept():
    assert normalise_name("  巴特尔  ") == "巴特尔"
    assert normalise_name("ᠪᠠᠲᠤ ᠡᠷᠳᠡᠨᠢ") == "ᠪᠠᠲᠤ ᠡᠷᠳᠡᠨᠢ"
    assert normalise_name("阿拉坦仓．巴雅尔") == "阿拉坦仓·巴雅尔"
    assert normalise_name("·") == "·" and normalise_name("") == "" and normalise_name(None) is None


@pytest.mark.django_db
def test_save_bulk_create_and_full_clean_store_the_middle_dot():
    from associations.models import Officer
    from associations.tests.factories import association
    from members.models import Volunteer
    from members.tests.factories import volunteer

    person = volunteer("150102", name="斯琴•高娃")
    assert Volunteer.objects.get(pk=person.pk).name == "斯琴·高娃"
    owner = association("150102")
    Officer.objects.bulk_create([Officer(association=owner, role="president", name="阿拉坦仓．巴雅尔")])
    assert Officer.objects.get().name == "阿拉坦仓·巴雅尔"
    officer = Officer(association=owner, role="secretary_general", name="巴特尔 ・额尔敦")
    officer.full_clean(exclude=["association"])
    assert officer.name == "巴特尔·额尔敦"


@pytest.mark.django_db
def test_a_member_sheet_with_the_standard_dot_matches_a_name_stored_with_a_bullet(make_staff):
    """The case from the field: registered as 斯琴•高娃, listed later as 斯琴·高娃."""
    from accounts.roles import Role
    from associations.tests.factories import association
    from common.excel import iter_sheet
    from common.tests.sheets import xlsx
    from members.importers import IndividualMemberImporter
    from members.models import IndividualMember, Volunteer
    from members.tests.factories import id_number, volunteer

    owner = association("150102")
    number = id_number("150102", date(1996, 4, 1))
    person = volunteer("150102", name="x")
    person.set_id_number(number)
    person.save()
    Volunteer.objects.filter(pk=person.pk).update(name="斯琴•高娃")  # stored before names were normalised
    user = make_staff(Role.COUNTY_STAFF, "150102")
    importer = IndividualMemberImporter(user)
    content = xlsx(importer.sheet_name, importer.headers, [{
        "协会统一编制序列号": owner.serial_number, "姓名": "斯琴·高娃", "身份证号码": number, "入会日期": "2022-05-04"}])
    headers, rows = iter_sheet(content, sheet_name=importer.sheet_name)
    report = IndividualMemberImporter(user).run(headers, rows, dry_run=False)
    assert report.ok, report.errors
    assert IndividualMember.objects.get().volunteer_id == person.pk


@pytest.mark.django_db
def test_the_data_migration_normalises_names_already_stored():
    from django.apps import apps

    from common.names import stored_names_normaliser
    from members.models import Volunteer
    from members.tests.factories import volunteer

    people = [volunteer("150102", name=f"人{i}") for i in range(3)]
    Volunteer.objects.filter(pk=people[0].pk).update(name="斯琴•高娃", guardian_name="乌云 . 其其格")
    Volunteer.objects.filter(pk=people[1].pk).update(name="巴特尔")
    stored_names_normaliser([("members", "Volunteer", ["name", "guardian_name"])])(apps, None)
    assert list(Volunteer.objects.order_by("pk").values_list("name", "guardian_name")) == [
        ("斯琴·高娃", "乌云·其其格"), ("巴特尔", ""), ("人2", "")]
