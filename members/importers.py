"""Volunteers through Excel on the batch engine: the registry at provincial scale."""
from django.core.exceptions import ValidationError

from associations.validators import normalise_uscc, validate_uscc
from common.imports import ON_EXISTING_SKIP, ON_EXISTING_UPDATE, ChoiceWidget, DateWidget, NameWidget, TextWidget
from common.lookups import DivisionWidget
from common.names import normalise_name
from common.pg_copy import values_by_key
from common.tabular import Column, DomainsWidget, InstanceFactory, RowProblems, TableImporter

from . import personal_data
from .models import IndividualMember, UnitMember, Volunteer
from .reference import ETHNIC_GROUPS, POLITICAL_STATUS, SERVICE_DOMAINS
from .validators import validate_id_number, validate_phone

DIVISION_CODE = "区划代码"
SHEET_NAME = "注册志愿者"


class CodeChoiceWidget(ChoiceWidget):
    """A GB code list (民族 02, 政治面貌 03): a number typed into Excel as 2 still means 02."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, int):
            value = f"{value:02d}"
        return super().clean(value, row=row, **kwargs)


class IdNumberWidget(TextWidget):
    pure = False  # one number per person: nothing to gain from remembering cells

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, int) and len(str(value)) >= 16:
            raise ValueError("身份证号码被 Excel 存成了数字，后几位已经丢失；请把该列设为“文本”后重新填写。")
        try:
            return validate_id_number(super().clean(value))
        except ValidationError as error:
            raise ValueError(error.messages[0]) from None


class PhoneWidget(TextWidget):
    pure = False

    def clean(self, value, row=None, **kwargs):
        try:
            return validate_phone(super().clean(value))
        except ValidationError as error:
            raise ValueError(error.messages[0]) from None


class VolunteerImporter(TableImporter):
    model = Volunteer
    sheet_name = SHEET_NAME
    batch_size = 5000
    insert_without_ids = True
    existing_choice = True

    def __init__(self, user, *, reveal: bool = False, **options):
        super().__init__(user, **options)
        self.division_widget = DivisionWidget(("county", "township"))
        self.reveal = reveal  # exports: full numbers only for a user allowed (and logged by the caller)
        self.columns = (
            Column("姓名", "name", NameWidget(), required=True),
            Column("身份证号码", "id_number", IdNumberWidget(), required=True, export=self._export_id),
            Column(DIVISION_CODE, "division_code", TextWidget(), export=lambda v: v.division.gb_code),
            Column("所属区划", "division", self.division_widget, required=True, blank_ok=True,
                   export=lambda v: v.division.name),
            Column("民族", "ethnicity", CodeChoiceWidget(ETHNIC_GROUPS)),
            Column("政治面貌", "political_status", CodeChoiceWidget(POLITICAL_STATUS)),
            Column("手机号码", "phone", PhoneWidget(), export=self._export_phone),
            Column("技能特长/专业领域", "skills"),
            Column("全国志愿服务信息系统编号", "volunteer_number"),
            Column("注册日期", "registered_on", DateWidget()),
            Column("监护人姓名", "guardian_name", NameWidget()),
            Column("与监护人关系", "guardian_relation"),
            Column("监护人同意日期", "guardian_consent_on", DateWidget()),
            Column("同意方式", "guardian_consent_method", ChoiceWidget(Volunteer.ConsentMethod.choices)),
            Column("保险公司", "insurer"),
            Column("保单号", "insurance_policy"),
            Column("保险起始日期", "insured_from", DateWidget()),
            Column("保险截止日期", "insured_until", DateWidget()),
        )

    def _export_id(self, volunteer):
        return personal_data.decrypt(volunteer.id_number_encrypted) if self.reveal else volunteer.id_number_masked

    def _export_phone(self, volunteer):
        return personal_data.decrypt(volunteer.phone_encrypted) if self.reveal else volunteer.phone_masked

    def prepare(self):
        self.division_widget.load(self.user)
        self.seen: dict[str, int] = {}
        self.new_volunteer = InstanceFactory(Volunteer)

    @property
    def update_fields(self) -> list[str]:
        return [*super().update_fields, "phone_encrypted", "phone_hash", "phone_masked"]

    def build(self, values, problems: RowProblems, row_number):
        if "姓名" in problems or "身份证号码" in problems or "所属区划" in problems or "id_number" not in values:
            return None
        volunteer = self.new_volunteer(values)  # with its division
        # The columns' widgets validated both numbers.
        volunteer.set_id_number(values["id_number"], validated=True)
        if values.get("phone"):
            volunteer.set_phone(values["phone"], validated=True)
        volunteer._provided = values.keys()
        if self.on_existing != ON_EXISTING_UPDATE:  # otherwise once the row is merged with a stored record
            self._clean(volunteer, problems)
        return volunteer

    def _clean(self, volunteer, problems):
        try:
            volunteer.clean()
        except ValidationError as error:
            self.add_validation_error(problems, error)

    def lookup_batch(self, batch):
        """Which of the batch's people are registered already; to update them, those in the user's scope."""
        registered = {digest for digest, in values_by_key(Volunteer, "id_number_hash",
                                                          {v.id_number_hash for _, v, _ in batch})}
        stored = {}
        if registered and self.on_existing == ON_EXISTING_UPDATE:
            stored = people_in_scope(self.user, registered)
        return registered, stored

    def check_batch(self, batch, found=None):
        registered, stored = found
        for number, volunteer, problems in batch:
            earlier = self.seen.get(volunteer.id_number_hash)
            if earlier is not None:
                problems.add("身份证号码", f"与第 {earlier} 行是同一人（身份证号码相同）。")
                continue
            self.seen[volunteer.id_number_hash] = number
            if volunteer.id_number_hash not in registered:
                if self.on_existing == ON_EXISTING_UPDATE:
                    self._clean(volunteer, problems)
            elif self.on_existing == ON_EXISTING_SKIP:
                self.skip(volunteer)
            elif self.on_existing != ON_EXISTING_UPDATE:
                problems.add("身份证号码", "该身份证号码已在平台登记为志愿者，不能重复登记。")
            elif volunteer.id_number_hash not in stored:
                problems.add("身份证号码", "该身份证号码已在平台登记为志愿者，但不在您的管辖范围内，不能更新。")
            else:
                self._merge(volunteer, stored[volunteer.id_number_hash])
                self._clean(volunteer, problems)

    def _merge(self, volunteer, person):
        """The row as an update of ``person``: the ID number is the key (its stored ciphertext stays); a phone
        is changed only when it is another number."""
        provided = volunteer._provided
        phone = (volunteer.phone_encrypted, volunteer.phone_hash, volunteer.phone_masked)
        self.merge_stored(volunteer, person, provided - {"id_number", "phone", "division_code"})
        if "phone" in provided and phone[1] != person.phone_hash:
            volunteer.phone_encrypted, volunteer.phone_hash, volunteer.phone_masked = phone
            volunteer._import_changes.append(("phone", person.phone_masked, volunteer.phone_masked))


# --- members ------------------------------------------------------------------------------------------------
class AssociationWidget(TextWidget):
    """协会 by its uniform serial number, within the user's scope (loaded once per import)."""

    by_serial: dict
    pure = True

    def __init__(self, *, optional: bool = False):
        super().__init__()
        self.optional = optional

    def load(self, user, **filters):
        from accounts.scoping import scope_queryset
        from associations.models import Association

        queryset = scope_queryset(Association.objects.filter(**filters).select_related("division"), user)
        self.by_serial = {a.serial_number: a for a in queryset}

    def clean(self, value, row=None, **kwargs):
        serial = super().clean(value)
        if not serial:
            if self.optional:
                return None
            raise ValueError("请填写协会的统一编制序列号。")
        association = self.by_serial.get(serial)
        if association is None:
            raise ValueError(f"统一编制序列号「{serial}」不存在或不在您的管辖范围内。")
        return association

    def render(self, value, obj=None, **kwargs):
        return value.serial_number if value else ""


