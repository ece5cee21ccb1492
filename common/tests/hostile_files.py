"""Hostile .xlsx uploads, each built from a real workbook with one part rewritten, and the refusal each earns.

Shared by the in-process tests and by ``common/tests/hostile_upload_check.py``, which reads every file in a
child process with its memory watched."""
import functools
import io
import struct
import zipfile

import openpyxl

from common.excel import DAMAGED, MAX_COLUMNS

SHEET = "注册志愿者"
HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
HEADER_ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
TAIL = b"</sheetData></worksheet>"


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.title = SHEET
    book.active.append(["姓名", "身份证号码"])
    book.active.append(["巴特尔·额尔敦", "150102200001010011"])
    hidden = book.create_sheet("选项")
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_sheet(xml) -> bytes:
    """The workbook with its first sheet's XML replaced: bytes, or pieces of bytes written one after another
    (so a sheet of 150 MB is never held whole)."""
    source, target = zipfile.ZipFile(io.BytesIO(_workbook())), io.BytesIO()
    with source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                out.writestr(item.filename, source.read(item))
                continue
            with out.open(item.filename, "w", force_zip64=True) as part:
                for piece in ([xml] if isinstance(xml, bytes) else xml):
                    part.write(piece)
    return target.getvalue()


def _repeated(head: bytes, unit: bytes, times: int, tail: bytes):
    yield head
    block = unit * 100_000
    for _ in range(times // 100_000):
        yield block
    yield unit * (times % 100_000)
    yield tail


def lying_sizes(content: bytes, part="xl/worksheets/sheet1.xml", declared=1000) -> bytes:
    """The zip's local and central headers claim ``declared`` bytes for ``part``, which unpacks to far more."""
    data = bytearray(content)
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo(part)
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) >= 0:
        length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46:position + 46 + length]) == part.encode():
            struct.pack_into("<I", data, position + 24, declared)
        position += 4
    return bytes(data)


def far_cell(reference: bytes) -> bytes:
    row = b"".join(ch for ch in (bytes([c]) for c in reference) if ch.isdigit())
    return with_sheet(HEAD + HEADER_ROW + b'<row r="' + row + b'"><c r="' + reference + b'"><v>1</v></c></row>'
                      + TAIL)


def too_big() -> str:
    return "工作表「注册志愿者」的使用范围过大"


NAMES = ("cell at XFD1048576", "cell at ZZ999999", "prefixed tags, single quotes",
         "a wide row of cells without references, then row 1000000", "malformed sheet XML", "sizes that lie",
         "6 million rows, 150 MB unpacked", "200,000 rows", "2,000 header columns", "not a zip",
         "a zip without a workbook", "a zip bomb", "20,000 parts", "a truncated workbook")


@functools.cache
def hostile_files() -> dict[str, tuple[bytes, str]]:
    """name → (file, the start of the Chinese refusal)."""
    many_rows = with_sheet(_repeated(HEAD + HEADER_ROW, b"<row><c><v>1</v></c></row>", 6_000_000, TAIL))  # 150 MB
    wide_refless = (HEAD + HEADER_ROW + b"<row>" + b"<c><v>1</v></c>" * 16_000 + b"</row>"
                    + b'<row r="1000000"><c r="A1000000"><v>1</v></c></row>' + TAIL)
    prefixed = (b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
                b'<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c></x:row>'
                b"<x:row r='1048576'><x:c r = 'XFD1048576'><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>")
    wide_header = HEAD + b'<row r="1">' + b"".join(
        b'<c r="%s1" t="inlineStr"><is><t>c%d</t></is></c>' % (_letters(n).encode(), n) for n in range(1, 2001)
    ) + b"</row>" + TAIL
    return {
        "cell at XFD1048576": (far_cell(b"XFD1048576"), too_big()),
        "cell at ZZ999999": (far_cell(b"ZZ999999"), too_big()),
        "prefixed tags, single quotes": (with_sheet(prefixed), too_big()),
        "a wide row of cells without references, then row 1000000": (with_sheet(wide_refless), too_big()),
        "malformed sheet XML": (with_sheet(HEAD + b'<row r="1"><c r="A1"><v>1</v></row>' + TAIL),
                                "工作表「注册志愿者」的内容已损坏"),
        "sizes that lie": (lying_sizes(many_rows), DAMAGED),
        "6 million rows, 150 MB unpacked": (many_rows, "工作表「注册志愿者」有 6000001 行，超过 Excel 的上限"),
        "200,000 rows": (with_sheet(HEAD + HEADER_ROW + b"<row><c><v>1</v></c></row>" * 200_001 + TAIL), "数据超过"),
        "2,000 header columns": (with_sheet(wide_header), f"第 1 行有 2000 列，超过 {MAX_COLUMNS} 列"),
        "not a zip": (b"<html><script>alert(1)</script></html>", "文件不是 Excel 工作簿"),
        "a zip without a workbook": (_zip({"hello.txt": b"hi"}), "文件不是 Excel 工作簿"),
        "a zip bomb": (_zip({"xl/workbook.xml": [b"<a/>"], "xl/bomb.bin": (b"\0" * (1 << 20) for _ in range(300))}),
                       "文件解压后过大"),
        "20,000 parts": (_zip({"xl/workbook.xml": b"<a/>", **{f"p/{n}": b"" for n in range(20_000)}}),
                         "文件中的部件过多"),
        "a truncated workbook": (_workbook()[:-300], "文件不是 Excel 工作簿"),
    }


def _letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _zip(parts: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if isinstance(data, bytes):
                archive.writestr(name, data)
                continue
            with archive.open(name, "w", force_zip64=True) as part:
                for piece in data:
                    part.write(piece)
    return buffer.getvalue()
