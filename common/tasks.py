from celery import shared_task
from django.contrib import admin
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from .excel import ExcelFileError
from .models import Heartbeat, ImportJob


def send(task, *args) -> bool:
    """Queue ``task`` now, or say at once that the broker cannot be reached (no retries: the page must answer
    within seconds, and the caller records why nothing was queued)."""
    from kombu.exceptions import OperationalError

    try:
        task.apply_async(args, retry=False)
    except (OperationalError, OSError):
        return False
    return True


@shared_task(name="common.beat_heartbeat", bind=True, ignore_result=True, expires=120)
def beat_heartbeat(self) -> None:
    """Every minute (beat): proves that beat, the broker and a worker all work; ``/health/`` reads the time."""
    Heartbeat.objects.update_or_create(
        name="beat", defaults={"at": timezone.now(), "hostname": (self.request.hostname or "")[:255]})


@shared_task(name="common.import_jobs_reap", ignore_result=True)
def import_jobs_reap() -> int:
    return ImportJob.reap()


@shared_task(name="common.excel_uploads_prune", ignore_result=True)
def excel_uploads_prune(hours: int = 24) -> int:
    """Hourly (beat): uploads nobody confirmed within a day are removed (manage.py prune_excel_uploads)."""
    from .management.commands.prune_excel_uploads import prune_excel_uploads

    return prune_excel_uploads(hours)


@shared_task(name="common.excel_import_run", acks_late=True, max_retries=0, ignore_result=True)
def excel_import_run(job_id: str) -> str:
    """Run one phase of a large import; the admin polls the job for progress and the report."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return "missing"  # its transaction never committed, or the job was deleted
        if job.status != ImportJob.Status.QUEUED:
            return job.status  # delivered twice: the first delivery owns it
        job.status, job.heartbeat_at = ImportJob.Status.RUNNING, timezone.now()
        job.save(update_fields=["status", "heartbeat_at"])
    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label == job.model_label)

    side, progress = _progress_reporter(job)
    try:
        with default_storage.open(job.stored_path, "rb") as handle:
            content = handle.read()
        report = model_admin.excel_import(job.user, content, dry_run=job.phase == ImportJob.Phase.PREVIEW,
                                          progress=progress, options=job.options)
    except ExcelFileError as error:
        job.status, job.message = ImportJob.Status.FAILED, str(error)
    except Exception:
        job.status, job.message = ImportJob.Status.FAILED, "导入过程中出现系统错误，未写入任何数据，请联系管理员。"
        raise
    else:
        job.record(report, save=False)
        if job.phase == ImportJob.Phase.IMPORT and report.ok:
            default_storage.delete(job.stored_path)
    finally:
        if side is not None:
            side.close()
        job.finished_at = timezone.now()
        job.save()
    return job.status


def _progress_reporter(job: ImportJob):
    """Rows checked so far, written where the admin's poll can read them while the import still runs.

    The import is one transaction (whole file or nothing), so a count written inside it would stay invisible
    until the end; it goes through a second, autocommitting connection instead. SQLite allows one writer at a
    time, so there the count appears when the job ends."""
    if connection.vendor == "sqlite":
        return None, None
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    quote = side.ops.quote_name
    sql = (f"UPDATE {quote(ImportJob._meta.db_table)} SET {quote('total')} = %s, {quote('heartbeat_at')} = %s "
           f"WHERE {quote('id')} = %s")

    def progress(rows: int) -> None:
        with side.cursor() as cursor:
            cursor.execute(sql, [rows, timezone.now(), str(job.pk)])

    return side, progress
