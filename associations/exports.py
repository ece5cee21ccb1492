"""The ledger workbook (台账): associations, officers, systems adopted and the 体检 findings, one sheet each,
for exactly the associations a user may see. Cells that a spreadsheet would run as formulas are neutralised."""
from __future__ import annotations

import io
from datetime import date

from django.db.models import F, QuerySet
from openpyxl import Workbook

from checkup.facts import association_findings
from common.excel import append_row, build_template
from common.imports import CLEAR_NOTE
from divisions.models import Division

from .importers import LEDGER_SHEET, LedgerImporter
from .models import Association, Officer, SupervisingUnit, SystemAdoption

YES_NO = {True: "是", False: "否", None: ""}


def _sheet(workbook: Workbook, title: str, header: list[str], rows) -> int:
    sheet = workbook.create_sheet(title)
    append_row(sheet, header)
    count = 0
    for row in rows:
        append_row(sheet, row)
        count += 1
    return count


def ledger_workbook(queryset: QuerySet, *, user, as_of: date) -> bytes:
    """A whole ledger export in a fixed number of queries, written in streaming mode."""
    queryset = queryset.select_related("division__parent").order_by("serial_number")
    rows = queryset.prefetch_related("supervising_units")
    workbook = Workbook(write_only=True)
    importer = LedgerImporter(user)
    _sheet(
        workbook, LEDGER_SHEET, importer.headers,
        (importer.export_row(a) for a in rows.iterator(chunk_size=1000)),
    )

    ids = list(queryset.values_list("pk", flat=True))
    officers = (
        Officer.objects.filter(association_id__in=ids)
        .select_related("association")
        .order_by("association__serial_number", "role", "term_start")
    )
    _sheet(
        workbook, "负责人",
        ["统一编制序列号", "协会名称", "职务", "姓名", "本职工作职务", "团委负责同志", "分管志愿工作的专职干部", "任职起始日期", "任职截止日期"],
        (
            (o.association.serial_number, o.association.name, o.get_role_display(), o.name, o.post,
             YES_NO[o.is_cyl_leader], YES_NO[o.is_fulltime_cadre], o.term_start, o.term_end)
            for o in officers
        ),
    )
    units = (
        SupervisingUnit.objects.filter(association_id__in=ids)
        .select_related("association")
        .order_by("association__serial_number", F("since").asc(nulls_first=True), "pk")
    )
    _sheet(
        workbook, "业务主管单位变更记录",
        ["统一编制序列号", "协会名称", "业务主管单位类别", "业务主管单位名称", "起始日期", "变更登记日期", "变更登记文件（文号）"],
        ((u.association.serial_number, u.association.name, u.get_kind_display(), u.name, u.since,
          u.change_registered_on, u.change_document) for u in units),
    )
    systems = (
        SystemAdoption.objects.filter(association_id__in=ids)
        .select_related("association")
        .order_by("association__serial_number", "system")
    )
    _sheet(
        workbook, "章程与制度",
        ["统一编制序列号", "协会名称", "章程或制度", "通过日期", "文件名称或文号"],
        ((s.association.serial_number, s.association.name, s.get_system_display(), s.adopted_on, s.document) for s in systems),
    )
    findings = association_findings(Association.objects.filter(pk__in=ids), as_of=as_of)
    names = dict(queryset.values_list("pk", "name"))
    serials = dict(queryset.values_list("pk", "serial_number"))
    _sheet(
        workbook, "体检结果",
        ["统一编制序列号", "协会名称", "截至日期", "条款", "检查项", "结果", "说明"],
        (
            (serials[pk], names[pk], as_of, f.clause, f.title, f.status.label, f.reason)
            for pk in sorted(findings, key=lambda k: serials[k])
            for f in findings[pk]
        ),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ledger_template(*, user) -> bytes:
    """The import template: header, an example row, dropdowns for every enumeration and for the divisions in
    the user's scope, and a sheet of notes."""
    from accounts.scoping import scope_queryset

    headers = LedgerImporter(user).headers
    divisions = list(
        scope_queryset(Division.objects.filter(is_statutory=True, level__in=["league", "county"]), user)
        .select_related("parent").order_by("code")
    )
    county = next((d for d in divisions if d.level == "county"), None)
    name = county.name if county else "XX旗"
    place = county.full_name if county and county.kind == Division.Kind.CITY_DISTRICT else name
    example = {
        "协会名称": f"{place}青年志愿者协会",
        "层级": "旗县级",
        "上级区划": county.parent.name if county else "",
        "区划代码": county.gb_code if county else "",
        "所属区划": name,
        "成立日期": "2021-03-05",
        "业务主管单位类别": "共青团委员会",
        "业务主管单位名称": f"共青团{name}委员会",
        "业务主管单位起始日期": "2021-03-05",
        "已在民政部门登记": "是",
        "登记管理机关": f"{name}民政局",
        "登记日期": "2021年4月1日",
        "秘书处设立情况": "设在团委",
        "专职工作人员（人）": 1,
        "有固定办公场所": "是",
        "备注": "示例行，导入前请删除",
    }
    yes_no = ["是", "否"]
    return build_template(
        sheet_name=LEDGER_SHEET,
        headers=headers,
        example=example,
        dropdowns={
            "层级": [label for _, label in Association.Level.choices],
            "业务主管单位类别": [label for _, label in Association.SupervisorKind.choices],
            "秘书处设立情况": [label for _, label in Association.SecretariatHost.choices],
            "已在民政部门登记": yes_no,
            "有固定办公场所": yes_no,
            "与新时代文明实践中心合署办公": yes_no,
            "所属区划": [d.name for d in divisions],
        },
        notes=[
            "协会台账导入模板填写说明",
            "1. 第 1 行为列标题，请勿修改；从第 2 行起每行一个协会，示例行导入前请删除。",
            "2. 统一编制序列号：新登记的协会留空，保存时自动编号；修改已有协会时填写其编号（可先导出台账再修改）。",
            "3. 所属区划：从下拉列表选择；也可在“区划代码”列填写 6 位代码（如 150102），两者都填时须一致。",
            "4. 日期可写成 2021-03-05、2021/3/5 或 2021年3月5日，也可使用 Excel 日期格式。",
            "5. 协会名称应符合《指引》第 2 条：XX旗/县/市/区青年志愿者协会；市辖区为 XX市XX区青年志愿者协会。",
            "6. 统一社会信用代码 18 位，社会团体以 51 开头；全角字符和小写字母会自动转换。",
            "7. “是/否”类栏目不清楚时请留空（留空表示待补充，不等于“否”）。",
            "8. 文件中任何一行有错误时整个文件都不会导入，请按提示修改后重新上传。",
            "9. “上级区划”列仅供查看，导入时不读取。",
            f"10. {CLEAR_NOTE}",
        ],
    )
