"""The volunteer registry: ID validation, age rules, encryption, masking, logged unmasking, scope."""
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from associations.models import Association
from associations.tests.factories import association
from divisions.models import Division
from members.models import IndividualMember, PersonalDataAccess, Volunteer
from members.services import (
    personal_data_reveal,
    volunteer_find_by_id_number,
    volunteer_register,
)
from members.validators import validate_id_number

from .factories import id_number, volunteer

pytestmark = pytest.mark.django_db


# --- ID numbers
def test_valid_id_number_is_normalised():
    number = id_number("150102", date(1999, 12, 31))
    assert validate_id_number(" " + number.lower().replace("x", "ｘ") + " ") == number


def _with_check_character(first17: str) -> str:
    from stdnum.cn import ric

    return first17 + ric.calc_check_digit(first17 + "0")


@pytest.mark.parametrize(
    "number,message",
    [
        (_with_check_character("15010219990230123"), "身份证号码中的出生日期不存在。"),
        ("150102990101123", "15 位身份证号码已停止使用，请填写 18 位号码。"),
        ("1501021999", "身份证号码应为 18 位，当前为 10 位。"),
        ("15010219990101123Y", "身份证号码前 17 位应为数字，最后一位为数字或 X。"),
    ],
)
def test_invalid_id_numbers_are_refused_in_chinese(number, message):
    with pytest.raises(ValidationError) as error:
        validate_id_number(number)
    assert error.value.messages == [message]


def test_wrong_check_character_is_refused():
    number = id_number("150102", date(1999, 1, 1), seq=3)
    wrong = number[:17] + ("1" if number[17] != "1" else "2")
    with pytest.raises(ValidationError) as error:
        validate_id_number(wrong)
    assert error.value.messages == ["身份证号码校验位不正确，请核对证件。"]


def test_area_codes_stdnum_does_not_know_are_accepted_when_they_are_real():
    # 康巴什区 (150603) was created in 2016; python-stdnum's list does not have it.
    assert validate_id_number(id_number("150603", date(2008, 5, 1)))
    with pytest.raises(ValidationError) as error:
        validate_id_number(id_number("990101", date(2000, 1, 1)))
    assert error.value.messages == ["身份证号码的地区码不存在。"]


def test_birth_date_and_sex_are_derived():
    person = volunteer(birth=date(2001, 7, 1))
    assert person.birth_date == date(2001, 7, 1)
    assert person.sex in ("male", "female")


# --- encryption, hash, masking
def test_database_holds_only_ciphertext_and_a_keyed_hash():
    number = id_number("150102", date(2000, 3, 5))
    person = volunteer(phone="13812341234")
    person.set_id_number(number)
    person.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_encrypted, id_number_hash, phone_encrypted FROM members_volunteer")
        row = cursor.fetchone()
    assert number not in "".join(row) and "13812341234" not in "".join(row)
    assert person.id_number_masked == number[:4] + "*" * 10 + number[-4:]
    assert person.phone_masked == "138****1234"
    historical = Volunteer.history.filter(id=person.pk).values_list("id_number_encrypted", flat=True)
    assert all(number not in value for value in historical)


def test_values_are_sealed_with_gcm_and_earlier_fernet_tokens_still_open(settings):
    from cryptography.fernet import Fernet, InvalidToken

    from members import personal_data

    token = personal_data.encrypt("15010220000305001X")
    assert token.startswith("g1:") and "15010220000305001X" not in token
    assert personal_data.encrypt("15010220000305001X") != token  # a fresh nonce for every value
    assert personal_data.decrypt(token) == "15010220000305001X"
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(InvalidToken):
        personal_data.decrypt(tampered)  # authenticated: a changed byte is refused, not misread

    legacy = Fernet(settings.PERSONAL_DATA_KEYS[0]).encrypt(b"13812341234").decode()
    assert personal_data.decrypt(legacy) == "13812341234"

    # Rotation: a new key in front seals new values; what the old key sealed still opens.
    settings.PERSONAL_DATA_KEYS = [Fernet.generate_key().decode(), *settings.PERSONAL_DATA_KEYS]
    assert personal_data.decrypt(token) == "15010220000305001X"
    assert personal_data.decrypt(legacy) == "13812341234"
    settings.PERSONAL_DATA_KEYS = settings.PERSONAL_DATA_KEYS[:1]
    with pytest.raises(InvalidToken):
        personal_data.decrypt(token)  # the old key is gone: nothing opens it


