from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header

from accounts.admin_scoping import (
    CountyListFilter,
    LeagueListFilter,
    ReadOnlyAdminMixin,
    ScopedInline,
    ScopedModelAdmin,
    pk_or_404,
)
from common.admin_excel import TableExcelAdminMixin
from common.paginator import FastCountPaginator
from members.admin import VolunteerColumnsMixin

from .certificates import certificate_pdf
from .importers import ActivityImporter, ProjectImporter, ServiceRecordImporter
from .models import (
    BENEFICIARY_GROUPS,
    Activity,
    Certificate,
    ContestEntry,
    FundingLine,
    KeyDate,
    Project,
    ServiceRecord,
    ServiceRecordCorrection,
    service_hours,
)
from .services import (
    certificate_issue,
    certificate_principal,
    certificate_records,
    no_records_message,
    service_record_correct,
    service_records_confirm,
)


class FundingLineInline(ScopedInline):
    model = FundingLine
    fields = ("source", "amount", "received_on", "note")


class ContestEntryInline(ScopedInline):
    model = ContestEntry
    fields = ("year", "level", "award")


@admin.register(Project)
class ProjectAdmin(TableExcelAdminMixin, ScopedModelAdmin):
    excel_title = "志愿服务项目"
    excel_noun = "个项目"
    excel_importer_class = ProjectImporter
    excel_updates = True
    excel_text_columns = ("协会统一编制序列号",)
    excel_export_related = ("association", "team")
    excel_example = {"协会统一编制序列号": "150102-01", "项目名称": "七彩小屋陪伴计划", "项目品牌": "关爱行动·七彩小屋",
                     "服务领域": "助学", "常态化项目": "是", "开始日期": "2021-03-05", "服务对象": "留守儿童、农民工子女"}
    excel_notes = ("同一协会已有同名项目时，导入会更新该项目。",
                   "服务对象可填多个，用顿号分隔：" + "、".join(label for _, label in BENEFICIARY_GROUPS) + "。")
    list_display = ("name", "association", "brand", "domain", "regular", "started_on", "ended_on", "library_status")
    list_filter = (LeagueListFilter, CountyListFilter, "brand", "domain", "regular", "library_status")
    list_select_related = ("association",)
    search_fields = ("name", "association__name")
    autocomplete_fields = ("association", "team")
    inlines = (FundingLineInline, ContestEntryInline)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "beneficiaries":
            return forms.TypedMultipleChoiceField(label=db_field.verbose_name, choices=BENEFICIARY_GROUPS,
                                                  required=False, widget=forms.CheckboxSelectMultiple)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Activity)
class ActivityAdmin(TableExcelAdminMixin, ScopedModelAdmin):
    excel_title = "志愿服务活动"
    excel_noun = "次活动"
    excel_importer_class = ActivityImporter
    excel_text_columns = ("协会统一编制序列号", "区划代码")
    excel_export_related = ("project__association", "township")
    excel_example = {"协会统一编制序列号": "150102-01", "项目名称": "七彩小屋陪伴计划", "活动名称": "学雷锋日社区服务",
                     "活动日期": "2024-03-05", "所在乡镇（街道）": "海拉尔东路街道", "活动地点": "青年之家",
                     "可能发生人身危险": "否"}
    excel_notes = ("活动日期为 3月5日、5月4日、12月5日 时自动标注为重要节点活动。",
                   "“可能发生人身危险”填“是”或“否”：是的，参加前应为志愿者购买人身意外伤害保险（《志愿服务条例》第十七条）；"
                   "不清楚请留空。")
    list_display = ("name", "project", "held_on", "key_date_text", "may_endanger", "township", "service_base")
    list_filter = (LeagueListFilter, CountyListFilter, "key_date", "may_endanger")
    list_select_related = ("project", "township", "service_base")
    search_fields = ("name", "project__name", "project__association__name")
    date_hierarchy = "held_on"
    autocomplete_fields = ("project", "township", "service_base")

    @admin.display(description="重要节点", ordering="key_date")
    def key_date_text(self, obj):
        return obj.key_date_label or "—"


