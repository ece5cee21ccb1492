"""Excel helpers shared by every import and export: reading an upload safely, normalising what people type,
parsing the date forms staff use, and neutralising formula-like text on the way out."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import python_calamine
from openpyxl.utils.datetime import from_excel

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
BLANK_RUN_LIMIT = 500  # this many blank rows in a row end the sheet, whatever its declared dimensions say

# Full-width digits and Latin letters only: full-width punctuation such as （）is correct Chinese typography.
_FULL_WIDTH = {
    code: code - 0xFEE0
    for start, end in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for code in range(start, end + 1)
} | {0x3000: 0x20}
_FULL_WIDTH_DATE_PUNCTUATION = str.maketrans({"－": "-", "／": "/", "．": "."})
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ExcelFileError(ValueError):
    """A file that cannot be read as a ledger; the message is Chinese and meant for the user."""


def normalise_text(value):
    """Trim, and turn full-width digits and letters (１２３ＡＢＣ) and the ideographic space into ASCII."""
    if not isinstance(value, str):
        return value
    value = value.translate(_FULL_WIDTH).strip()
    return value or None


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
DATE_HINT = "请写成 2021-03-05、2021/3/5 或 2021年3月5日"


def parse_date(value) -> date | None:
    """A date from an Excel date cell, an Excel serial number or the text forms staff type."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < 2958466:
            raise ValueError(f"日期「{value}」无法识别，{DATE_HINT}。")
        return from_excel(value).date()
    text = normalise_text(str(value)).translate(_FULL_WIDTH_DATE_PUNCTUATION)
    text = re.sub(r"\s+", "", text or "")
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            if not 1 <= month <= 12:
                raise ValueError(f"日期「{value}」不存在：月份应为 1–12。")
            try:
                return date(year, month, day)
            except ValueError:
                raise ValueError(f"日期「{value}」不存在：{year}年{month}月没有{day}日。") from None
    raise ValueError(f"日期「{value}」无法识别，{DATE_HINT}。")


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def unneutralise(value):
    """Undo ``neutralise`` on the way back in, so an exported sheet re-imports to the same text."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(_FORMULA_PREFIXES):
        return value[1:]
    return value


def check_xlsx(content: bytes) -> None:
    """Refuse, quickly, what is not a reasonable .xlsx: wrong type, too large, or a zip that unpacks huge."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ExcelFileError(f"文件超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，请拆分后分批导入。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise ExcelFileError("文件不是 Excel 工作簿（.xlsx）。请在 Excel 中“另存为 .xlsx”后再上传。") from None
    with archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            raise ExcelFileError("文件不是 Excel 工作簿（.xlsx）。")
        if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
            raise ExcelFileError("文件解压后过大，已拒绝。")


def _cell(value):
    cls = value.__class__
    if cls is str:
        if value.isascii():  # most cells: nothing full-width to turn into ASCII
            return value.strip() or None
        return value.translate(_FULL_WIDTH).strip() or None
    if cls is float and value.is_integer():
        return int(value)  # calamine reads every number as a float; 13812341234.0 is a phone number
    return value


def iter_sheet(content: bytes, *, sheet_name: str | None = None, max_rows: int = 10000):
    """Headers and ``(excel_row_number, values)`` of the first visible sheet (or ``sheet_name``), read with
    python-calamine (fast; openpyxl stays for writing). Blank rows are skipped and a long run of them ends the
    sheet; cells are normalised; numbers that are whole come back as ``int``.

    Returns ``(headers, rows)`` where ``rows`` is an iterator.
    """
    check_xlsx(content)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception:
        raise ExcelFileError("无法读取该 Excel 文件，文件可能已损坏。") from None
    if sheet_name and sheet_name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(sheet_name)
    else:
        visible = [m.name for m in workbook.sheets_metadata if str(m.visible).endswith("Visible")]
        if not visible:
            raise ExcelFileError("工作簿中没有可见的工作表。")
        sheet = workbook.get_sheet_by_name(visible[0])
    first_row = (sheet.start or (0, 0))[0] + 1  # 1-based Excel row of the first row calamine returns
    rows = sheet.iter_rows()
    header_row = next(rows, None)
    if header_row is None:
        raise ExcelFileError("工作表是空的。")
    if first_row != 1:
        raise ExcelFileError("第 1 行应为列标题。")
    headers = [_cell(h) for h in header_row]
    headers = [str(h) if h is not None else None for h in headers]
    while headers and headers[-1] is None:
        headers.pop()
    if not headers:
        raise ExcelFileError("第 1 行应为列标题。")
    duplicates = {h for h in headers if h and headers.count(h) > 1}
    if duplicates:
        raise ExcelFileError(f"列标题重复：{'、'.join(sorted(duplicates))}。")
    headers = [h or f"（第{i + 1}列）" for i, h in enumerate(headers)]
    width = len(headers)

    def generate():
        blank_run = 0
        count = 0
        for offset, row in enumerate(rows, start=first_row + 1):
            values = [_cell(v) for v in row[:width]]
            if len(values) < width:
                values += [None] * (width - len(values))
            if values.count(None) == width:
                blank_run += 1
                if blank_run >= BLANK_RUN_LIMIT:
                    return
                continue
            blank_run = 0
            count += 1
            if count > max_rows:
                raise ExcelFileError(f"数据超过 {max_rows} 行，请拆分后分批导入。")
            yield offset, values

    return headers, generate()


def build_template(*, sheet_name: str, headers: list[str], example: dict, dropdowns: dict[str, list[str]],
                   notes: list[str], text_columns: tuple[str, ...] = ()) -> bytes:
    """An import template: bold header row, one example row, list dropdowns (data validation pointing at a
    hidden 选项 sheet, so long lists work in Excel and LibreOffice), text-formatted columns for numbers that must
    stay text (ID numbers), and a 填写说明 sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([neutralise(example.get(h, "")) for h in headers])
    for index, header in enumerate(headers, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(header) * 2 + 2)
        if header in text_columns:
            for row in range(2, 2001):
                sheet.cell(row=row, column=index).number_format = "@"
    options = workbook.create_sheet("选项")
    options.sheet_state = "hidden"
    written: dict[tuple, str] = {}  # identical lists (是/否 …) share one column of the options sheet
    for header, values in dropdowns.items():
        if header not in headers or not values:
            continue
        key = tuple(values)
        if key not in written:
            column = len(written) + 1
            options.cell(row=1, column=column, value=header)
            for row, value in enumerate(values, start=2):
                options.cell(row=row, column=column, value=value)
            written[key] = options.cell(row=1, column=column).column_letter
        letter = written[key]
        validation = DataValidation(
            type="list", formula1=f"=选项!${letter}$2:${letter}${len(values) + 1}", allow_blank=True,
            showErrorMessage=True, errorTitle="请从下拉列表中选择", error=f"「{header}」请从下拉列表中选择。",
        )
        sheet.add_data_validation(validation)
        target = sheet.cell(row=1, column=headers.index(header) + 1).column_letter
        validation.add(f"{target}2:{target}2000")
    notes_sheet = workbook.create_sheet("填写说明")
    for line in notes:
        notes_sheet.append([line])
    notes_sheet.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
