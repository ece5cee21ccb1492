"""The ledger workbook: four sheets, scoped, formula-safe, re-importable; and the import template."""
import io
from datetime import date, datetime

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from associations.exports import ledger_template, ledger_workbook
from associations.importers import LedgerImporter
from associations.models import Association, Officer, SystemAdoption
from common.excel import iter_sheet

from .factories import association

pytestmark = pytest.mark.django_db


def _book(content):
    return openpyxl.load_workbook(io.BytesIO(content))


def _ledger():
    a = association("150102", name="呼和浩特市新城区青年志愿者协会", staff_fulltime=2, note="=HYPERLINK(\"http://x\")")
    Officer.objects.create(association=a, role="president", name="@王志强", is_cyl_leader=True)
    SystemAdoption.objects.create(association=a, system="charter", adopted_on=date(2020, 6, 1), document="+章程")
    association("150103", name="呼和浩特市回民区青年志愿者协会", supervisor_name="-共青团回民区委员会")
    return a


def test_export_has_five_sheets_with_chinese_headers(make_staff):
    _ledger()
    user = make_staff(Role.LEAGUE_STAFF, "1501")
    book = _book(ledger_workbook(Association.objects.all(), user=user, as_of=date(2024, 1, 1)))
    assert book.sheetnames == ["协会台账", "负责人", "业务主管单位变更记录", "章程与制度", "体检结果"]
    units = list(book["业务主管单位变更记录"].iter_rows(min_row=2, values_only=True))
    assert [u[1:5] for u in units] == [
        ("呼和浩特市新城区青年志愿者协会", "共青团委员会", "共青团新城区委员会", datetime(2020, 6, 1)),
        ("呼和浩特市回民区青年志愿者协会", "共青团委员会", "'-共青团回民区委员会", datetime(2020, 6, 1)),
    ]
    ledger = book["协会台账"]
    assert [c.value for c in ledger[1]][:6] == ["统一编制序列号", "协会名称", "层级", "上级区划", "区划代码", "所属区划"]
    assert ledger.max_row == 3
    assert book["负责人"]["D2"].value == "'@王志强"
    findings = list(book["体检结果"].iter_rows(min_row=2, values_only=True))
    assert {row[3] for row in findings} >= {"G1", "G2", "G3"}
    assert {row[5] for row in findings} <= {"符合", "不符合", "待补充"}


def test_export_neutralises_formula_like_cells(make_staff):
    _ledger()
    user = make_staff(Role.LEAGUE_STAFF, "1501")
    book = _book(ledger_workbook(Association.objects.all(), user=user, as_of=date(2024, 1, 1)))
    values = [c for row in book.worksheets for r in row.iter_rows(values_only=True) for c in r if isinstance(c, str)]
    assert not [v for v in values if v.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'=HYPERLINK(\"http://x\")" in values and "'+章程" in values and "'-共青团回民区委员会" in values
    # Nothing was stored as a formula either.
    assert not [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_export_reimports_cleanly(make_staff):
    _ledger()
    user = make_staff(Role.LEAGUE_STAFF, "1501")
    before = list(Association.objects.order_by("pk").values())
    content = ledger_workbook(Association.objects.all(), user=user, as_of=date(2024, 1, 1))

    headers, rows = iter_sheet(content, sheet_name="协会台账")
    report = LedgerImporter(user).run(headers, rows, dry_run=False)

    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 0, 2)  # the export re-reads as it is
    assert list(Association.objects.order_by("pk").values()) == before  # the apostrophe is not stored


def test_export_queries_do_not_grow_with_rows(make_staff):
    user = make_staff(Role.REGION_STAFF, "15")
    association("150102")
    with CaptureQueriesContext(connection) as one:
        ledger_workbook(Association.objects.all(), user=user, as_of=date(2024, 1, 1))
    for code in ("150103", "150104", "150105", "150121", "1501"):
        a = association(code)
        Officer.objects.create(association=a, role="president", name="王")
        SystemAdoption.objects.create(association=a, system="charter")
    with CaptureQueriesContext(connection) as many:
        ledger_workbook(Association.objects.all(), user=user, as_of=date(2024, 1, 1))
    assert len(many) == len(one)  # the seat members expected: one query for counties and leagues alike


def test_admin_export_follows_scope_and_filters(client, make_staff):
    _ledger()
    association("150402")
    client.force_login(make_staff(Role.LEAGUE_STAFF, "1501"))
    response = client.get(reverse("admin:associations_association_excel_export"), {"county": "150103"})
    names = [r[1] for r in _book(response.content)["协会台账"].iter_rows(min_row=2, values_only=True)]
    assert names == ["呼和浩特市回民区青年志愿者协会"]


def test_template_has_header_example_dropdowns_and_notes(make_staff):
    user = make_staff(Role.LEAGUE_STAFF, "1501")
    book = _book(ledger_template(user=user))
    assert book.sheetnames == ["协会台账", "选项", "填写说明"]
    sheet = book["协会台账"]
    headers = [c.value for c in sheet[1]]
    assert headers == LedgerImporter(user).headers
    assert sheet.cell(row=2, column=headers.index("协会名称") + 1).value == "呼和浩特市新城区青年志愿者协会"
    validations = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation}
    level_column = openpyxl.utils.get_column_letter(headers.index("层级") + 1)
    assert validations[f"{level_column}2:{level_column}2000"] == "=选项!$A$2:$A$5"  # 自治区级、盟市级、旗县级、乡镇（街道）、社区、园区级
    options = book["选项"]
    assert options.sheet_state == "hidden"
    divisions = [r[4] for r in options.iter_rows(min_row=2, values_only=True) if r[4]]
    assert divisions[0] == "呼和浩特市" and "新城区" in divisions and "红山区" not in divisions and len(divisions) == 10
    assert "整个文件都不会导入" in " ".join(r[0] for r in book["填写说明"].iter_rows(values_only=True))


def test_template_example_row_imports_once_the_note_says_so(make_staff):
    """The example row is valid, so staff who follow it get a clean import."""
    user = make_staff(Role.COUNTY_STAFF, "150102")
    headers, rows = iter_sheet(ledger_template(user=user), sheet_name="协会台账")
    report = LedgerImporter(user).run(headers, rows, dry_run=True)
    assert report.ok, report.errors
