from django.db import models
from django.db.models import F, Q


def dates_in_order(start: str, end: str, *, name: str, message: str, start_required: bool = False):
    """A database backstop for a period: ``end`` is not before ``start`` (either may be missing)."""
    condition = Q(**{f"{end}__isnull": True})
    if not start_required:
        condition |= Q(**{f"{start}__isnull": True})
    condition |= Q(**{f"{end}__gte": F(start)})
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)
