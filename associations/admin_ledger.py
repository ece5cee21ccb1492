"""Excel in and out of the association admin: template, import with preview then confirm, ledger export."""
from __future__ import annotations

import uuid

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

from common.excel import ExcelFileError, read_sheet
from common.imports import run_import

from .exports import LEDGER_SHEET, ledger_template, ledger_workbook
from .resources import AssociationResource

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_DIR = "ledger-imports"
TOKEN_SALT = "associations.ledger-import"
TOKEN_MAX_AGE = 3600


class LedgerUploadForm(forms.Form):
    file = forms.FileField(
        label="台账文件（.xlsx）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text="请使用“下载导入模板”得到的文件填写；整个文件无误才会导入。",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("只接受 Excel 工作簿（.xlsx）。")
        return upload


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


class LedgerExcelMixin:
    """Added to the association admin: every path goes through ``get_queryset`` and the user's scope."""

    change_list_template = "associations/change_list.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path("ledger/template/", view(self.ledger_template_view), name="%s_%s_ledger_template" % info),
            path("ledger/export/", view(self.ledger_export_view), name="%s_%s_ledger_export" % info),
            path("ledger/import/", view(self.ledger_import_view), name="%s_%s_ledger_import" % info),
            path("ledger/import/confirm/", view(self.ledger_confirm_view), name="%s_%s_ledger_confirm" % info),
            *super().get_urls(),
        ]

    def _require_import_permission(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied

    def ledger_template_view(self, request):
        self._require_import_permission(request)
        from urllib.parse import quote

        return _xlsx_response(ledger_template(user=request.user), quote("协会台账导入模板.xlsx"))

    def ledger_export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        from urllib.parse import quote

        changelist = self.get_changelist_instance(request)  # the user's scope, with the list's filters
        queryset = changelist.get_queryset(request)
        today = timezone.localdate()
        content = ledger_workbook(queryset, user=request.user, as_of=today)
        return _xlsx_response(content, quote(f"协会台账_{today:%Y%m%d}.xlsx"))

    def _context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "导入协会台账",
            "template_url": reverse("admin:associations_association_ledger_template"),
            **extra,
        }

    def ledger_import_view(self, request):
        """Upload, then a dry run: the preview lists every bad row, or what would be created and changed."""
        self._require_import_permission(request)
        form = LedgerUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            content = form.cleaned_data["file"].read()
            try:
                dataset = read_sheet(content, sheet_name=LEDGER_SHEET)
            except ExcelFileError as error:
                form.add_error("file", str(error))
            else:
                report = run_import(AssociationResource(user=request.user), dataset, dry_run=True)
                token = None
                if report.ok:
                    stored = default_storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}.xlsx", ContentFile(content))
                    token = signing.dumps({"path": stored, "user": request.user.pk}, salt=TOKEN_SALT)
                return TemplateResponse(
                    request, "associations/ledger_import.html",
                    self._context(request, form=LedgerUploadForm(), report=report, token=token,
                                  filename=form.cleaned_data["file"].name),
                )
        return TemplateResponse(request, "associations/ledger_import.html", self._context(request, form=form))

    def ledger_confirm_view(self, request):
        self._require_import_permission(request)
        if request.method != "POST":
            return redirect("admin:associations_association_ledger_import")
        try:
            payload = signing.loads(request.POST.get("token", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            messages.error(request, "导入确认已过期或无效，请重新上传文件。")
            return redirect("admin:associations_association_ledger_import")
        if payload.get("user") != request.user.pk or not payload.get("path", "").startswith(f"{UPLOAD_DIR}/"):
            raise PermissionDenied
        try:
            with default_storage.open(payload["path"], "rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            messages.error(request, "该文件已经导入或已过期，请重新上传。")
            return redirect("admin:associations_association_ledger_import")
        dataset = read_sheet(content, sheet_name=LEDGER_SHEET)
        report = run_import(AssociationResource(user=request.user), dataset, dry_run=False)
        if not report.ok:
            # The ledger changed between preview and confirm: show why, nothing was written.
            return TemplateResponse(
                request, "associations/ledger_import.html",
                self._context(request, form=LedgerUploadForm(), report=report, token=None),
            )
        default_storage.delete(payload["path"])
        messages.success(request, f"导入完成：新增 {report.new} 个协会，更新 {report.updated} 个。")
        return redirect("admin:associations_association_changelist")
