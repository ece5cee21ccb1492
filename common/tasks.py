from celery import shared_task
from django.contrib import admin
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from .excel import ExcelFileError
from .models import ImportJob


@shared_task(name="common.excel_import_run", acks_late=True, max_retries=0)
def excel_import_run(job_id: str) -> str:
    """Run one phase of a large import; the admin polls the job for progress and the report."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return "missing"  # its transaction never committed, or the job was deleted
        if job.status != ImportJob.Status.QUEUED:
            return job.status  # delivered twice: the first delivery owns it
        job.status = ImportJob.Status.RUNNING
        job.save(update_fields=["status"])
    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label == job.model_label)

    side, progress = _progress_reporter(job)
    try:
        with default_storage.open(job.stored_path, "rb") as handle:
            content = handle.read()
        report = model_admin.excel_import(job.user, content, dry_run=job.phase == ImportJob.Phase.PREVIEW,
                                          progress=progress)
    except ExcelFileError as error:
        job.status, job.message = ImportJob.Status.FAILED, str(error)
    except Exception:
        job.status, job.message = ImportJob.Status.FAILED, "导入过程中出现系统错误，未写入任何数据，请联系管理员。"
        raise
    else:
        job.status = ImportJob.Status.DONE
        job.total, job.new, job.updated, job.unchanged = report.total, report.new, report.updated, report.unchanged
        job.changes = [[c.row, c.label, [list(f) for f in c.fields]] for c in report.changes]
        job.errors = [[e.row, e.column, e.message] for e in report.errors[: ImportJob.MAX_ERRORS_KEPT]]
        job.message = " ".join(report.notes)[:500]
        if len(report.errors) > ImportJob.MAX_ERRORS_KEPT:
            job.message = f"共 {len(report.errors)} 处问题，仅保留前 {ImportJob.MAX_ERRORS_KEPT} 处。"
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
    sql = f"UPDATE {quote(ImportJob._meta.db_table)} SET {quote('total')} = %s WHERE {quote('id')} = %s"

    def progress(rows: int) -> None:
        with side.cursor() as cursor:
            cursor.execute(sql, [rows, str(job.pk)])

    return side, progress