class ServiceRecordForm(forms.ModelForm):
    correction_reason = forms.CharField(label="更正原因", max_length=200, required=False,
                                        help_text="修改已保存记录的服务时长或日期时必填；原值和原因都会保留。")

    class Meta:
        model = ServiceRecord
        fields = "__all__"

    def clean_hours(self):
        hours = self.cleaned_data.get("hours")
        if hours is None:
            return hours
        try:
            return service_hours(hours)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and {"hours", "served_on"} & set(self.changed_data):
            if not (cleaned.get("correction_reason") or "").strip():
                self.add_error("correction_reason", "更正服务时长或日期须填写更正原因。")
        return cleaned


class CorrectionInline(ReadOnlyAdminMixin, ScopedInline):
    model = ServiceRecordCorrection
    fields = ("old_served_on", "old_hours", "new_served_on", "new_hours", "reason", "corrected_by", "corrected_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("corrected_by")


@admin.register(ServiceRecord)
class ServiceRecordAdmin(VolunteerColumnsMixin, TableExcelAdminMixin, ScopedModelAdmin):
    form = ServiceRecordForm
    excel_title = "志愿服务记录"
    excel_noun = "条服务记录"
    excel_importer_class = ServiceRecordImporter
    excel_text_columns = ("协会统一编制序列号", "身份证号码")
    excel_export_related = ("association", "activity__project", "volunteer")
    excel_example = {"协会统一编制序列号": "150102-01", "项目名称": "七彩小屋陪伴计划", "活动名称": "学雷锋日社区服务",
                     "活动日期": "2024-03-05", "身份证号码": "（18 位，须已登记为注册志愿者）", "姓名": "王志强",
                     "服务时长（小时）": 2.5, "状态": "已记录"}
    excel_notes = ("服务时长只计实际服务时间，不含往返路程；按实际填写，精确到 0.1 小时（6 分钟），不另行取整。",
                   "服务日期不填时为活动日期；活动须先在“志愿服务活动”中登记或导入。")
    list_display = ("served_on", "volunteer_name", "volunteer_id_masked", "activity", "association", "hours",
                    "status")
    list_filter = (LeagueListFilter, CountyListFilter, "status")
    list_select_related = ("volunteer", "activity__project__association", "association")
    search_fields = ("volunteer__name",)
    search_help_text = "输入志愿者姓名（开头）查找"
    autocomplete_fields = ("volunteer", "activity")
    readonly_fields = ("association", "recorded_by", "recorded_at", "confirmed_by", "confirmed_at")
    paginator = FastCountPaginator
    show_full_result_count = False
    actions = ("confirm_records",)
    inlines = (CorrectionInline,)

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip()
        return (queryset.filter(volunteer__name__startswith=term) if term else queryset), False

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()  # a new record has nothing corrected yet

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["volunteer", "activity", "status"]
        return fields

    def get_fields(self, request, obj=None):
        fields = ["volunteer", "activity", "served_on", "hours", "status", "association", "recorded_by",
                  "recorded_at", "confirmed_by", "confirmed_at"]
        if obj is not None:
            fields.insert(4, "correction_reason")
        return fields

    def save_model(self, request, obj, form, change):
        if change and {"hours", "served_on"} & set(form.changed_data):
            original = ServiceRecord.objects.get(pk=obj.pk)
            new_hours, new_served_on = obj.hours, obj.served_on
            obj.hours, obj.served_on = original.hours, original.served_on
            service_record_correct(record=original, hours=new_hours, served_on=new_served_on,
                                   reason=form.cleaned_data["correction_reason"], user=request.user)
            obj.refresh_from_db()
            return
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="确认所选服务记录", permissions=["change"])
    def confirm_records(self, request, queryset):
        count = service_records_confirm(queryset, user=request.user)
        self.message_user(request, f"已确认 {count} 条服务记录。", messages.SUCCESS)


class CertificateForm(forms.ModelForm):
    class Meta:
        model = Certificate
        fields = ("volunteer", "association", "period_start", "period_end", "principal", "handler", "contact")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "contact" in self.fields:
            self.fields["contact"].required = True
            self.fields["contact"].error_messages["required"] = "请填写出具单位的联系方式（如办公电话），证明上须载明，供查验使用。"

    def clean(self):
        cleaned = super().clean()
        volunteer, association = cleaned.get("volunteer"), cleaned.get("association")
        if association and not (cleaned.get("principal") or "").strip() and not certificate_principal(
                association, timezone.localdate()):
            self.add_error("principal", f"{association.name}没有在任的会长或法定代表人，请填写负责人。")
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if volunteer and association and start and end:
            if end < start:
                self.add_error("period_end", "截止日期不能早于起始日期。")
            elif not certificate_records(volunteer=volunteer, association=association, period_start=start,
                                         period_end=end).exists():
                raise ValidationError(no_records_message(volunteer, association, start, end))
        return cleaned


