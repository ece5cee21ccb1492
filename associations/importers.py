"""The association ledger (台账) as an Excel sheet on the batch engine: the same columns out (export) and in
(import), so an exported workbook re-imports; a row with a serial number updates that association."""
from django.core.exceptions import ValidationError

from accounts.scoping import scope_queryset
from common.imports import (
    ChoiceWidget,
    DateWidget,
    DecimalWidget,
    IntegerWidget,
    YesNoWidget,
)
from common.lookups import DivisionWidget
from common.tabular import Column, RowProblems, TableImporter

from .models import Association
from .services import serial_numbers_issue

LEDGER_SHEET = "协会台账"
DIVISION_CODE = "区划代码"
SERIAL = "统一编制序列号"


class LedgerImporter(TableImporter):
    model = Association
    sheet_name = LEDGER_SHEET
    batch_size = 1000
    max_rows = 20_000

    def __init__(self, user):
        super().__init__(user)
        self.division_widget = DivisionWidget(("region", "league", "county"))
        kinds = Association.SupervisorKind.choices
        self.columns = (
            Column(SERIAL, "serial_number"),
            Column("协会名称", "name", required=True),
            Column("层级", "level", ChoiceWidget(Association.Level.choices), required=True),
            Column("上级区划", "parent_division", readonly=True,
                   export=lambda a: a.division.parent.name if a.division.parent_id else ""),
            Column(DIVISION_CODE, "division_code", readonly=True, export=lambda a: a.division.gb_code),
            Column("所属区划", "division", self.division_widget, required=True, blank_ok=True),
            Column("成立日期", "founded_on", DateWidget()),
            Column("注销日期", "dissolved_on", DateWidget()),
            Column("业务主管单位类别", "supervisor_kind", ChoiceWidget(kinds)),
            Column("业务主管单位名称", "supervisor_name"),
            Column("确定为团委主管的日期", "supervisor_cyl_since", DateWidget()),
            Column("已在民政部门登记", "is_registered", YesNoWidget()),
            Column("登记管理机关", "registration_authority"),
            Column("登记日期", "registered_on", DateWidget()),
            Column("统一社会信用代码", "uscc"),
            Column("秘书处设立情况", "secretariat_host", ChoiceWidget(Association.SecretariatHost.choices)),
            Column("秘书处设立日期", "secretariat_since", DateWidget()),
            Column("专职工作人员（人）", "staff_fulltime", IntegerWidget()),
            Column("借调人员（人）", "staff_seconded", IntegerWidget()),
            Column("兼职人员（人）", "staff_parttime", IntegerWidget()),
            Column("志愿者（人）", "staff_volunteer", IntegerWidget()),
            Column("秘书处专职岗位（个）", "fulltime_posts", IntegerWidget()),
            Column("编制数（个）", "staffing_quota", IntegerWidget()),
            Column("年度工作经费（万元）", "annual_budget", DecimalWidget()),
            Column("有固定办公场所", "has_office", YesNoWidget()),
            Column("与新时代文明实践中心合署办公", "office_shared_with_civilization_center", YesNoWidget()),
            Column("备注", "note"),
        )

    @property
    def update_fields(self):
        return [f for f in super().update_fields if f != "serial_number"]

    def prepare(self):
        self.division_widget.load(self.user)
        self.existing = {a.serial_number: a for a in scope_queryset(
            Association.objects.select_related("division__parent"), self.user)}
        active = Association.objects.filter(dissolved_on__isnull=True).values_list("pk", "division_id", "level")
        self.active_by_key = {(division_id, level): pk for pk, division_id, level in active}
        self.uscc_owner = dict(Association.objects.exclude(uscc="").values_list("uscc", "pk"))
        self.seen: dict[tuple, int] = {}

    def build(self, values, problems: RowProblems, row_number):
        serial = values.pop("serial_number", "")
        if serial:
            association = self.existing.get(serial)
            if association is None:
                problems.add(SERIAL, f"统一编制序列号「{serial}」不存在或不在您的管辖范围内；新登记的协会请留空。")
                return None
        else:
            association = Association()
        for attr, value in values.items():
            if attr == "division_code":
                continue
            setattr(association, attr, value)
        if "所属区划" in problems:
            return None
        try:
            # Uniqueness and constraints are checked set-based in check_batch, not with a query per row.
            association.full_clean(exclude=["serial_number", "division"], validate_unique=False,
                                   validate_constraints=False)
        except ValidationError as error:
            self.add_validation_error(problems, error)
        return association

    def _remember(self, key, number):
        earlier = self.seen.setdefault(key, number)
        return None if earlier == number else earlier

    def check_batch(self, batch, found=None):
        for number, association, problems in batch:
            if association.serial_number and (earlier := self._remember(("serial", association.serial_number), number)):
                problems.add(SERIAL, f"与第 {earlier} 行的统一编制序列号重复。")
            if association.level and association.dissolved_on is None:
                key = (association.division_id, association.level)
                existing = self.active_by_key.get(key)
                if existing is not None and existing != association.pk:
                    problems.add("所属区划", f"「{association.division.name}」已有未注销的"
                                         f"{association.get_level_display()}协会，不能重复登记。")
                if earlier := self._remember(("active", *key), number):
                    problems.add("所属区划", f"与第 {earlier} 行是同一区划、同一层级的协会，重复。")
            if association.uscc and "统一社会信用代码" not in problems:
                owner = self.uscc_owner.get(association.uscc)
                if owner is not None and owner != association.pk:
                    problems.add("统一社会信用代码", "该统一社会信用代码已被其他协会使用。")
                if earlier := self._remember(("uscc", association.uscc), number):
                    problems.add("统一社会信用代码", f"与第 {earlier} 行的统一社会信用代码重复。")

    def before_create(self, instances):
        serial_numbers_issue(instances)
