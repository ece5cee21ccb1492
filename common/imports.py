"""What every import shares: the widgets that read what staff type into a cell (Chinese labels for choices,
是/否, dates in several forms, numbers) and write it back out, and the report of an import (every bad row as
Excel row, column and a Chinese message). The engine that uses them is ``common.tabular``."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .excel import neutralise, parse_date, unneutralise
from .parsers import ChoiceReader


class Widget:
    """Turns a cell into a value (``clean``, raising ValueError with a Chinese message) and back (``render``).

    ``pure``: the result depends on the cell alone (not on the rest of the row) and is immutable, so an import
    may clean each distinct cell once."""

    pure = False

    def clean(self, value, row=None, **kwargs):
        return value

    def render(self, value, obj=None, **kwargs):
        return value


# --- widgets ------------------------------------------------------------------------------------------------
class DateWidget(Widget):
    pure = True

    def clean(self, value, row=None, **kwargs):
        return parse_date(value)

    def render(self, value, obj=None, **kwargs):
        return value


class ChoiceWidget(Widget):
    pure = True

    """A choice written as its Chinese label, its code or a usual short form (``parsers.ChoiceReader``); exported
    as the label."""

    def __init__(self, choices, **kwargs):
        self.reader = ChoiceReader(choices)
        self.labels = dict((value, str(label)) for value, label in choices)

    def clean(self, value, row=None, **kwargs):
        return self.reader.read(value)

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value or "")


class YesNoWidget(Widget):
    pure = True

    TRUE = {"是", "有", "Y", "YES", "TRUE", "1", "√"}
    FALSE = {"否", "无", "没有", "N", "NO", "FALSE", "0", "×"}

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().upper()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(f"「{value}」应填“是”或“否”，不清楚请留空。")

    def render(self, value, obj=None, **kwargs):
        return {True: "是", False: "否"}.get(value, "")


def _non_negative_number(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"「{value}」不是数字。") from None
    if number < 0:
        raise ValueError(f"「{value}」不能为负数。")
    return number


class IntegerWidget(Widget):
    pure = True

    def clean(self, value, row=None, **kwargs):
        number = _non_negative_number(value)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise ValueError(f"「{value}」应为整数。")
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return value


class DecimalWidget(Widget):
    pure = True

    def clean(self, value, row=None, **kwargs):
        return _non_negative_number(value)

    def render(self, value, obj=None, **kwargs):
        return float(value) if value is not None else None


class TextWidget(Widget):
    pure = True

    def __init__(self, max_length: int | None = None):
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = unneutralise(str(value).strip())
        if self.max_length is not None and len(text) > self.max_length:
            raise ValueError(f"共 {len(text)} 字，最多 {self.max_length} 字。")
        return text

    def render(self, value, obj=None, **kwargs):
        return neutralise(value or "")


class NameWidget(TextWidget):
    """A person's name, its separators normalised to ``·`` (``common.names``)."""

    def clean(self, value, row=None, **kwargs):
        from .names import normalise_name

        return normalise_name(super().clean(value, row=row, **kwargs))


# --- running an import --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str
    message: str


CLEAR_MARKER = "（清空）"
CLEAR_MARKERS = frozenset({CLEAR_MARKER, "(清空)"})
CLEAR_NOTE = (f"更新已有记录时，空白单元格保留原有内容；要删除某项内容，请在该单元格填写「{CLEAR_MARKER}」。")


#: What a row for someone already registered does, on sheets of people (``TableImporter.existing_choice``).
ON_EXISTING_SKIP, ON_EXISTING_UPDATE, ON_EXISTING_ERROR = "skip", "update", "error"
ON_EXISTING_CHOICES = (
    (ON_EXISTING_SKIP, "跳过已登记：已登记的人不作改动，只导入其他行"),
    (ON_EXISTING_UPDATE, "更新已登记：按表中填写了内容的单元格更新已登记的人，空白单元格保留原有内容"),
    (ON_EXISTING_ERROR, "报错：表中有已登记的人时，整个文件不导入"),
)


@dataclass(frozen=True)
class RowChange:
    """One stored record the import changes: its Excel row, what it is, and each field as (column, old, new)."""

    row: int
    label: str
    fields: tuple[tuple[str, str, str], ...]


@dataclass
class ImportReport:
    total: int = 0
    new: int = 0
    updated: int = 0  # stored records the file changes
    unchanged: int = 0  # stored records the file matches as they are (nothing written)
    skipped: int = 0  # rows for people already registered, left alone at the user's choice
    errors: list[RowError] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)  # the first MAX_CHANGES_SHOWN updated records
    notes: list[str] = field(default_factory=list)  # what the user should know about how the file was read

    MAX_CHANGES_SHOWN = 500

    @property
    def ok(self) -> bool:
        return not self.errors
