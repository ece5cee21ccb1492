from celery import shared_task
from django.db.models import Count

from .models import Division


@shared_task(name="divisions.level_counts")
def division_level_counts() -> dict[str, int]:
    """Statutory divisions per level: a cheap end-to-end probe that a worker reaches the database."""
    rows = Division.objects.filter(is_statutory=True).values("level").annotate(n=Count("pk"))
    return {row["level"]: row["n"] for row in rows}