def test_duplicate_person_is_found_through_the_hash(make_staff):
    user = make_staff(Role.COUNTY_STAFF, "150102")
    number = id_number("150102", date(2000, 3, 5))
    first = volunteer_register(user=user, volunteer=Volunteer(name="王敏", division=Division.objects.get(code="150102"),
                                                              registered_on=date(2022, 1, 1)), id_number=number)
    assert volunteer_find_by_id_number(number.lower()) == first
    with pytest.raises(ValidationError) as error:
        volunteer_register(user=user, volunteer=Volunteer(name="王敏", division=Division.objects.get(code="150102"),
                                                          registered_on=date(2022, 1, 1)), id_number=number)
    assert "已在平台登记为志愿者，不能重复登记" in error.value.message_dict["id_number"][0]
    assert Volunteer.objects.count() == 1


# --- age rules
def test_under_fourteen_is_refused(make_staff):
    user = make_staff(Role.COUNTY_STAFF, "150102")
    child = Volunteer(name="小明", division=Division.objects.get(code="150102"), registered_on=date(2022, 1, 1))
    with pytest.raises(ValidationError) as error:
        volunteer_register(user=user, volunteer=child, id_number=id_number("150102", date(2008, 6, 1)))
    assert error.value.message_dict["registered_on"] == ["注册时未满 14 周岁（13 岁），不能注册为志愿者。"]


def test_fourteen_to_seventeen_needs_guardian_consent(make_staff):
    user = make_staff(Role.COUNTY_STAFF, "150102")
    teen = Volunteer(name="小红", division=Division.objects.get(code="150102"), registered_on=date(2022, 1, 1))
    number = id_number("150102", date(2006, 6, 1))
    with pytest.raises(ValidationError) as error:
        volunteer_register(user=user, volunteer=teen, id_number=number)
    assert error.value.message_dict["guardian_name"] == [
        "注册时 15 岁，未满 18 周岁，须有监护人同意记录，请填写：监护人姓名、与监护人关系、监护人同意日期、同意方式。"
    ]
    teen.guardian_name, teen.guardian_relation = "李红", "母亲"
    teen.guardian_consent_on, teen.guardian_consent_method = date(2021, 12, 20), "written"
    assert volunteer_register(user=user, volunteer=teen, id_number=number).pk


# --- membership ages (G6)
@pytest.mark.parametrize("age,accepted", [(13, False), (14, True), (45, True), (46, False)])
def test_member_joining_age_outside_fourteen_to_forty_five_needs_a_reason(age, accepted):
    assoc = association("150102", founded_on=date(1999, 1, 1))
    person = volunteer(birth=date(2000 - age, 1, 1), registered_on=date(2000 - age + 14, 6, 1),
                       guardian_name="家长", guardian_relation="父亲", guardian_consent_on=date(1990, 1, 1),
                       guardian_consent_method="written")
    membership = IndividualMember(association=assoc, volunteer=person, joined_on=date(2000, 6, 1))
    if accepted:
        membership.full_clean()
        return
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    if age < 14:  # impossible: a member is a registered volunteer, and registration starts at 14
        assert error.value.message_dict["joined_on"] == [
            "入会时未满 14 周岁（13 岁）：个人会员须为注册志愿者，注册志愿者应年满 14 周岁。"]
        membership.age_exception = "特殊情况"
        with pytest.raises(ValidationError):
            membership.full_clean()
        return
    assert error.value.message_dict["age_exception"] == [
        f"入会时 {age} 岁，不在 14–45 岁之间（指引第 6 条：原则上）；确需吸收的，请填写年龄例外说明。"]
    # 原则上 14–45: with its reason the member is recorded, and the 体检 reports it as advice
    membership.age_exception = "旗县级优秀志愿者，长期从事助残服务，经理事会同意吸收"
    membership.full_clean()
    membership.review_status = IndividualMember.Review.APPROVED
    membership.save()
    from associations.rules import Status
    from checkup.facts import association_findings
    g6 = next(f for f in association_findings(Association.objects.filter(pk=assoc.pk), as_of=date(2000, 7, 1))[assoc.pk]
              if f.clause == "G6")
    assert g6.status == Status.ADVICE
    assert g6.reason == "1 名在册个人会员中有 1 名入会时年龄不在 14–45 岁之间（原则上应在 14–45 岁，其中 1 名已记录例外理由）。"


# --- masking and logged unmasking in the admin
def test_user_without_permission_sees_only_masked_values(client, make_staff):
    person = volunteer(phone="13812341234")
    number = personal_data_number(person)
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    page = client.get(reverse("admin:members_volunteer_change", args=[person.pk])).content.decode()
    assert person.id_number_masked in page and "138****1234" in page
    assert number not in page and "13812341234" not in page
    assert client.get(reverse("admin:members_volunteer_reveal", args=[person.pk])).status_code == 403
    assert client.post(reverse("admin:members_volunteer_reveal", args=[person.pk]), {"purpose": "核对"}).status_code == 403
    assert not PersonalDataAccess.objects.exists()


