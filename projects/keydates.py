"""G17 "抓住3月5日学雷锋日、五四青年节、12月5日国际志愿者日等重要时间节点": which days count for a key date.

The notice names days but means the occasion: 学雷锋 is a month of activities, and an activity a few days before
or after 五四 or 12月5日 is held for it. The windows are data (``projects.KeyDate``, edited by region staff);
this module is the pure reading of them, shared by the activity tag, the import and the 体检 rule.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class KeyDateWindow:
    code: str  # "MM-DD" of the key date itself, stored on each activity held in its window
    name: str
    whole_month: bool = False
    days_before: int = 0
    days_after: int = 0

    @property
    def month(self) -> int:
        return int(self.code[:2])

    @property
    def day(self) -> int:
        return int(self.code[3:])

    def span(self, year: int) -> tuple[date, date]:
        """First and last day that count for this key date in ``year`` (the year of the key date itself)."""
        if self.whole_month:
            return date(year, self.month, 1), date(year, self.month, calendar.monthrange(year, self.month)[1])
        anchor = date(year, self.month, self.day)
        return anchor - timedelta(days=self.days_before), anchor + timedelta(days=self.days_after)

    def contains(self, day: date) -> bool:
        return any(start <= day <= end for start, end in (self.span(y) for y in (day.year - 1, day.year, day.year + 1)))

    def describe(self, year: int) -> str:
        start, end = self.span(year)
        if start == end:
            return f"{start.month}月{start.day}日"
        return f"{start.month}月{start.day}日至{end.month}月{end.day}日"

    def month_days(self) -> dict[int, list[int]]:
        """Every (month → days) the window covers in a leap year: the filter that retags stored activities."""
        start, end = self.span(2024)
        covered: dict[int, list[int]] = {}
        day = start
        while day <= end:
            covered.setdefault(day.month, []).append(day.day)
            day += timedelta(days=1)
        return covered


DEFAULT_WINDOWS = (
    KeyDateWindow("03-05", "学雷锋纪念日", whole_month=True),
    KeyDateWindow("05-04", "五四青年节", days_before=7, days_after=7),
    KeyDateWindow("12-05", "国际志愿者日", days_before=7, days_after=7),
)


def key_date_of(day: date | None, windows) -> str:
    """The code of the key-date window a day falls in, or ""."""
    if day is None:
        return ""
    return next((w.code for w in windows if w.contains(day)), "")
