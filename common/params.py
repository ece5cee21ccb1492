"""Query parameters that every page and endpoint reads the same way."""
from datetime import date

from django.core.exceptions import BadRequest
from django.utils import timezone

from .excel import parse_date


def as_of_param(request, name: str = "as_of") -> date:
    """The day a page is looked at: today when absent, a future day clamped to today, a day that does not exist
    (2020-02-30) a 400 naming it."""
    value = (request.GET.get(name) or "").strip()
    today = timezone.localdate()
    if not value:
        return today
    try:
        day = parse_date(value)
    except ValueError as error:
        raise BadRequest(f"查看日期（{name}）有误：{error}") from None
    return min(day, today)
