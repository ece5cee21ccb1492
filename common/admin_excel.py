"""The one set of admin screens for Excel on every ledger: download the template, upload and preview (a dry
run that lists every bad row, or what would land), confirm, and export. A model admin plugs in its own
template, import and export; scope comes from the admin's ``get_queryset`` and the importer's user."""
from __future__ import annotations

import uuid
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from .excel import ExcelFileError
from .imports import ImportReport

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

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("只接受 Excel 工作簿（.xlsx）。")
        return upload


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


class ExcelAdminMixin:
    """Mixed into a scoped model admin. Subclasses implement the four ``excel_*`` hooks."""

    change_list_template = "admin/excel_change_list.html"
    excel_title = ""  # 协会台账, 注册志愿者 …
    excel_noun = "条记录"

    # hooks -------------------------------------------------------------------------------------------------
    def excel_template(self, request) -> bytes:
        raise NotImplementedError

    def excel_export(self, request, queryset) -> bytes:
        raise NotImplementedError

    def excel_import(self, request, content: bytes, *, dry_run: bool) -> ImportReport:
        raise NotImplementedError

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
            **extra,
        }

    def _render(self, request, **extra):
        return TemplateResponse(request, "admin/excel_import.html", self._context(request, **extra))

    def excel_import_view(self, request):
        self._require_import_permission(request)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            content = form.cleaned_data["file"].read()
            try:
                report = self.excel_import(request, content, dry_run=True)
            except ExcelFileError as error:
                form.add_error("file", str(error))
            else:
                token = None
                if report.ok:
                    stored = default_storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}.xlsx", ContentFile(content))
                    token = signing.dumps({"path": stored, "user": request.user.pk, "model": self.opts.label},
                                          salt=TOKEN_SALT)
                return self._render(request, form=UploadForm(), report=report, token=token,
                                    filename=form.cleaned_data["file"].name)
        return self._render(request, form=form)

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
        report = self.excel_import(request, content, dry_run=False)
        if not report.ok:
            # The data changed between preview and confirm: show why; nothing was written.
            return self._render(request, form=UploadForm(), report=report, token=None)
        default_storage.delete(payload["path"])
        messages.success(request, f"导入完成：新增 {report.new} {self.excel_noun}，更新 {report.updated} {self.excel_noun}。")
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