def personal_data_number(person):
    from members import personal_data

    return personal_data.decrypt(person.id_number_encrypted)


def test_user_with_permission_unmasks_and_the_access_is_logged(client, make_staff):
    person = volunteer(phone="13812341234")
    viewer = make_staff(Role.LEAGUE_STAFF, "1501")
    client.force_login(viewer)
    url = reverse("admin:members_volunteer_reveal", args=[person.pk])
    assert "查看事由" in client.get(url).content.decode()
    assert not PersonalDataAccess.objects.exists()

    page = client.post(url, {"purpose": "核对保险信息"}).content.decode()

    assert personal_data_number(person) in page and "13812341234" in page
    log = PersonalDataAccess.objects.get()
    assert (log.user, log.volunteer, log.purpose) == (viewer, person, "核对保险信息")
    assert log.subject == str(person)


def test_unmasking_requires_a_purpose(client, make_staff):
    person = volunteer()
    client.force_login(make_staff(Role.LEAGUE_STAFF, "1501"))
    page = client.post(reverse("admin:members_volunteer_reveal", args=[person.pk]), {"purpose": " "}).content.decode()
    assert "请填写查看事由。" in page and personal_data_number(person) not in page
    assert not PersonalDataAccess.objects.exists()


def test_unmasking_outside_scope_is_refused(client, make_staff):
    person = volunteer("150402")
    viewer = make_staff(Role.LEAGUE_STAFF, "1501")
    client.force_login(viewer)
    assert client.post(reverse("admin:members_volunteer_reveal", args=[person.pk]), {"purpose": "x"}).status_code == 404
    with pytest.raises(PermissionDenied):
        personal_data_reveal(user=viewer, volunteer=person)
    assert not PersonalDataAccess.objects.exists()


# --- admin: add, search, scope, query counts
def _add_data(division, number, **extra):
    return {"name": "王敏", "division": division.pk, "id_number": number, "phone": "", "registered_on": "2022-01-01",
            **extra}


def test_admin_add_encrypts_and_refuses_a_duplicate_person(client, make_staff):
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    division = Division.objects.get(code="150102")
    number = id_number("150102", date(1998, 2, 3))
    response = client.post(reverse("admin:members_volunteer_add"), _add_data(division, number, phone="13912345678"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    saved = Volunteer.objects.get()
    assert saved.birth_date == date(1998, 2, 3) and saved.phone_masked == "139****5678"

    again = client.post(reverse("admin:members_volunteer_add"), _add_data(division, number.lower()))
    assert again.context["adminform"].form.errors["id_number"] == [
        "该身份证号码已在平台登记为志愿者，不能重复登记；如需转入本地，请联系上级团委。"
    ]
    assert Volunteer.objects.count() == 1


def test_admin_search_by_id_number_phone_and_name_prefix(client, make_staff):
    a = volunteer(name="巴图", phone="13812341234")
    b = volunteer(name="王巴图")
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    url = reverse("admin:members_volunteer_changelist")

    def found(q):
        return {v.pk for v in client.get(url, {"q": q}).context["cl"].result_list}

    assert found(personal_data_number(b)) == {b.pk}
    assert found("138 1234 1234") == {a.pk}
    assert found("巴图") == {a.pk}
    assert found("王") == {b.pk}
    c = volunteer(name="斯琴·高娃")
    assert found("斯琴•高娃") == found("斯琴．高娃") == found("斯琴 . 高娃") == {c.pk}  # typed with a look-alike dot


def test_volunteers_outside_scope_are_invisible(client, make_staff):
    own, other = volunteer("150102"), volunteer("150402")
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    listed = {v.pk for v in client.get(reverse("admin:members_volunteer_changelist")).context["cl"].result_list}
    assert listed == {own.pk}
    assert client.get(reverse("admin:members_volunteer_change", args=[other.pk])).status_code == 404
    assert client.get(reverse("admin:members_volunteer_history", args=[other.pk])).status_code == 404
    found = client.get(reverse("admin:autocomplete"), {"app_label": "members", "model_name": "individualmember",
                                                        "field_name": "volunteer", "term": "王"}).json()["results"]
    assert [r["id"] for r in found] == [str(own.pk)]


@pytest.mark.parametrize("url_name", ["admin:members_volunteer_changelist", "admin:members_individualmember_changelist"])
def test_member_lists_cost_the_same_queries_for_one_or_many(client, make_staff, url_name):
    from .factories import member

    assoc = association("150102")
    member(assoc)
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    client.get(reverse(url_name))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse(url_name))
    for _ in range(6):
        member(assoc)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse(url_name))
    assert len(response.context["cl"].result_list) == 7
    assert len(many) == len(one)
