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

from .models import Association, SupervisingUnit
from .services import serial_numbers_issue

LEDGER_SHEET = "协会台账"
DIVISION_CODE = "区划代码"
SERIAL = "统一编制序列号"


UNIT_SINCE = "业务主管单位起始日期"
UNIT_FIELDS = ["kind", "name", "since", "change_registered_on", "change_document"]
OLD_UNIT_SINCE = "确定为团委主管的日期"
UNIT_COLUMNS = {
    "supervisor_kind": "kind", "supervisor_name": "name", "supervisor_since": "since",
    "supervisor_change_registered_on": "change_registered_on", "supervisor_change_document": "change_document",
}


def _unit_cell(association, attr):
    unit = association.supervising_unit()
    if unit is None:
        return None
    value = getattr(unit, attr)
    return value() if callable(value) else value


class LedgerImporter(TableImporter):
    model = Association
    sheet_name = LEDGER_SHEET
    batch_size = 1000
    max_rows = 20_000

    def __init__(self, user):
        super().__init__(user)
        self.division_widget = DivisionWidget(("region", "league", "county", "township"))
        kinds = Association.SupervisorKind.choices
        self.columns = (
            Column(SERIAL, "serial_number"),
            Column("协会名称", "name", required=True),
            Column("层级", "level", ChoiceWidget(Association.Level.choices), required=True),
            Column("上级区划", "parent_division", readonly=True,
                   export=lambda a: a.division.parent.name if a.division.parent_id else ""),
            Column(DIVISION_CODE, "division_code", readonly=True, export=lambda a: a.division.gb_code),
            Column("所属区划", "division", self.division_widget, required=True, blank_ok=True),
            Column("基层协会类别", "grassroots_kind", ChoiceWidget(Association.GrassrootsKind.choices)),
            Column("成立日期", "founded_on", DateWidget()),
            Column("注销日期", "dissolved_on", DateWidget()),
            # The supervising unit in force (the last of its history, SupervisingUnit): a new kind with its
            # start date records a change; blank cells keep what is stored.
            Column("业务主管单位类别", "supervisor_kind", ChoiceWidget(kinds),
                   export=lambda a: _unit_cell(a, "get_kind_display")),
            Column("业务主管单位名称", "supervisor_name", export=lambda a: _unit_cell(a, "name")),
            Column(UNIT_SINCE, "supervisor_since", DateWidget(), export=lambda a: _unit_cell(a, "since")),
            Column("变更登记日期", "supervisor_change_registered_on", DateWidget(),
                   export=lambda a: _unit_cell(a, "change_registered_on")),
            Column("变更登记文件（文号）", "supervisor_change_document",
                   export=lambda a: _unit_cell(a, "change_document")),
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
            Column("具备成立党组织的条件", "party_org_conditions", YesNoWidget()),
            Column("具备建立团组织的条件", "league_org_conditions", YesNoWidget()),
            Column("备注", "note"),
        )

    def run(self, headers, rows, **kwargs):
        # Ledgers exported before the supervising-unit history named the start date after the CYL committee.
        if OLD_UNIT_SINCE in headers and UNIT_SINCE not in headers:
            headers = [UNIT_SINCE if h == OLD_UNIT_SINCE else h for h in headers]
        return super().run(headers, rows, **kwargs)

    @property
    def update_fields(self):
        return [f for f in super().update_fields if f != "serial_number"]

    def prepare(self):
        self.division_widget.load(self.user)
        self.existing = {a.serial_number: a for a in scope_queryset(
            Association.objects.select_related("division__parent").prefetch_related("supervising_units"), self.user)}
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
        unit_values = {UNIT_COLUMNS[attr]: values.pop(attr) for attr in list(values) if attr in UNIT_COLUMNS}
        values.pop("division_code", None)
        self.apply(association, values)
        if "所属区划" in problems:
            return None
        try:
            # Uniqueness and constraints are checked set-based in check_batch, not with a query per row.
            association.full_clean(exclude=["serial_number", "division"], validate_unique=False,
                                   validate_constraints=False)
        except ValidationError as error:
            self.add_validation_error(problems, error)
        association.unit_change = self._unit_change(association, unit_values, problems)
        return association

    def _unit_change(self, association, values: dict, problems: RowProblems) -> SupervisingUnit | None:
        """The supervising unit the row records: the stored one updated where its cells are filled, or a new one
        when the kind differs (a change, which needs its start date). ``None`` when nothing changes."""
        filled = {k: v for k, v in values.items() if v not in (None, "")}
        if not filled:
            return None
        current = association.supervising_unit() if association.pk else None
        before = {attr: getattr(current, attr) for attr in UNIT_FIELDS} if current is not None else {}
        kind = filled.get("kind")
        if current is None or (kind and kind != current.kind):
            if not kind:
                problems.add("业务主管单位类别", "填写了业务主管单位的其他信息，请同时填写业务主管单位类别。")
                return None
            since = filled.get("since")
            if current is not None:
                if since is None:
                    problems.add(UNIT_SINCE, f"业务主管单位由「{current.get_kind_display()}」变更为"
                                             f"「{Association.SupervisorKind(kind).label}」，请填写变更日期。")
                    return None
                if current.since is not None and since <= current.since:
                    problems.add(UNIT_SINCE, f"变更日期应晚于现业务主管单位的起始日期（{current.since:%Y-%m-%d}）。")
                    return None
            unit = SupervisingUnit(**{"name": "", "change_document": "", **filled})
        else:
            unit = current
            changed = False
            for attr, value in filled.items():
                if getattr(unit, attr) != value:
                    setattr(unit, attr, value)
                    changed = True
            if not changed:
                return None
        unit.association = association
        if association.pk is not None:
            self._note_unit_change(association, before, unit)
        try:
            unit.full_clean(exclude=["association"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                column = {"kind": "业务主管单位类别", "name": "业务主管单位名称", "since": UNIT_SINCE,
                          "change_registered_on": "变更登记日期", "change_document": "变更登记文件（文号）"}.get(field, "")
                for message in messages:
                    problems.add(column, message)
            return None
        return unit

    @staticmethod
    def _note_unit_change(association, before: dict, unit) -> None:
        """The supervising unit's change, shown in the preview beside the association's own fields."""
        changes = association._import_changes
        for attr in UNIT_FIELDS:
            old, new = before.get(attr), getattr(unit, attr)
            if (old or None) != (new or None):
                changes.append((f"unit:{attr}", old, new))

    def render_change(self, attr, value):
        if not attr.startswith("unit:"):
            return super().render_change(attr, value)
        attr = attr[len("unit:"):]
        header = {"kind": "业务主管单位类别", "name": "业务主管单位名称", "since": UNIT_SINCE,
                  "change_registered_on": "变更登记日期", "change_document": "变更登记文件（文号）"}[attr]
        if value in (None, ""):
            return header, "（空）"
        if attr == "kind":
            return header, str(Association.SupervisorKind(value).label)
        return header, value.isoformat() if hasattr(value, "isoformat") else str(value)

    def _write(self, instances):
        """The associations, then the supervising units their rows record (new associations need their keys)."""
        from simple_history.utils import bulk_create_with_history, bulk_update_with_history

        super()._write(instances)
        units = [i.unit_change for i in instances if getattr(i, "unit_change", None) is not None]
        for unit in units:
            unit.association_id = unit.association.pk
        new, changed = [u for u in units if u.pk is None], [u for u in units if u.pk is not None]
        history = {"default_user": self.user, "default_change_reason": self.change_reason, "batch_size": 2000}
        if new:
            bulk_create_with_history(new, SupervisingUnit, **history)
        if changed:
            bulk_update_with_history(changed, SupervisingUnit, UNIT_FIELDS, **history)

    def _remember(self, key, number):
        earlier = self.seen.setdefault(key, number)
        return None if earlier == number else earlier

    def check_batch(self, batch, found=None):
        for number, association, problems in batch:
            if association.serial_number and (earlier := self._remember(("serial", association.serial_number), number)):
                problems.add(SERIAL, f"与第 {earlier} 行的统一编制序列号重复。")
            if association.level and association.level != "grassroots" and association.dissolved_on is None:
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
