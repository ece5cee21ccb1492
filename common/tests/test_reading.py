"""How a workbook is read: the sheet the clerk sees, every row wherever it is, and no data is not success."""
import io

import openpyxl
import pytest

from accounts.roles import Role
from associations.exports import ledger_template
from associations.importers import LEDGER_SHEET, LedgerImporter
from associations.models import Association
from associations.tests.workbooks import county_row, ledger_headers
from common.excel import iter_sheet
from divisions.models import Division

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_user(make_staff):
    return make_staff(Role.REGION_STAFF, "15")


def _save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _run(user, content):
    headers, rows = iter_sheet(content, sheet_name=LEDGER_SHEET)
    return LedgerImporter(user).run(headers, rows, dry_run=False)


def _fill(sheet, rows, start=2):
    headers = ledger_headers()
    for offset, row in enumerate(rows):
        for column, header in enumerate(headers, start=1):
            sheet.cell(row=start + offset, column=column, value=row.get(header))


def test_a_filled_copy_is_read_when_the_template_sheet_is_hidden(region_user):
    book = openpyxl.load_workbook(io.BytesIO(ledger_template(user=region_user)))
    original = book[LEDGER_SHEET]
    copy = book.copy_worksheet(original)
    copy.title = f"{LEDGER_SHEET} (2)"
    for row in copy.iter_rows(min_row=2):
        for cell in row:
            cell.value = None  # the example row, cleared
    _fill(copy, [county_row(Division.objects.get(code="150102")), county_row(Division.objects.get(code="150103"))])
    original.sheet_state = "hidden"
    report = _run(region_user, _save(book))
    assert report.ok, report.errors
    assert report.new == 2 and Association.objects.count() == 2
    assert report.notes == [f"模板的工作表「{LEDGER_SHEET}」已隐藏，已读取可见的工作表「{LEDGER_SHEET} (2)」。"]


def test_the_named_sheet_is_read_when_it_is_visible_and_nothing_is_said(region_user):
    book = openpyxl.Workbook()
    other = book.active
    other.title = "说明"
    sheet = book.create_sheet(LEDGER_SHEET)
    sheet.append(ledger_headers())
    _fill(sheet, [county_row(Division.objects.get(code="150102"))])
    report = _run(region_user, _save(book))
    assert report.ok and report.new == 1 and report.notes == []


def test_rows_appended_after_a_long_blank_gap_are_read(region_user):
    book = openpyxl.load_workbook(io.BytesIO(ledger_template(user=region_user)))
    sheet = book[LEDGER_SHEET]
    for row in sheet.iter_rows(min_row=2, max_row=2):
        for cell in row:
            cell.value = None
    _fill(sheet, [county_row(Division.objects.get(code="150102"))], start=3)
    _fill(sheet, [county_row(Division.objects.get(code="150103"))], start=2600)  # below the formatted rows
    report = _run(region_user, _save(book))
    assert report.ok, report.errors
    assert report.new == 2
    assert set(Association.objects.values_list("division__code", flat=True)) == {"150102", "150103"}


def test_a_sheet_without_data_rows_is_an_error_not_a_success(region_user):
    book = openpyxl.load_workbook(io.BytesIO(ledger_template(user=region_user)))
    for row in book[LEDGER_SHEET].iter_rows(min_row=2):
        for cell in row:
            cell.value = None
    report = _run(region_user, _save(book))
    assert not report.ok and report.new == 0
    assert [(e.row, e.message) for e in report.errors] == [
        (None, f"工作表「{LEDGER_SHEET}」第 1 行标题以下没有数据，未导入任何内容。请确认数据填在这张表里。")]
