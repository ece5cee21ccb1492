"""Real .xlsx files for import tests."""
import io

import openpyxl


def xlsx(title: str, headers: list[str], rows: list[dict]) -> bytes:
    """A workbook whose first sheet is ``title``: the header row, then each row's values by header."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
