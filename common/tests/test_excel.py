import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from common.excel import (
    ExcelFileError,
    iter_sheet,
    neutralise,
    normalise_text,
    parse_date,
    unneutralise,
)


def read_sheet(content, **kwargs):
    headers, rows = iter_sheet(content, **kwargs)
    return headers, list(rows)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2021-03-05", date(2021, 3, 5)),
        ("2021/3/5", date(2021, 3, 5)),
        ("2021年3月5日", date(2021, 3, 5)),
        ("２０２１／３／５", date(2021, 3, 5)),
        (" 2021.3.5 ", date(2021, 3, 5)),
        (datetime(2021, 3, 5, 0, 0), date(2021, 3, 5)),
        (44260, date(2021, 3, 5)),
        (None, None),
    ],
)
def test_dates_in_the_forms_staff_type(value, expected):
    assert parse_date(value) == expected


def test_impossible_and_unreadable_dates_say_why():
    with pytest.raises(ValueError, match="日期「2021-02-30」不存在：2021年2月没有30日。"):
        parse_date("2021-02-30")
    with pytest.raises(ValueError, match="无法识别，请写成 2021-03-05、2021/3/5 或 2021年3月5日"):
        parse_date("三月五日")


def test_normalise_trims_and_converts_full_width_digits_and_letters_only():
    assert normalise_text("  ＡＢＣ１２３　") == "ABC123"
    assert normalise_text("专职工作人员（人）") == "专职工作人员（人）"
    assert normalise_text("   ") is None


def test_neutralise_and_back():
    for text in ("=1+1", "+86", "-3", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
        assert unneutralise(neutralise(text)) == text
    assert neutralise("正常文本") == "正常文本"
    assert unneutralise("'正常") == "'正常"


def _xlsx(rows, *, hidden_first=False):
    book = openpyxl.Workbook()
    sheet = book.active
    if hidden_first:
        sheet.title = "隐藏"
        sheet.append(["不该读"])
        sheet.sheet_state = "hidden"
        sheet = book.create_sheet("数据")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_read_sheet_keeps_excel_row_numbers_and_skips_blank_rows():
    headers, rows = read_sheet(_xlsx([["名称", "数量"], ["甲", 1], [None, None], ["乙", 2]]))
    assert headers == ["名称", "数量"]
    assert rows == [(2, ["甲", 1]), (4, ["乙", 2])]


def test_read_sheet_skips_hidden_sheets():
    _, rows = read_sheet(_xlsx([["名称"], ["甲"]], hidden_first=True))
    assert rows == [(2, ["甲"])]


def test_a_workbook_declaring_a_million_rows_reads_only_its_real_rows():
    content = _xlsx([["名称"], ["甲"], ["乙"]])
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:A3" />', b'<dimension ref="A1:XFD1048576" />')
                assert b"XFD1048576" in data
            target.writestr(item, data)
    assert [values for _, values in read_sheet(out.getvalue())[1]] == [["甲"], ["乙"]]


def test_too_many_rows_and_not_a_workbook_are_refused():
    with pytest.raises(ExcelFileError, match="数据超过 2 行"):
        read_sheet(_xlsx([["名称"], ["甲"], ["乙"], ["丙"]]), max_rows=2)
    with pytest.raises(ExcelFileError, match="文件不是 Excel 工作簿"):
        read_sheet(b"PK\x03\x04 not really")
    with pytest.raises(ExcelFileError, match="列标题重复：名称"):
        read_sheet(_xlsx([["名称", "名称"], ["甲", "乙"]]))


def test_a_zip_bomb_is_refused_before_parsing():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("xl/workbook.xml", b"<workbook/>")
        target.writestr("xl/worksheets/sheet1.xml", b"0" * (210 * 1024 * 1024))
    with pytest.raises(ExcelFileError, match="解压后过大"):
        read_sheet(out.getvalue())
