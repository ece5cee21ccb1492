from datetime import date

from celery import shared_task
from django.db import OperationalError

from .services import snapshot_dates, snapshots_compute


@shared_task(name="reports.snapshots_compute", bind=True, acks_late=True, autoretry_for=(OperationalError,),
             max_retries=3, retry_backoff=30, soft_time_limit=10 * 60, time_limit=12 * 60)
def snapshots_compute_task(self, as_of: str | None = None, job_id: int | None = None) -> int:
    """Nightly, on demand from the admin (重新计算, with its job for the progress) and from
    ``manage.py compute_snapshots``."""
    dates = [date.fromisoformat(as_of)] if as_of else snapshot_dates()
    if job_id is None:
        return snapshots_compute(dates)
    return _run_job(job_id, dates, retried=self.request.retries > 0)


def _run_job(job_id: int, dates: list[date], retried: bool) -> int:
    from django.db import transaction
    from django.utils import timezone

    from .models import SnapshotJob
    from .services import latest_run

    with transaction.atomic():
        job = SnapshotJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not (job.status == SnapshotJob.Status.QUEUED or (retried and job.active)):
            return 0  # delivered twice, or given up on: the first delivery owns it
        job.status, job.heartbeat_at, job.dates_total = SnapshotJob.Status.RUNNING, timezone.now(), len(dates)
        job.save(update_fields=["status", "heartbeat_at", "dates_total"])

    def progress(done, total):
        SnapshotJob.objects.filter(pk=job_id).update(dates_done=done, dates_total=total, heartbeat_at=timezone.now())

    try:
        rows = snapshots_compute(dates, progress=progress)
    except OperationalError:
        raise  # retried: the job stays running until the retry reports
    except Exception as error:
        SnapshotJob.objects.filter(pk=job_id).update(
            status=SnapshotJob.Status.FAILED, finished_at=timezone.now(),
            message=f"计算失败（{type(error).__name__}），未写入新的快照，看板仍显示上一次的结果。")
        raise
    SnapshotJob.objects.filter(pk=job_id).update(
        status=SnapshotJob.Status.DONE, finished_at=timezone.now(), run=latest_run(),
        message=f"共 {rows} 条快照。")
    return rows
