"""Re-importing the ledger never loses data: a blank cell keeps the stored value, 「（清空）」 clears it, and the
preview lists every field that changes as old → new."""
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from accounts.roles import Role
from associations.exports import ledger_template, ledger_workbook
from associations.importers import LEDGER_SHEET, LedgerImporter
from associations.models import Association
from common.excel import iter_sheet
from common.imports import CLEAR_MARKER, RowChange
from divisions.models import Division

from .factories import association, valid_uscc

pytestmark = pytest.mark.django_db
BLANKED = ("统一社会信用代码", "专职工作人员（人）", "秘书处设立情况", "业务主管单位起始日期", "登记日期",
           "年度工作经费（万元）", "有固定办公场所")


@pytest.fixture
def region_user(make_staff):
    return make_staff(Role.REGION_STAFF, "15")


@pytest.fixture
def seven(region_user):
    codes = list(Division.objects.counties().order_by("code").values_list("code", flat=True)[:7])
    return [association(code, uscc=valid_uscc(code), is_registered=True, registration_authority="民政局",
                        registered_on=date(2020, 7, 1), secretariat_host="cyl_committee", staff_fulltime=2,
                        annual_budget=Decimal("5.5"), has_office=True) for code in codes]


def _exported(user, edit) -> bytes:
    """The ledger as exported, its 协会台账 sheet edited cell by cell (``edit(header, row, cell)``)."""
    content = ledger_workbook(Association.objects.all(), user=user, as_of=date(2024, 6, 30))
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[LEDGER_SHEET]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for header, cell in zip(headers, row):
            edit(header, row, cell)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(user, content, *, dry_run=False):
    headers, rows = iter_sheet(content, sheet_name=LEDGER_SHEET)
    return LedgerImporter(user).run(headers, rows, dry_run=dry_run)


def _stored():
    return list(Association.objects.order_by("pk").values_list(
        "uscc", "staff_fulltime", "secretariat_host", "registered_on", "annual_budget", "has_office", "name"))


def test_blank_cells_in_a_reimported_export_keep_every_stored_value(region_user, seven):
    before = _stored()
    units_before = [a.supervising_unit().since for a in seven]

    def blank(header, row, cell):
        if header in BLANKED:
            cell.value = None

    report = _import(region_user, _exported(region_user, blank))
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 0, 7)
    assert report.changes == []
    assert _stored() == before
    assert [a.supervising_unit().since for a in Association.objects.order_by("pk")] == units_before
    assert all(a.history.count() == 1 for a in Association.objects.all())  # nothing written, no history row


def test_the_clear_marker_clears_and_the_change_is_listed(region_user, seven):
    first = seven[0]

    def clear_first(header, row, cell):
        if row[0].value == first.serial_number and header in ("统一社会信用代码", "年度工作经费（万元）"):
            cell.value = CLEAR_MARKER

    report = _import(region_user, _exported(region_user, clear_first))
    assert report.ok, report.errors
    assert (report.updated, report.unchanged) == (1, 6)
    assert report.changes == [RowChange(2, first.name, (("统一社会信用代码", first.uscc, "（空）"),
                                                         ("年度工作经费（万元）", "5.5", "（空）")))]
    first.refresh_from_db()
    assert first.uscc == "" and first.annual_budget is None
    assert first.history.first().history_change_reason == "Excel导入"


def test_a_required_column_cannot_be_cleared(region_user, seven):
    def clear_name(header, row, cell):
        if header == "协会名称" and row[0].value == seven[2].serial_number:
            cell.value = CLEAR_MARKER

    report = _import(region_user, _exported(region_user, clear_name))
    assert [(e.row, e.column, e.message) for e in report.errors] == [(4, "协会名称", "该项不能清空。")]
    assert _stored()[2][-1] == seven[2].name


def test_the_preview_lists_old_and_new_values_field_by_field(client, make_staff, seven):
    user = make_staff(Role.REGION_STAFF, "15", password="pw-123456")
    client.force_login(user)
    target = seven[3]

    def edit(header, row, cell):
        if row[0].value != target.serial_number:
            return
        if header == "专职工作人员（人）":
            cell.value = 3
        elif header == "有固定办公场所":
            cell.value = "否"
        elif header == "业务主管单位名称":
            cell.value = "共青团某旗委员会（更名）"

    content = _exported(user, edit)
    upload = io.BytesIO(content)
    upload.name = "台账.xlsx"
    response = client.post(reverse("admin:associations_association_excel_import"), {"file": upload})
    page = response.content.decode()
    assert "将新增 <strong>0</strong> 个协会，更新 <strong>1</strong> 个协会" in page
    assert "<strong>6</strong> 个协会与已保存的内容相同、不作改动" in page
    changes = response.context["changes"]
    assert changes == [[5, target.name, [["业务主管单位名称", f"共青团{target.division.name}委员会", "共青团某旗委员会（更名）"],
                                         ["专职工作人员（人）", "2", "3"], ["有固定办公场所", "是", "否"]]]] or \
        changes == [[5, target.name, [["专职工作人员（人）", "2", "3"], ["有固定办公场所", "是", "否"],
                                      ["业务主管单位名称", f"共青团{target.division.name}委员会", "共青团某旗委员会（更名）"]]]]
    assert 'id="import-changes"' in page and "共青团某旗委员会（更名）" in page
    target.refresh_from_db()
    assert target.staff_fulltime == 2  # a preview writes nothing


def test_a_new_association_row_left_blank_takes_the_defaults(region_user):
    from .workbooks import county_row, workbook

    xincheng = Division.objects.get(code="150102")
    report = _import(region_user, workbook([county_row(xincheng, **{"专职工作人员（人）": None, "有固定办公场所": None})]))
    assert report.ok, report.errors
    assert report.new == 1
    stored = Association.objects.get()
    assert stored.staff_fulltime is None and stored.has_office is None


def test_the_template_explains_the_clear_marker(region_user):
    book = openpyxl.load_workbook(io.BytesIO(ledger_template(user=region_user)))
    notes = " ".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value)
    assert "空白单元格保留原有内容" in notes and CLEAR_MARKER in notes
