"""The one set of admin screens for Excel on every ledger: download the template, upload and preview (a dry
run that lists every bad row, or what would land), confirm, and export. A model admin plugs in its own
template, import and export; scope comes from the admin's ``get_queryset`` and the importer's user."""
from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from .excel import ExcelFileError, append_row
from .imports import CLEAR_NOTE, ON_EXISTING_CHOICES, ON_EXISTING_ERROR, ImportReport
from .models import ImportJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_DIR = "excel-imports"
TOKEN_SALT = "common.excel-import"
TOKEN_MAX_AGE = 3600


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Excel 文件（.xlsx）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text="请使用“下载导入模板”得到的文件填写；整个文件无误才会导入。",
    )

    def __init__(self, *args, existing_choice: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if existing_choice:
            self.fields["on_existing"] = forms.ChoiceField(
                label="表中已登记的人员", choices=ON_EXISTING_CHOICES, initial=ON_EXISTING_ERROR, required=False,
                widget=forms.RadioSelect, help_text="按身份证号码判断是否已登记。预览会列出将跳过或更新的人数，确认后才写入。")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("只接受 Excel 工作簿（.xlsx）。")
        return upload

    @property
    def options(self) -> dict:
        """What the import is told besides the file (on sheets of people: what a registered person's row does)."""
        if "on_existing" not in self.fields:
            return {}
        return {"on_existing": self.cleaned_data.get("on_existing") or ON_EXISTING_ERROR}


def _change_rows(report: ImportReport) -> list:
    return ImportJob.change_rows(report)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class ExcelAdminMixin:
    """Mixed into a scoped model admin. Subclasses implement the four ``excel_*`` hooks."""

    change_list_template = "admin/excel_change_list.html"
    excel_title = ""  # 协会台账, 注册志愿者 …
    excel_noun = "条记录"
    # Files larger than this are checked and imported by a Celery worker, with a progress bar, so no request
    # is held open for minutes.
    excel_background_bytes = 512 * 1024
    # A sheet of people: the upload form asks what a row for someone already registered does.
    excel_existing_choice = False

    # hooks -------------------------------------------------------------------------------------------------
    def excel_template(self, request) -> bytes:
        raise NotImplementedError

    def excel_export(self, request, queryset) -> bytes:
        raise NotImplementedError

    def excel_import(self, user, content: bytes, *, dry_run: bool, progress=None, options=None) -> ImportReport:
        """``options``: the upload form's ``options`` (``UploadForm.options``), kept with the preview."""
        raise NotImplementedError

    def excel_upload_form(self, data=None, files=None) -> UploadForm:
        return UploadForm(data, files, existing_choice=self.excel_existing_choice)

    # urls and views ----------------------------------------------------------------------------------------
    def _url_name(self, view: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_excel_{view}"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("excel/template/", wrap(self.excel_template_view), name=self._url_name("template")),
            path("excel/export/", wrap(self.excel_export_view), name=self._url_name("export")),
            path("excel/import/", wrap(self.excel_import_view), name=self._url_name("import")),
            path("excel/import/confirm/", wrap(self.excel_confirm_view), name=self._url_name("confirm")),
            path("excel/job/<uuid:job_id>/", wrap(self.excel_job_view), name=self._url_name("job")),
            path("excel/job/<uuid:job_id>/status/", wrap(self.excel_job_status_view), name=self._url_name("job_status")),
            path("excel/job/<uuid:job_id>/errors/", wrap(self.excel_job_errors_view), name=self._url_name("job_errors")),
            path("excel/job/<uuid:job_id>/confirm/", wrap(self.excel_job_confirm_view),
                 name=self._url_name("job_confirm")),
            path("excel/job/<uuid:job_id>/retry/", wrap(self.excel_job_retry_view), name=self._url_name("job_retry")),
            *super().get_urls(),
        ]

    def _require_import_permission(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied

    def excel_template_view(self, request):
        self._require_import_permission(request)
        return xlsx_response(self.excel_template(request), f"{self.excel_title}导入模板.xlsx")

    def excel_export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        queryset = self.get_changelist_instance(request).get_queryset(request)  # scope and the list's filters
        content = self.excel_export(request, queryset)
        return xlsx_response(content, f"{self.excel_title}_{timezone.localdate():%Y%m%d}.xlsx")

    def _context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"导入{self.excel_title}",
            "noun": self.excel_noun,
            "template_url": reverse(f"admin:{self._url_name('template')}"),
            "confirm_url": reverse(f"admin:{self._url_name('confirm')}"),
            "import_url": reverse(f"admin:{self._url_name('import')}"),
            **extra,
        }

    def _render(self, request, **extra):
        return TemplateResponse(request, "admin/excel_import.html", self._context(request, **extra))

    def excel_import_view(self, request):
        self._require_import_permission(request)
        form = self.excel_upload_form(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            content = form.cleaned_data["file"].read()
            options = form.options
            if len(content) > self.excel_background_bytes:
                return self._start_job(request, content, form.cleaned_data["file"].name, options)
            try:
                report = self.excel_import(request.user, content, dry_run=True, options=options)
            except ExcelFileError as error:
                form.add_error("file", str(error))
            else:
                token = None
                if report.ok:
                    stored = default_storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}.xlsx", ContentFile(content))
                    token = signing.dumps({"path": stored, "user": request.user.pk, "model": self.opts.label,
                                           "filename": form.cleaned_data["file"].name[:255], "options": options},
                                          salt=TOKEN_SALT)
                return self._render(request, form=self.excel_upload_form(), report=report, token=token,
                                    filename=form.cleaned_data["file"].name, changes=_change_rows(report),
                                    choice=self._choice_label(options))
        return self._render(request, form=form)

    @staticmethod
    def _choice_label(options) -> str:
        """The chosen handling of registered people, as the preview repeats it."""
        value = (options or {}).get("on_existing")
        return dict(ON_EXISTING_CHOICES)[value].split("：")[0] if value else ""

    def excel_confirm_view(self, request):
        self._require_import_permission(request)
        retry = redirect(f"admin:{self._url_name('import')}")
        if request.method != "POST":
            return retry
        try:
            payload = signing.loads(request.POST.get("token", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            messages.error(request, "导入确认已过期或无效，请重新上传文件。")
            return retry
        if (payload.get("user") != request.user.pk or payload.get("model") != self.opts.label
                or not payload.get("path", "").startswith(f"{UPLOAD_DIR}/")):
            raise PermissionDenied
        try:
            with default_storage.open(payload["path"], "rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            messages.error(request, "该文件已经导入或已过期，请重新上传。")
            return retry
        options = payload.get("options") or {}
        job = self._claim_import(request, payload["path"], payload.get("filename", "") or "（直接导入）",
                                 options, status=ImportJob.Status.RUNNING)
        if job is None:
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        try:
            report = self.excel_import(request.user, content, dry_run=False, options=options)
        except BaseException:
            ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, finished_at=timezone.now(),
                                                       message="导入过程中出现系统错误，未写入任何数据，请联系管理员。")
            raise
        job.record(report)
        if not report.ok:
            # The data changed between preview and confirm: show why; nothing was written.
            return self._render(request, form=self.excel_upload_form(), report=report, token=None)
        default_storage.delete(payload["path"])
        messages.success(request, f"导入完成：新增 {report.new} {self.excel_noun}，更新 {report.updated} {self.excel_noun}"
                                  + (f"，{report.unchanged} {self.excel_noun}无变化" if report.unchanged else "")
                                  + (f"，跳过已登记的 {report.skipped} {self.excel_noun}" if report.skipped else "")
                                  + "。")
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    # background jobs -----------------------------------------------------------------------------------------
    def _enqueue(self, job: ImportJob) -> None:
        """Queue the job once it is committed; a broker that cannot be reached fails it at once, with a message
        saying so, and the file stays for 重新执行."""
        from .tasks import excel_import_run, send

        def queue():
            if not send(excel_import_run, str(job.pk)):
                ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
                    status=ImportJob.Status.FAILED, message=ImportJob.BROKER_DOWN, finished_at=timezone.now())

        transaction.on_commit(queue)

    def _start_job(self, request, content: bytes, filename: str, options: dict):
        from .excel import check_xlsx

        try:
            check_xlsx(content)
        except ExcelFileError as error:
            form = self.excel_upload_form()
            form.add_error(None, str(error))
            return self._render(request, form=form)
        stored = default_storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}.xlsx", ContentFile(content))
        job = ImportJob.objects.create(user=request.user, model_label=self.opts.label, filename=filename,
                                       stored_path=stored, options=options)
        self._enqueue(job)
        return redirect(f"admin:{self._url_name('job')}", job_id=job.pk)

    def _job(self, request, job_id) -> ImportJob:
        self._require_import_permission(request)
        job = ImportJob.objects.filter(pk=job_id, user=request.user, model_label=self.opts.label).first()
        if job is None:
            raise Http404("导入任务不存在。")
        return job

    def excel_job_view(self, request, job_id):
        job = self._job(request, job_id)
        if ImportJob.reap(pk=job.pk):
            job.refresh_from_db()
        return TemplateResponse(request, "admin/excel_job.html", self._context(
            request, job=job, errors=job.errors[:200], choice=self._choice_label(job.options),
            status_url=reverse(f"admin:{self._url_name('job_status')}", args=[job.pk]),
            errors_url=reverse(f"admin:{self._url_name('job_errors')}", args=[job.pk]),
            job_confirm_url=reverse(f"admin:{self._url_name('job_confirm')}", args=[job.pk]),
            job_retry_url=reverse(f"admin:{self._url_name('job_retry')}", args=[job.pk]),
            changelist_url=reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"),
        ))

    def excel_job_status_view(self, request, job_id):
        job = self._job(request, job_id)
        if ImportJob.reap(pk=job.pk):
            job.refresh_from_db()
        return JsonResponse({"status": job.status, "total": job.total, "errors": len(job.errors)})

    def excel_job_errors_view(self, request, job_id):
        from openpyxl import Workbook

        job = self._job(request, job_id)
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("问题清单")
        append_row(sheet, ["行号", "列", "问题"])
        for row, column, message in job.errors:
            append_row(sheet, [row, column, message])
        from io import BytesIO

        buffer = BytesIO()
        workbook.save(buffer)
        return xlsx_response(buffer.getvalue(), f"导入问题清单_{job.filename}")

    def excel_job_confirm_view(self, request, job_id):
        preview = self._job(request, job_id)
        if request.method != "POST" or not preview.ok or preview.phase != ImportJob.Phase.PREVIEW:
            raise PermissionDenied
        job = self._claim_import(request, preview.stored_path, preview.filename, preview.options)
        if job is None:
            live = ImportJob.objects.filter(stored_path=preview.stored_path, phase=ImportJob.Phase.IMPORT).exclude(
                status=ImportJob.Status.FAILED).first()
            return redirect(f"admin:{self._url_name('job')}", job_id=live.pk)
        self._enqueue(job)
        return redirect(f"admin:{self._url_name('job')}", job_id=job.pk)

    def _claim_import(self, request, stored_path: str, filename: str, options: dict,
                      status=ImportJob.Status.QUEUED):
        """The import job of an upload, or None when one is already queued, running or done (a second
        confirmation of the same preview): the database's unique constraint decides, whatever the timing."""
        try:
            with transaction.atomic():
                return ImportJob.objects.create(user=request.user, model_label=self.opts.label, filename=filename,
                                                stored_path=stored_path, phase=ImportJob.Phase.IMPORT, status=status,
                                                options=options, heartbeat_at=timezone.now())
        except IntegrityError:
            messages.info(request, "该文件已经确认导入，不会重复导入。")
            return None

    def excel_job_retry_view(self, request, job_id):
        """重新执行: a failed job's phase again, from the same stored file."""
        failed = self._job(request, job_id)
        if request.method != "POST" or failed.status != ImportJob.Status.FAILED:
            raise PermissionDenied
        if not default_storage.exists(failed.stored_path):
            messages.error(request, "原文件已不存在，请重新上传。")
            return redirect(f"admin:{self._url_name('import')}")
        if failed.phase == ImportJob.Phase.IMPORT:
            job = self._claim_import(request, failed.stored_path, failed.filename, failed.options)
            if job is None:
                return redirect(f"admin:{self._url_name('job')}", job_id=failed.pk)
        else:
            job = ImportJob.objects.create(user=request.user, model_label=self.opts.label, filename=failed.filename,
                                           stored_path=failed.stored_path, options=failed.options)
        self._enqueue(job)
        return redirect(f"admin:{self._url_name('job')}", job_id=job.pk)


class TableExcelAdminMixin(ExcelAdminMixin):
    """Excel for an admin whose sheet is described by a ``TableImporter``: the template, the export and the
    import all come from the importer's columns, so what is exported re-imports."""

    excel_importer_class = None
    excel_updates = False  # a row can match a stored record and update it (the ledger, projects)
    excel_example: dict = {}
    excel_notes: tuple[str, ...] = ()
    excel_text_columns: tuple[str, ...] = ()
    excel_export_related: tuple[str, ...] = ()

    @property
    def excel_existing_choice(self) -> bool:
        return self.excel_importer_class.existing_choice

    def excel_dropdowns(self, user) -> dict[str, list[str]]:
        from .imports import ChoiceWidget, YesNoWidget

        importer = self.excel_importer_class(user)
        lists = {}
        for column in importer.columns:
            if isinstance(column.widget, ChoiceWidget):
                lists[column.header] = list(column.widget.labels.values())
            elif isinstance(column.widget, YesNoWidget):
                lists[column.header] = ["是", "否"]
        return lists

    def excel_template(self, request):
        from .excel import build_template

        importer = self.excel_importer_class(request.user)
        notes = [f"{self.excel_title}导入模板填写说明",
                 "第 1 行为列标题，请勿修改；从第 2 行起每行一条，示例行导入前请删除。",
                 "日期可写成 2024-03-05、2024/3/5 或 2024年3月5日；文件中任何一行有错误时整个文件都不会导入。",
                 *self.excel_notes, *((CLEAR_NOTE,) if self.excel_updates else ())]
        return build_template(sheet_name=importer.sheet_name, headers=importer.headers, example=self.excel_example,
                              dropdowns=self.excel_dropdowns(request.user), notes=notes,
                              text_columns=self.excel_text_columns)

    def excel_export(self, request, queryset):
        from .tabular import importer_workbook

        rows = queryset.select_related(*self.excel_export_related).order_by("pk").iterator(chunk_size=2000)
        return importer_workbook(self.excel_importer_class(request.user), rows)

    def excel_import(self, user, content, *, dry_run, progress=None, options=None):
        from .excel import iter_sheet

        importer = self.excel_importer_class(user, **(options or {}))
        headers, rows = iter_sheet(content, sheet_name=importer.sheet_name, max_rows=importer.max_rows)
        return importer.run(headers, rows, dry_run=dry_run, progress=progress)
