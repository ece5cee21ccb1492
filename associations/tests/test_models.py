from datetime import date

import pytest
from django.core.exceptions import ValidationError
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from associations.models import Association, Officer, SeatMembership
from associations.services import association_register, serial_number_issue
from associations.validators import validate_uscc
from divisions.models import Division

from .factories import association, valid_uscc

pytestmark = pytest.mark.django_db


def test_valid_social_organisation_uscc_passes():
    validate_uscc(valid_uscc("150102"))


def test_uscc_with_wrong_check_character_is_refused_in_chinese():
    code = valid_uscc("150102")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError) as error:
        validate_uscc(wrong)
    assert error.value.messages == ["统一社会信用代码校验位不正确，请核对原件。"]


def test_uscc_of_wrong_length_names_the_length():
    with pytest.raises(ValidationError) as error:
        validate_uscc("51150102MJ00001")
    assert "应为 18 位，当前为 15 位" in error.value.messages[0]


def test_uscc_typed_in_full_width_lower_case_is_normalised():
    code = valid_uscc("150102")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    obj = association("150102", uscc=full_width)
    obj.full_clean()
    assert obj.uscc == code


def test_serial_number_is_derived_from_division_code_and_never_reused():
    division = Division.objects.get(code="150102")
    first = association("150102")
    assert first.serial_number == "150102-01"
    first.delete()

    again = association("150102")

    assert again.serial_number == "150102-02"
    assert serial_number_issue(division=division) == "150102-03"


def test_second_active_association_for_same_division_and_level_is_refused():
    association("150102")
    duplicate = Association(level="county", division=Division.objects.get(code="150102"), name="新城区志愿者协会")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean(exclude=["serial_number"])
    assert "该区划在该层级已有一个未注销的协会，不能重复登记。" in error.value.messages


def test_dissolved_association_leaves_room_for_a_new_one():
    association("150102", dissolved_on=date(2021, 1, 1))
    fresh = Association(level="county", division=Division.objects.get(code="150102"), name="新城区青年志愿者协会")
    fresh.full_clean(exclude=["serial_number"])


def test_county_association_must_sit_in_a_county_level_division():
    zone = Association(level="county", division=Division.objects.get(code="150172"), name="开发区青年志愿者协会")
    with pytest.raises(ValidationError) as error:
        zone.full_clean(exclude=["serial_number"])
    assert error.value.message_dict["division"] == [
        f"「{zone.division.name}」是开发区/管理区，不单独设立旗县级协会；园区的协会请选择层级“乡镇（街道）、社区、园区级”。"]
    park = Association(level="grassroots", grassroots_kind="park", division=zone.division, name="园区青年志愿者协会")
    park.full_clean(exclude=["serial_number"])

    league_as_county = Association(level="county", division=Division.objects.get(code="1501"), name="呼和浩特市青年志愿者协会")
    with pytest.raises(ValidationError) as error:
        league_as_county.full_clean(exclude=["serial_number"])
    assert error.value.message_dict["division"] == ["旗县级协会的所属区划应为旗县（市、区），「呼和浩特市」是地级市。"]


def test_dissolved_before_founded_is_refused():
    obj = Association(
        level="county",
        division=Division.objects.get(code="150102"),
        name="新城区青年志愿者协会",
        founded_on=date(2021, 3, 5),
        dissolved_on=date(2020, 3, 5),
    )
    with pytest.raises(ValidationError) as error:
        obj.full_clean(exclude=["serial_number"])
    assert error.value.message_dict["dissolved_on"] == ["注销日期不能早于成立日期。"]


def test_exists_on_reads_real_world_dates_and_is_unknown_without_them():
    obj = association("150102", founded_on=date(2021, 3, 5))
    assert obj.exists_on(date(2020, 12, 31)) is False
    assert obj.exists_on(date(2021, 12, 31)) is True
    obj.founded_on = None
    assert obj.exists_on(date(2021, 12, 31)) is None


def test_seat_member_must_be_next_level_within_the_upper_division():
    league = association("1501")
    own = association("150102")
    other = association("150402")
    SeatMembership(upper=league, lower=own).full_clean()
    with pytest.raises(ValidationError) as error:
        SeatMembership(upper=league, lower=other).full_clean()
    assert "不在「呼和浩特市」辖区内" in error.value.message_dict["lower"][0]


def test_bulk_writes_leave_history():
    obj = association("150102")
    officers = bulk_create_with_history(
        [Officer(association=obj, role="president", name="王志强"), Officer(association=obj, role="secretary_general", name="李敏")],
        Officer,
        default_change_reason="批量导入",
    )
    assert Officer.history.filter(history_type="+").count() == 2

    changed = list(Officer.objects.all())
    for officer in changed:
        officer.post = "团委书记"
    bulk_update_with_history(changed, Officer, ["post"], default_change_reason="批量修改")

    assert len(officers) == 2
    assert Officer.history.filter(history_type="~", history_change_reason="批量修改").count() == 2
    assert set(Officer.history.filter(history_type="~").values_list("post", flat=True)) == {"团委书记"}


