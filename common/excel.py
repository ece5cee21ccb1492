"""Excel helpers shared by every import and export: reading an upload safely, normalising what people type,
parsing the date forms staff use, and neutralising formula-like text on the way out."""
from __future__ import annotations

import io
import re
import zipfile
import zlib
from operator import itemgetter

import python_calamine

from .parsers import DATE_HINT, FULL_WIDTH, normalise_text, parse_date  # noqa: F401  (the import engine reads them here)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ExcelFileError(ValueError):
    """A file that cannot be read as a ledger; the message is Chinese and meant for the user."""


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def append_row(sheet, cells) -> None:
    """The one way a row is written to any workbook the platform produces: every cell through ``neutralise``, so
    nothing a person typed (a name, a target's title, an error message quoting a cell) arrives as a formula."""
    sheet.append([neutralise(cell) for cell in cells])


def unneutralise(value):
    """Undo ``neutralise`` on the way back in, so an exported sheet re-imports to the same text."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(_FORMULA_PREFIXES):
        return value[1:]
    return value


MAX_ZIP_ENTRIES = 10_000
MAX_COLUMNS = 200  # the widest sheet has a few dozen columns
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
MAX_SHEET_CELLS = 8_000_000  # the sheet's used range, rows × columns: what the reader allocates at once
_CHUNK = 8 << 20

_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OSError,
               OverflowError)
DAMAGED = "文件已损坏，无法读取。请在 Excel 中打开并“另存为 .xlsx”后再上传。"


def check_xlsx(content: bytes) -> None:
    """Refuse, quickly, what is not a reasonable .xlsx: wrong type, too large, too many parts, or a zip that
    unpacks huge. Sizes are counted while actually unpacking, not read from the zip's own (forgeable) headers,
    and each part's checksum is verified."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ExcelFileError(f"文件超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，请拆分后分批导入。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except _ZIP_ERRORS:
        raise ExcelFileError("文件不是 Excel 工作簿（.xlsx）。请在 Excel 中“另存为 .xlsx”后再上传。") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise ExcelFileError("文件中的部件过多，不是正常的 Excel 工作簿，已拒绝。")
        if "xl/workbook.xml" not in {info.filename for info in infos}:
            raise ExcelFileError("文件不是 Excel 工作簿（.xlsx）。")
        if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
            raise ExcelFileError("文件解压后过大，已拒绝。")
        unpacked = 0
        try:
            for info in infos:
                with archive.open(info) as part:
                    while chunk := part.read(_CHUNK):
                        unpacked += len(chunk)
                        if unpacked > MAX_UNCOMPRESSED_BYTES:
                            raise ExcelFileError("文件解压后过大，已拒绝。")
        except _ZIP_ERRORS:
            raise ExcelFileError(DAMAGED) from None


# --- the extent of a sheet, from its XML, before the reader allocates it ------------------------------------
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
# an ``r`` attribute (a cell's A1 reference or a row's number), quoted either way, whitespace around ``=``
_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)([0-9]*)""")
# the opening tag of a row or a cell, with or without a namespace prefix
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_part(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip part holding the sheet called ``sheet_name`` (workbook.xml and its relationships are small)."""
    from xml.etree import ElementTree

    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, *_ZIP_ERRORS):
        return None
    targets = {rel.get("Id"): rel.get("Target", "") for rel in relationships.iter(f"{{{_NS_PKG_REL}}}Relationship")}
    for sheet in workbook.iter(f"{{{_NS_MAIN}}}sheet"):
        if sheet.get("name") == sheet_name:
            target = targets.get(sheet.get(f"{{{_NS_REL}}}id"), "")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


def _chunks(part):
    """The part's XML in pieces of about 8 MB, each ending at a tag boundary so no tag is split."""
    tail = b""
    while block := part.read(_CHUNK):
        block = tail + block
        cut = block.rfind(b"<")
        tail, block = (block[cut:], block[:cut]) if cut > 0 else (b"", block)
        yield block
    if tail:
        yield tail