#: A person the importing user cannot reach reads exactly as one who is not registered: the import discloses
#: neither their name nor that they exist elsewhere in the region.
NOT_REGISTERED_IN_SCOPE = "在您的管辖范围内没有登记该身份证号码的注册志愿者，请先导入或登记志愿者。"


def people_in_scope(user, hashes, *only):
    """The registered volunteers the user may reach, by keyed ID-number hash."""
    from accounts.scoping import scope_queryset

    queryset = scope_queryset(Volunteer.objects.filter(id_number_hash__in=list(hashes)), user)
    if only:
        queryset = queryset.only(*only)
    return {v.id_number_hash: v for v in queryset}


class PersonWidget(IdNumberWidget):
    """A registered volunteer by ID number: the number is validated here, looked up per batch by its hash."""

    pure = True

    def clean(self, value, row=None, **kwargs):
        return personal_data.keyed_hash(super().clean(value))


class IndividualMemberImporter(TableImporter):
    model = IndividualMember
    sheet_name = "个人会员"
    existing_choice = True

    def __init__(self, user, **options):
        super().__init__(user, **options)
        self.association_widget = AssociationWidget()
        self.columns = (
            Column("协会统一编制序列号", "association", self.association_widget, required=True),
            Column("身份证号码", "person", PersonWidget(), required=True,
                   export=lambda m: m.volunteer.id_number_masked),
            Column("姓名", "name", NameWidget(), export=lambda m: m.volunteer.name),
            Column("入会日期", "joined_on", DateWidget(), required=True),
            Column("退会日期", "left_on", DateWidget()),
            Column("推荐单位或推荐人", "recommended_by"),
            Column("审核状态", "review_status", ChoiceWidget(IndividualMember.Review.choices)),
            Column("会内职务", "role", ChoiceWidget(IndividualMember.Role.choices)),
            Column("服务领域", "domains", DomainsWidget(SERVICE_DOMAINS)),
            Column("年龄例外说明", "age_exception"),
        )

    def prepare(self):
        self.association_widget.load(self.user)
        self.seen: dict[tuple, int] = {}

    def build(self, values, problems, row_number):
        if not values.get("association") or not values.get("person") or not values.get("joined_on"):
            return None
        member = IndividualMember(
            association=values["association"], joined_on=values["joined_on"], left_on=values.get("left_on"),
            recommended_by=values.get("recommended_by", ""), domains=values.get("domains", []),
            review_status=values.get("review_status") or IndividualMember.Review.RECOMMENDED,
            role=values.get("role") or IndividualMember.Role.MEMBER,
            age_exception=values.get("age_exception") or "",
        )
        member._person_hash = values["person"]
        member._name = values.get("name", "")
        member._provided = values.keys() - {"person", "name"}
        return member

    def check_batch(self, batch, found=None):
        people = people_in_scope(self.user, {m._person_hash for _, m, _ in batch})
        existing = {(m.association_id, m.volunteer_id, m.joined_on): m for m in IndividualMember.objects.filter(
            volunteer__in=people.values(), association__in={m.association for _, m, _ in batch})}
        for number, member, problems in batch:
            person = people.get(member._person_hash)
            if person is None:
                problems.add("身份证号码", NOT_REGISTERED_IN_SCOPE)
                continue
            if member._name and member._name != normalise_name(person.name):
                problems.add("姓名", f"与登记的姓名「{person.name}」不一致。")
            member.volunteer = person
            key = (member.association.pk, person.pk, member.joined_on)
            earlier = self.seen.setdefault(key, number)
            if earlier != number:
                problems.add("身份证号码", f"与第 {earlier} 行重复（同一协会、同一人、同一入会日期）。")
            elif key in existing:
                if self.on_existing == ON_EXISTING_SKIP:
                    self.skip(member)
                    continue
                if self.on_existing != ON_EXISTING_UPDATE:
                    problems.add("身份证号码", "该志愿者在同一日期已登记为本协会会员。")
                    continue
                self.merge_stored(member, existing[key], member._provided)
            try:
                member.clean()
            except ValidationError as error:
                self.add_validation_error(problems, error)


class UsccWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        code = super().clean(value)
        if not code:
            return ""
        try:
            validate_uscc(code)
        except ValidationError as error:
            raise ValueError(error.messages[0]) from None
        return normalise_uscc(code)


class UnitMemberImporter(TableImporter):
    model = UnitMember
    sheet_name = "单位会员"

    def __init__(self, user):
        super().__init__(user)
        self.association_widget = AssociationWidget()
        self.columns = (
            Column("协会统一编制序列号", "association", self.association_widget, required=True),
            Column("单位名称", "name", required=True),
            Column("单位类别", "kind", ChoiceWidget(UnitMember.Kind.choices), required=True),
            Column("统一社会信用代码", "uscc", UsccWidget()),
            Column("服务领域", "domains", DomainsWidget(SERVICE_DOMAINS)),
            Column("入会日期", "joined_on", DateWidget(), required=True),
            Column("退会日期", "left_on", DateWidget()),
        )

    def prepare(self):
        self.association_widget.load(self.user)

    def build(self, values, problems, row_number):
        if problems:
            return None
        unit = UnitMember(**values)
        try:
            unit.clean()
        except ValidationError as error:
            self.add_validation_error(problems, error)
        return unit
