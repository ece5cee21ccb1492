from datetime import date

from celery import shared_task
from django.db import OperationalError

from .services import snapshot_dates, snapshots_compute


@shared_task(name="reports.snapshots_compute", acks_late=True, autoretry_for=(OperationalError,), max_retries=3,
             retry_backoff=30, soft_time_limit=10 * 60, time_limit=12 * 60)
def snapshots_compute_task(as_of: str | None = None) -> int:
    """Nightly, on demand from the admin (重新计算) and from ``manage.py compute_snapshots``."""
    dates = [date.fromisoformat(as_of)] if as_of else snapshot_dates()
    return snapshots_compute(dates)
