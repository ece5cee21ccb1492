from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.scoping import assert_in_scope, code_in_scope

from . import personal_data
from .models import UNMASK_PERMISSION, PersonalDataAccess, Volunteer

DUPLICATE_PERSON_MESSAGE = "该身份证号码已在平台登记为志愿者，不能重复登记；如需转入本地，请联系上级团委。"


def volunteer_find_by_id_number(number: str) -> Volunteer | None:
    from .validators import normalise_id_number

    return Volunteer.objects.filter(id_number_hash=personal_data.keyed_hash(normalise_id_number(number))).first()


@transaction.atomic
def volunteer_register(*, user, volunteer: Volunteer, id_number: str, phone: str = "") -> Volunteer:
    """Register a person once: validated ID, unique by its keyed hash, inside the user's scope."""
    try:
        volunteer.set_id_number(id_number)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from None
    if Volunteer.objects.filter(id_number_hash=volunteer.id_number_hash).exclude(pk=volunteer.pk).exists():
        raise ValidationError({"id_number": DUPLICATE_PERSON_MESSAGE})
    try:
        volunteer.set_phone(phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from None
    assert_in_scope(user, volunteer, field="division")
    volunteer.full_clean()
    volunteer.save()
    return volunteer


def personal_data_reveal(*, user, volunteer: Volunteer, purpose: str = "", ip_address: str | None = None) -> dict:
    """The plain ID number and phone, for a user holding the permission and the volunteer in scope; logged."""
    if not user.has_perm(UNMASK_PERMISSION):
        raise PermissionDenied("您没有查看完整个人信息的权限。")
    if not code_in_scope(user, volunteer.division.code):
        raise PermissionDenied("该志愿者不在您的管辖范围内。")
    PersonalDataAccess.objects.create(
        user=user,
        volunteer=volunteer,
        subject=str(volunteer),
        fields="身份证号码、手机号码",
        purpose=purpose[:200],
        ip_address=ip_address,
    )
    return {
        "id_number": personal_data.decrypt(volunteer.id_number_encrypted),
        "phone": personal_data.decrypt(volunteer.phone_encrypted),
    }