@admin.register(KeyDate)
class KeyDateAdmin(ScopedModelAdmin):
    """G17's key dates and their windows: data, set by the region; saving one tags every activity again."""

    list_display = ("name", "code", "window_text", "active")
    list_select_related = ("division",)
    autocomplete_fields = ("division",)

    @admin.display(description="计入的日期")
    def window_text(self, obj):
        return obj.window.describe(2024) + ("（整月）" if obj.whole_month else "")

    def get_changeform_initial_data(self, request):
        from divisions.models import Division

        return {"division": Division.objects.filter(level="region").first(),
                **super().get_changeform_initial_data(request)}

    def has_delete_permission(self, request, obj=None):
        return False  # switched off with 启用 instead, so its history stays


@admin.register(Certificate)
class CertificateAdmin(ScopedModelAdmin):
    form = CertificateForm
    list_display = ("serial_number", "volunteer_name", "volunteer_id_masked", "association", "period_start",
                    "period_end", "total_hours", "issued_on", "print_links")
    list_filter = (LeagueListFilter, CountyListFilter)
    list_select_related = ("volunteer", "association")
    search_fields = ("=serial_number", "volunteer__name")
    autocomplete_fields = ("volunteer", "association")
    date_hierarchy = "issued_on"

    @admin.display(description="姓名", ordering="volunteer__name")
    def volunteer_name(self, obj):
        return obj.volunteer.name

    @admin.display(description="身份证号码")
    def volunteer_id_masked(self, obj):
        return obj.volunteer.id_number_masked

    @admin.display(description="打印")
    def print_links(self, obj):
        return format_html('<a href="{}">打印页</a> · <a href="{}">PDF</a>',
                           reverse("admin:projects_certificate_print", args=[obj.pk]),
                           reverse("admin:projects_certificate_pdf", args=[obj.pk]))

    def get_changeform_initial_data(self, request):
        """The contact given on this account's last certificate: it rarely changes."""
        initial = super().get_changeform_initial_data(request)
        last = self.get_queryset(request).filter(issued_by=request.user).exclude(contact="").order_by("-pk").first()
        if last is not None:
            initial.setdefault("contact", last.contact)
        return initial

    def has_change_permission(self, request, obj=None):
        return False  # an issued certificate is never altered; a new one is issued instead

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        issued = certificate_issue(volunteer=obj.volunteer, association=obj.association,
                                   period_start=obj.period_start, period_end=obj.period_end, user=request.user,
                                   principal=obj.principal, handler=obj.handler, contact=obj.contact)
        obj.pk, obj.serial_number = issued.pk, issued.serial_number
        obj.refresh_from_db()

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, f"已出具志愿服务记录证明 {obj.serial_number}。", messages.SUCCESS)
        from django.shortcuts import redirect

        return redirect(reverse("admin:projects_certificate_print", args=[obj.pk]))

    def get_urls(self):
        return [
            path("<path:object_id>/print/", self.admin_site.admin_view(self.print_view),
                 name="projects_certificate_print"),
            path("<path:object_id>/pdf/", self.admin_site.admin_view(self.pdf_view), name="projects_certificate_pdf"),
            *super().get_urls(),
        ]

    def _certificate(self, request, object_id):
        certificate = self.get_queryset(request).select_related("volunteer", "association__division").filter(
            pk=pk_or_404(self.model, object_id)).first()
        if certificate is None:
            raise Http404("证明不存在，或不在您的管辖范围内。")
        return certificate

    def print_view(self, request, object_id):
        certificate = self._certificate(request, object_id)
        return TemplateResponse(request, "projects/certificate.html", {"certificate": certificate})

    def pdf_view(self, request, object_id):
        certificate = self._certificate(request, object_id)
        response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            False, f"志愿服务记录证明-{certificate.serial_number}.pdf")
        return response


@admin.register(ServiceRecordCorrection)
class ServiceRecordCorrectionAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = ("corrected_at", "record", "old_hours", "new_hours", "reason", "corrected_by")
    list_select_related = ("record", "corrected_by")
    date_hierarchy = "corrected_at"
