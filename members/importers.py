"""Volunteers through Excel on the batch engine: the registry at provincial scale."""
from django.core.exceptions import ValidationError

from common.imports import ChoiceWidget, DateWidget, TextWidget
from common.lookups import DivisionLookup
from common.tabular import Column, RowProblems, TableImporter

from . import personal_data
from .models import Volunteer
from .reference import ETHNIC_GROUPS, POLITICAL_STATUS
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
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, int) and len(str(value)) >= 16:
            raise ValueError("身份证号码被 Excel 存成了数字，后几位已经丢失；请把该列设为“文本”后重新填写。")
        try:
            return validate_id_number(super().clean(value))
        except ValidationError as error:
            raise ValueError(error.messages[0]) from None


class PhoneWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return validate_phone(super().clean(value))
        except ValidationError as error:
            raise ValueError(error.messages[0]) from None


class DivisionWidget(TextWidget):
    lookup: DivisionLookup

    def clean(self, value, row=None, **kwargs):
        return self.lookup.find(code=(row or {}).get(DIVISION_CODE), name=super().clean(value))


class VolunteerImporter(TableImporter):
    model = Volunteer
    sheet_name = SHEET_NAME

    def __init__(self, user, *, reveal: bool = False):
        super().__init__(user)
        self.division_widget = DivisionWidget()
        self.reveal = reveal  # exports: full numbers only for a user allowed (and logged by the caller)
        self.columns = (
            Column("姓名", "name", required=True),
            Column("身份证号码", "id_number", IdNumberWidget(), required=True, export=self._export_id),
            Column(DIVISION_CODE, "division_code", TextWidget(), export=lambda v: v.division.gb_code),
            Column("所属区划", "division", self.division_widget, required=True, export=lambda v: v.division.name),
            Column("民族", "ethnicity", CodeChoiceWidget(ETHNIC_GROUPS)),
            Column("政治面貌", "political_status", CodeChoiceWidget(POLITICAL_STATUS)),
            Column("手机号码", "phone", PhoneWidget(), export=self._export_phone),
            Column("技能特长/专业领域", "skills"),
            Column("全国志愿服务信息系统编号", "volunteer_number"),
            Column("注册日期", "registered_on", DateWidget()),
            Column("监护人姓名", "guardian_name"),
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
        self.division_widget.lookup = DivisionLookup(self.user, ("county", "township"))
        self.seen: dict[str, int] = {}

    def build(self, values, problems: RowProblems, row_number):
        if "姓名" in problems or "身份证号码" in problems or "所属区划" in problems or "id_number" not in values:
            return None
        fields = {k: v for k, v in values.items() if k not in ("id_number", "phone", "division_code")}
        volunteer = Volunteer(**fields)
        volunteer.set_id_number(values["id_number"], validated=True)  # the column's widget validated it
        if values.get("phone"):
            volunteer.set_phone(values["phone"])
        try:
            volunteer.clean()
        except ValidationError as error:
            self.add_validation_error(problems, error)
        return volunteer

    def check_batch(self, batch):
        hashes = [v.id_number_hash for _, v, _ in batch]
        registered = set(Volunteer.objects.filter(id_number_hash__in=hashes).values_list("id_number_hash", flat=True))
        for number, volunteer, problems in batch:
            earlier = self.seen.get(volunteer.id_number_hash)
            if earlier is not None:
                problems.add("身份证号码", f"与第 {earlier} 行是同一人（身份证号码相同）。")
                continue
            self.seen[volunteer.id_number_hash] = number
            if volunteer.id_number_hash in registered:
                problems.add("身份证号码", "该身份证号码已在平台登记为志愿者，不能重复登记。")
