"""History pages in words a clerk reads: choice labels instead of stored keys, 是/否, dates as dates, an empty
value as （空）, and the changes made through a record's inlines (officers, supervising units, …) listed under
the version of the record they were saved with."""
from __future__ import annotations

import datetime
from bisect import bisect_right
from decimal import Decimal

from django.db import models
from django.utils import formats
from simple_history.template_utils import HistoricalRecordContextHelper

EMPTY = "（空）"
VERBS = {"+": "增加", "~": "修改", "-": "删除"}


def readable(field, value) -> str:
    """One stored value of ``field`` as the admin shows it."""
    if value is None or value == "" or value == []:
        return EMPTY
    base = getattr(field, "base_field", None)  # a list of choices (ArrayField) or JSON list
    if isinstance(value, (list, tuple)):
        item_field = base if base is not None else field
        return "、".join(readable(item_field, item) for item in value) if value else EMPTY
    choices = dict(field.flatchoices) if getattr(field, "choices", None) else {}
    if choices:
        return str(choices.get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(value)
    return str(value)


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    """simple_history's formatting with ``readable`` values."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if isinstance(field, models.ManyToManyField):
            return super().prepare_delta_change_value(change, value)
        if field.is_relation:
            return EMPTY if value is None else str(value)
        return readable(field, value)


def delta_lines(model, newer, older) -> list[str]:
    """「字段：旧 → 新」 for each field that differs between two versions of one record."""
    delta = newer.diff_against(older, foreign_keys_are_objs=True)
    helper = ReadableHistoryHelper(model, newer)
    return [f"{item['field']}：{item['old']} → {item['new']}" for item in helper.context_for_delta_changes(delta)]


SAVED_WITH = datetime.timedelta(seconds=10)


def related_changes(versions, related) -> None:
    """Give each of ``versions`` (one record's) a ``related_changes`` list: what ``related`` — pairs of (model,
    history queryset of the rows hanging on the record) — recorded when that version was saved, by the same
    account. An inline's rows are written a moment after the record's own version, in the same request."""
    versions = sorted(versions, key=lambda v: v.history_date)
    if not versions:
        return
    for version in versions:
        version.related_changes = []
    dates = [v.history_date for v in versions]
    for model, history in related:
        entries = history.filter(history_date__gte=dates[0], history_date__lte=dates[-1] + SAVED_WITH)
        noun = model._meta.verbose_name
        for entry in entries.order_by("history_date"):
            index = bisect_right(dates, entry.history_date) - 1
            version = versions[index] if index >= 0 else None
            if (version is None or entry.history_date - version.history_date > SAVED_WITH
                    or entry.history_user_id != version.history_user_id):
                continue
            line = f"{VERBS[entry.history_type]}{noun}：{entry.instance}"
            if entry.history_type == "~":
                previous = entry.prev_record
                changed = delta_lines(model, entry, previous) if previous is not None else []
                if not changed:
                    continue
                line += "（" + "；".join(changed) + "）"
            version.related_changes.append(line)
