"""What people type, read the same way in admin forms, the API and Excel imports: dates in the forms staff use
(Excel serial numbers and dates included), full-width digits, and enumeration values written as their label, their
code or a usual short form (团员, 蒙古, 中共党员). The short forms are data: ``data/choice_synonyms.csv``; an ethnic
group may also be written without its final 族 (蒙古, 达斡尔)."""
from __future__ import annotations

import csv
import re
from datetime import date, datetime
from functools import cache
from pathlib import Path

from openpyxl.utils.datetime import from_excel

# Full-width digits and Latin letters only: full-width punctuation such as （）is correct Chinese typography.
FULL_WIDTH = {
    code: code - 0xFEE0
    for start, end in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for code in range(start, end + 1)
} | {0x3000: 0x20}
_FULL_WIDTH_DATE_PUNCTUATION = str.maketrans({"－": "-", "／": "/", "．": "."})


def normalise_text(value):
    """Trim, and turn full-width digits and letters (１２３ＡＢＣ) and the ideographic space into ASCII."""
    if not isinstance(value, str):
        return value
    value = value.translate(FULL_WIDTH).strip()
    return value or None


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_EXCEL_SERIAL = re.compile(r"^\d{5}(\.0+)?$")  # 44260 is 2021-03-05 in a cell formatted as text
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
    if _EXCEL_SERIAL.match(text):
        return parse_date(float(text))
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


@cache
def choice_synonyms() -> dict[str, str]:
    """{what staff type: the label it stands for}, from the data file."""
    path = Path(__file__).resolve().parent / "data" / "choice_synonyms.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["typed"].strip(): row["label"].strip() for row in csv.DictReader(fh)}


class ChoiceReader:
    """Reads one enumeration: its code, its label, a synonym of the label, or an ethnic group without its 族."""

    def __init__(self, choices):
        self.labels = {str(value): str(label) for value, label in choices}
        self.to_value = {}
        for value, label in self.labels.items():
            self.to_value[label] = value
            if label.endswith("族") and len(label) >= 2:
                self.to_value.setdefault(label[:-1], value)
        for typed, label in choice_synonyms().items():
            value = self.to_value.get(label)
            if value is not None:
                self.to_value.setdefault(typed, value)
        for value in self.labels:
            self.to_value[value] = value

    def read(self, value) -> str:
        """The stored value, or ValueError with a Chinese message; a blank is ""."""
        if value in (None, ""):
            return ""
        key = re.sub(r"\s+", "", normalise_text(str(value)) or "")
        if key in self.to_value:
            return self.to_value[key]
        if len(self.labels) > 20:  # 56 ethnic groups: an example, not the whole list
            raise ValueError(f"「{value}」不是可选的值，请填写完整名称（例如「{next(iter(self.labels.values()))}」）"
                             "或其代码。")
        raise ValueError(f"「{value}」不是可选的值，可选：{'、'.join(self.labels.values())}。")


# --- the same reading in forms and the API ------------------------------------------------------------------
def _form_date_field():
    from django import forms

    class PlatformDateField(forms.DateField):
        """An admin date field that reads every form ``parse_date`` reads (2021年3月5日, 2021.3.5, ２０２１－３－５,
        an Excel serial pasted from a sheet); the calendar widget's own format is one of them."""

        def to_python(self, value):
            if value in self.empty_values:
                return None
            try:
                return parse_date(value.strip() if isinstance(value, str) else value)
            except ValueError as error:
                from django.core.exceptions import ValidationError

                raise ValidationError(str(error), code="invalid") from None

    return PlatformDateField


def _api_date_field():
    from rest_framework import serializers

    class PlatformDateField(serializers.DateField):
        """The API's date input, read as forms and imports read it; output stays ISO 8601."""

        def to_internal_value(self, value):
            if isinstance(value, datetime):
                self.fail("datetime")
            try:
                parsed = parse_date(value)
            except ValueError as error:
                raise serializers.ValidationError(str(error), code="invalid") from None
            if parsed is None:
                self.fail("null")
            return parsed

    return PlatformDateField


def _api_choice_field():
    from rest_framework import serializers

    class PlatformChoiceField(serializers.ChoiceField):
        """An API choice given as its code, its label or a usual short form; output stays the code."""

        def to_internal_value(self, data):
            if data == "" and self.allow_blank:
                return ""
            try:
                value = ChoiceReader(self.choices.items()).read(data)
            except ValueError as error:
                raise serializers.ValidationError(str(error), code="invalid_choice") from None
            return value if value in self.choices else self.fail("invalid_choice", input=data)

    return PlatformChoiceField


FormDateField = _form_date_field()
ApiDateField = _api_date_field()
ApiChoiceField = _api_choice_field()
