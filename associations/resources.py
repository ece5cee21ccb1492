"""The association ledger (台账) as an Excel sheet: the same columns out (export) and in (import), so an
exported workbook re-imports cleanly."""
from django.core.exceptions import ValidationError
from import_export import fields
from import_export.instance_loaders import CachedInstanceLoader

from common.excel import ROW_COLUMN
from common.imports import (
    ChoiceWidget,
    DateWidget,
    DecimalWidget,
    IntegerWidget,
    ScopedModelResource,
    TextWidget,
    YesNoWidget,
)
from common.lookups import DivisionLookup

from .models import Association
from .rules import name_form_error

DIVISION_CODE_COLUMN = "区划代码"


class DivisionWidget(TextWidget):
    """所属区划 by name or by the 区划代码 column of the same row, within the user's scope."""

    def load(self, user) -> None:
        self.lookup = DivisionLookup(user, ("region", "league", "county"))

    def clean(self, value, row=None, **kwargs):
        return self.lookup.find(code=(row or {}).get(DIVISION_CODE_COLUMN), name=super().clean(value))

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


def _field(attribute, column, widget=None, readonly=False):
    return fields.Field(attribute=attribute, column_name=column, widget=widget or TextWidget(), readonly=readonly)


class AssociationResource(ScopedModelResource):
    """协会台账: one row per association."""

    serial_number = _field("serial_number", "统一编制序列号")
    name = _field("name", "协会名称")
    level = _field("level", "层级", ChoiceWidget(Association.Level.choices))
    league = _field("division__parent__name", "上级区划", readonly=True)
    division_code = _field("division__gb_code", DIVISION_CODE_COLUMN, readonly=True)
    division = _field("division", "所属区划", DivisionWidget())
    founded_on = _field("founded_on", "成立日期", DateWidget())
    dissolved_on = _field("dissolved_on", "注销日期", DateWidget())
    supervisor_kind = _field("supervisor_kind", "业务主管单位类别", ChoiceWidget(Association.SupervisorKind.choices))
    supervisor_name = _field("supervisor_name", "业务主管单位名称")
    supervisor_cyl_since = _field("supervisor_cyl_since", "确定为团委主管的日期", DateWidget())
    is_registered = _field("is_registered", "已在民政部门登记", YesNoWidget())
    registration_authority = _field("registration_authority", "登记管理机关")
    registered_on = _field("registered_on", "登记日期", DateWidget())
    uscc = _field("uscc", "统一社会信用代码")
    secretariat_host = _field("secretariat_host", "秘书处设立情况", ChoiceWidget(Association.SecretariatHost.choices))
    secretariat_since = _field("secretariat_since", "秘书处设立日期", DateWidget())
    staff_fulltime = _field("staff_fulltime", "专职工作人员（人）", IntegerWidget())
    staff_seconded = _field("staff_seconded", "借调人员（人）", IntegerWidget())
    staff_parttime = _field("staff_parttime", "兼职人员（人）", IntegerWidget())
    staff_volunteer = _field("staff_volunteer", "志愿者（人）", IntegerWidget())
    fulltime_posts = _field("fulltime_posts", "秘书处专职岗位（个）", IntegerWidget())
    staffing_quota = _field("staffing_quota", "编制数（个）", IntegerWidget())
    annual_budget = _field("annual_budget", "年度工作经费（万元）", DecimalWidget())
    has_office = _field("has_office", "有固定办公场所", YesNoWidget())
    office_shared = _field("office_shared_with_civilization_center", "与新时代文明实践中心合署办公", YesNoWidget())
    note = _field("note", "备注")

    required_columns = ("协会名称", "层级", "所属区划")

    class Meta(ScopedModelResource.Meta):
        model = Association
        import_id_fields = ("serial_number",)
        instance_loader_class = CachedInstanceLoader
        fields = (
            "serial_number", "name", "level", "league", "division_code", "division", "founded_on", "dissolved_on",
            "supervisor_kind", "supervisor_name", "supervisor_cyl_since", "is_registered", "registration_authority",
            "registered_on", "uscc", "secretariat_host", "secretariat_since", "staff_fulltime", "staff_seconded",
            "staff_parttime", "staff_volunteer", "fulltime_posts", "staffing_quota", "annual_budget", "has_office",
            "office_shared", "note",
        )
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().select_related("division__parent")

    def full_clean_exclude(self):
        # serial_number is issued on insert; division was checked (scope, level) by its widget without a query.
        return ["serial_number", "division"]

    def prepare(self, dataset):
        self.fields["division"].widget.load(self.user)
        active = Association.objects.filter(dissolved_on__isnull=True).values_list("pk", "division_id", "level")
        self.active_by_key = {(division_id, level): pk for pk, division_id, level in active}
        self.uscc_owner = dict(Association.objects.exclude(uscc="").values_list("uscc", "pk"))

    def after_init_instance(self, instance, new, row, **kwargs):
        serial = self.fields["serial_number"].clean(row)
        if new and serial:
            raise ValidationError(
                {"serial_number": f"统一编制序列号「{serial}」不存在或不在您的管辖范围内；新登记的协会请留空。"}
            )

    def check_row(self, instance, row, errors):
        if instance.serial_number:
            earlier = self.remember(("serial", instance.serial_number), row)
            if earlier:
                errors.setdefault("serial_number", []).append(f"与第 {earlier} 行的统一编制序列号重复。")
        if instance.division_id and instance.level and instance.dissolved_on is None and "division" not in errors:
            key = (instance.division_id, instance.level)
            existing = self.active_by_key.get(key)
            if existing is not None and existing != instance.pk:
                errors.setdefault("division", []).append(
                    f"「{instance.division.name}」已有未注销的{instance.get_level_display()}协会，不能重复登记。"
                )
            earlier = self.remember(("active", *key), row)
            if earlier:
                errors.setdefault("division", []).append(f"与第 {earlier} 行是同一区划、同一层级的协会，重复。")
        if instance.uscc and "uscc" not in errors:
            owner = self.uscc_owner.get(instance.uscc)
            if owner is not None and owner != instance.pk:
                errors.setdefault("uscc", []).append("该统一社会信用代码已被其他协会使用。")
            earlier = self.remember(("uscc", instance.uscc), row)
            if earlier:
                errors.setdefault("uscc", []).append(f"与第 {earlier} 行的统一社会信用代码重复。")
        if instance.division_id and instance.level and instance.name and "division" not in errors and "level" not in errors:
            division = instance.division
            problem = name_form_error(
                name=instance.name, level=instance.level, division_name=division.name,
                division_kind=division.kind, parent_division_name=division.parent.name if division.parent_id else "",
                supervisor_kind=instance.supervisor_kind,
            )
            if problem:
                errors.setdefault("name", []).append(problem)

    def before_bulk_create(self, instances):
        from .services import serial_numbers_issue

        serial_numbers_issue(instances)


__all__ = ["AssociationResource", "ROW_COLUMN"]