def sheet_extent(content: bytes, sheet_name: str) -> tuple[int, int]:
    """``(last row, last column)`` the reader will allocate for the sheet, from the sheet's XML: every cell's
    reference when all cells carry one (as every spreadsheet program writes them), otherwise by walking rows and
    cells as the reader places them."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        name = _sheet_part(archive, sheet_name)
        if name is None or name not in archive.namelist():
            return 0, 0  # the reader finds no such part either, and says so
        last_row = last_column = referenced_cells = tags = row_tags = 0
        try:
            with archive.open(name) as part:
                for block in _chunks(part):
                    references = _REF.findall(block)
                    letters = list(filter(None, map(itemgetter(0), references)))
                    referenced_cells += len(letters)
                    last_column = max(last_column, *map(_column_number, set(letters)), 0)
                    last_row = max(last_row, *map(int, filter(None, map(itemgetter(1), references))), 0)
                    # every cell's opening tag, and then some (<col, <color): more tags than references sends
                    # the sheet to the exact walk below, never past it
                    tags += block.count(b"<c") + block.count(b":c")
                    row_tags += block.count(b"<row") + block.count(b":row")
        except _ZIP_ERRORS:
            raise ExcelFileError(DAMAGED) from None
        if tags <= referenced_cells:
            return last_row, last_column
        if row_tags > EXCEL_ROWS or tags - referenced_cells > MAX_SHEET_CELLS:
            return max(last_row, row_tags), max(last_column, 1)  # more rows or cells than any real sheet
        # Some cells carry no reference: the reader places them after the previous cell of their row.
        row = column = 0
        with archive.open(name) as part:
            for block in _chunks(part):
                for tag, attributes in _TAG.findall(block):
                    reference = _REF.search(b" " + attributes)
                    letters, digits = reference.groups() if reference else (b"", b"")
                    if tag == b"row":
                        row, column = (int(digits) if digits else row + 1), 0
                    elif letters and digits:
                        row, column = max(row, int(digits)), _column_number(letters)
                        last_row = max(last_row, int(digits))
                    else:
                        column += 1
                    last_row, last_column = max(last_row, row), max(last_column, column)
        return last_row, last_column


def check_sheet_extent(content: bytes, sheet_name: str) -> None:
    """Refuse a sheet whose used range is too large to read: one stray cell at XFD1048576 makes the whole
    sheet 17 thousand million cells."""
    rows, columns = sheet_extent(content, sheet_name)
    if rows > EXCEL_ROWS:
        raise ExcelFileError(f"工作表「{sheet_name}」有 {rows} 行，超过 Excel 的上限 {EXCEL_ROWS} 行，不是正常的工作表，已拒绝。")
    if rows * columns > MAX_SHEET_CELLS or columns > EXCEL_COLUMNS:
        raise ExcelFileError(
            f"工作表「{sheet_name}」的使用范围过大：从 A1 一直到 {column_letters(min(columns, EXCEL_COLUMNS))}{rows}"
            f"（{rows} 行 × {columns} 列）。请删除远处多余的单元格或行列（或拆分文件）后再上传。")


def _cell(value):
    cls = value.__class__
    if cls is str:
        if value.isascii():  # most cells: nothing full-width to turn into ASCII
            return value.strip() or None
        return value.translate(FULL_WIDTH).strip() or None
    if cls is float and value.is_integer():
        return int(value)  # calamine reads every number as a float; 13812341234.0 is a phone number
    return value


def iter_sheet(content: bytes, *, sheet_name: str | None = None, max_rows: int = 10000):
    """Headers and ``(excel_row_number, values)`` of the first visible sheet (or ``sheet_name``), read with
    python-calamine (fast; openpyxl stays for writing). A hidden sheet is never read: when the named one is
    hidden or missing, the first visible sheet whose name contains it (a copy), else the first visible one, and
    the rows say so (``SheetRows.note``). Blank rows are skipped wherever they are; cells are normalised;
    numbers that are whole come back as ``int``.

    Returns ``(headers, rows)`` where ``rows`` is an iterator.
    """
    check_xlsx(content)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        names, metadata = workbook.sheet_names, workbook.sheets_metadata
    except Exception:
        raise ExcelFileError("无法读取该 Excel 文件，文件可能已损坏。") from None
    visible = [m.name for m in metadata if str(m.visible).endswith("Visible")]
    note = ""
    if sheet_name and sheet_name in visible:
        chosen = sheet_name
    elif not visible:
        raise ExcelFileError("工作簿中没有可见的工作表。")
    else:
        # A clerk who copied the template's sheet and hid the original filled the copy: read what they see.
        copies = [v for v in visible if sheet_name and sheet_name in v]
        chosen = (copies or visible)[0]
        if sheet_name:
            where = "已隐藏" if sheet_name in names else "不存在"
            note = f"模板的工作表「{sheet_name}」{where}，已读取可见的工作表「{chosen}」。"
    check_sheet_extent(content, chosen)
    try:
        sheet = workbook.get_sheet_by_name(chosen)
    except Exception:
        raise ExcelFileError(f"工作表「{chosen}」的内容已损坏，无法读取。请在 Excel 中打开并“另存为 .xlsx”后再上传。"
                             ) from None
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
    if len(headers) > MAX_COLUMNS:
        raise ExcelFileError(f"第 1 行有 {len(headers)} 列，超过 {MAX_COLUMNS} 列。请使用下载的模板，删除多余的列后再上传。")
    duplicates = {h for h in headers if h and headers.count(h) > 1}
    if duplicates:
        raise ExcelFileError(f"列标题重复：{'、'.join(sorted(duplicates))}。")
    headers = [h or f"（第{i + 1}列）" for i, h in enumerate(headers)]
    width = len(headers)

    def generate():
        count = 0
        for offset, row in enumerate(rows, start=first_row + 1):
            values = [_cell(v) for v in row[:width]]
            if len(values) < width:
                values += [None] * (width - len(values))
            if values.count(None) == width:
                continue  # blank rows never end the sheet: rows appended after a gap are read too
            count += 1
            if count > max_rows:
                raise ExcelFileError(f"数据超过 {max_rows} 行，请拆分后分批导入。")
            yield offset, values

    return headers, SheetRows(generate(), chosen, note)


class SheetRows:
    """The data rows of the sheet read, and which sheet that was (``note`` says so when it is not the one the
    template names)."""

    def __init__(self, rows, sheet: str, note: str = ""):
        self._rows, self.sheet, self.note = rows, sheet, note

    def __iter__(self):
        return self._rows

    def __next__(self):
        return next(self._rows)


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
    append_row(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    append_row(sheet, [example.get(h, "") for h in headers])
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
            options.cell(row=1, column=column, value=neutralise(header))
            for row, value in enumerate(values, start=2):
                options.cell(row=row, column=column, value=neutralise(value))
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
        append_row(notes_sheet, [line])
    notes_sheet.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