def test_register_outside_scope_is_refused(make_staff):
    from accounts.roles import Role

    user = make_staff(Role.COUNTY_STAFF, "150102")
    outsider = Association(level="county", division=Division.objects.get(code="150103"), name="回民区青年志愿者协会")
    with pytest.raises(ValidationError) as error:
        association_register(association=outsider, user=user)
    assert error.value.message_dict["division"] == ["「回民区」不在您的管辖范围（新城区）内，不能在此保存或查看记录。"]
    assert not Association.objects.exists()


def test_founding_and_registration_cannot_lie_in_the_future():
    from datetime import timedelta

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from associations.tests.factories import association as make

    tomorrow = timezone.localdate() + timedelta(days=1)
    obj = make("150102")
    obj.founded_on, obj.registered_on = tomorrow, tomorrow
    with pytest.raises(ValidationError) as refused:
        obj.full_clean()
    errors = refused.value.message_dict
    assert errors["founded_on"] == [f"成立日期（{tomorrow:%Y-%m-%d}）晚于今天，已发生的事项不能填写将来的日期。"]
    assert "registered_on" in errors


# --- associations below county level and the county's 席位制 (N2.1, G13)
def test_township_community_and_park_associations_can_be_recorded_in_one_township():
    street = Division.objects.get(code="150102001")
    made = [association("150102001", name=name, grassroots_kind=kind)
            for name, kind in (("海拉尔东路街道青年志愿者协会", "township"), ("某社区青年志愿者协会", "community"))]
    assert [a.serial_number for a in made] == ["150102001-01", "150102001-02"]
    assert all(a.level == "grassroots" and a.division == street for a in made)
    kindless = Association(level="grassroots", division=street, name="x", serial_number="150102001-09")
    with pytest.raises(ValidationError) as error:
        kindless.full_clean()
    assert error.value.message_dict["grassroots_kind"] == ["乡镇（街道）、社区、园区级协会请选择基层协会类别。"]
    in_county = Association(level="grassroots", grassroots_kind="park", division=Division.objects.get(code="150102"),
                            name="园区青年志愿者协会", serial_number="150102-09")
    with pytest.raises(ValidationError) as error:
        in_county.full_clean()
    assert error.value.message_dict["division"] == [
        "乡镇（街道）、社区、园区级协会的所属区划应为其所在的乡镇（街道）或开发区/管理区，「新城区」是市辖区。"]


def test_a_county_association_takes_its_grassroots_associations_as_seats():
    from associations.rules import Status
    from checkup.facts import association_findings

    county = association("150102", founded_on=date(2019, 1, 1))
    seats = lambda day: [f for f in association_findings(Association.objects.filter(pk=county.pk), as_of=day)[county.pk]
                         if f.title == "下级协会全部作为席位会员"]
    assert seats(date(2024, 1, 1)) == []  # no township, community or park association: nothing to judge
    street = association("150102001", name="海拉尔东路街道青年志愿者协会", founded_on=date(2022, 5, 4))
    other_county = association("150103001", name="回民区某街道青年志愿者协会", founded_on=date(2022, 5, 4))
    [finding] = seats(date(2024, 1, 1))
    assert finding.status == Status.FAIL
    assert finding.reason == "以下乡镇（街道）、社区、园区协会尚未成为席位会员：海拉尔东路街道青年志愿者协会。"
    SeatMembership.objects.create(upper=county, lower=street, joined_on=date(2022, 6, 1))
    assert [f.status for f in seats(date(2024, 1, 1))] == [Status.PASS]
    assert seats(date(2022, 5, 1))[0].reason == "截至2022年5月1日辖区内尚无乡镇（街道）、社区、园区协会。"
    wrong = SeatMembership(upper=county, lower=other_county)
    with pytest.raises(ValidationError):
        wrong.full_clean()
    # a grassroots association is judged only on whether it exists
    findings = association_findings(Association.objects.filter(pk=street.pk), as_of=date(2024, 1, 1))[street.pk]
    assert [(f.clause, f.status) for f in findings] == [("N2.1", Status.PASS)]


def test_a_township_association_is_in_its_county_scope_only(make_staff):
    from accounts.roles import Role
    from accounts.scoping import scope_queryset

    street = association("150102001", name="海拉尔东路街道青年志愿者协会")
    seen = lambda role, code: list(scope_queryset(Association.objects.all(), make_staff(role, code)))
    assert seen(Role.COUNTY_STAFF, "150102") == [street]
    assert seen(Role.LEAGUE_STAFF, "1501") == [street]
    assert seen(Role.COUNTY_STAFF, "150103") == []
    assert seen(Role.LEAGUE_STAFF, "1502") == []
