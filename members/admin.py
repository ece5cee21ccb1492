import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.admin_scoping import (
    CountyListFilter,
    LeagueListFilter,
    ReadOnlyAdminMixin,
    ScopedModelAdmin,
)
from common.admin_excel import ExcelAdminMixin, TableExcelAdminMixin
from common.excel import iter_sheet, normalise_text
from common.names import normalise_name
from common.paginator import FastCountPaginator

from . import personal_data
from .exports import volunteer_template, volunteer_workbook
from .importers import (
    SHEET_NAME,
    IndividualMemberImporter,
    UnitMemberImporter,
    VolunteerImporter,
)
from .models import (
    UNMASK_PERMISSION,
    IndividualMember,
    PersonalDataAccess,
    UnitMember,
    Volunteer,
    VolunteerStar,
)
from .reference import SERVICE_DOMAINS
from .services import (
    APPROVER_LABELS,
    id_number_unregistered,
    personal_data_reveal,
    star_confirm,
    star_notice_start,
)
from .validators import normalise_id_number, validate_phone

ID_NUMBER_PATTERN = re.compile(r"^\d{17}[\dX]$")
PHONE_PATTERN = re.compile(r"^1\d{10}$")


class VolunteerForm(forms.ModelForm):
    id_number = forms.CharField(label="录入或更正身份证号码", max_length=24, required=False,
                                help_text="18 位；保存后加密存储，页面只显示部分号码。修改时留空表示不变。")
    phone = forms.CharField(label="录入或更正手机号码", max_length=20, required=False,
                            help_text="保存后加密存储。修改时留空表示不变。")

    class Meta:
        model = Volunteer
        fields = "__all__"

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        if not value:
            if self.instance.pk is None:
                raise ValidationError("请填写身份证号码。")
            return ""
        return id_number_unregistered(value, exclude_pk=self.instance.pk)

    def clean_phone(self):
        return validate_phone(self.cleaned_data["phone"]) if self.cleaned_data["phone"] else ""

    def _post_clean(self):
        # Derived fields (birth date, sex, masked forms) must exist before the model's own clean() runs.
        if self.cleaned_data.get("id_number"):
            self.instance.set_id_number(self.cleaned_data["id_number"])
        if self.cleaned_data.get("phone"):
            self.instance.set_phone(self.cleaned_data["phone"])
        super()._post_clean()


class DomainsFormMixin:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "domains":
            return forms.TypedMultipleChoiceField(
                label=db_field.verbose_name, choices=SERVICE_DOMAINS, required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class VolunteerColumnsMixin:
    """Name and masked ID number of the related volunteer, for lists of memberships and rosters."""

    @admin.display(description="姓名", ordering="volunteer__name")
    def volunteer_name(self, obj):
        return obj.volunteer.name

    @admin.display(description="身份证号码")
    def volunteer_id_masked(self, obj):
        return obj.volunteer.id_number_masked


def domains_display(obj) -> str:
    labels = dict(SERVICE_DOMAINS)
    return "、".join(labels.get(code, code) for code in obj.domains) or "—"


@admin.register(Volunteer)
class VolunteerAdmin(ExcelAdminMixin, ScopedModelAdmin):
    form = VolunteerForm
    excel_title = "注册志愿者"
    excel_noun = "名志愿者"
    excel_existing_choice = True
    list_display = ("name", "id_number_masked", "sex", "birth_date", "ethnicity", "political_status", "division",
                    "registered_on")
    list_filter = (LeagueListFilter, CountyListFilter, "sex", "political_status")
    list_select_related = ("division",)
    search_fields = ("name",)
    search_help_text = "输入完整身份证号码或手机号码精确查找，或输入姓名（开头）查找"
    autocomplete_fields = ("division",)
    readonly_fields = ("id_number_masked", "phone_masked", "birth_date", "sex", "reveal_link", "service_summary")
    show_full_result_count = False
    paginator = FastCountPaginator
    fieldsets = (
        ("基本信息", {"fields": ("name", "division", "id_number", "id_number_masked", "birth_date", "sex",
                             "ethnicity", "political_status", "phone", "phone_masked", "reveal_link")}),
        ("志愿服务", {"fields": ("skills", "volunteer_number", "registered_on", "registered_by", "service_summary")}),
        ("保险", {"fields": ("insurer", "insurance_policy", ("insured_from", "insured_until"))}),
        ("监护人同意（未满 18 周岁）", {"fields": ("guardian_name", "guardian_relation", "guardian_consent_on",
                                          "guardian_consent_method")}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.has_perm(UNMASK_PERMISSION):
            return fieldsets
        # no link to a page the account may not open
        return [(title, {**options, "fields": [f for f in options["fields"] if f != "reveal_link"]})
                for title, options in fieldsets]

    def get_queryset(self, request):
        # Ciphertexts are read only where a value is revealed: lists carry the masked forms.
        return super().get_queryset(request).defer("id_number_encrypted", "phone_encrypted")

    def excel_template(self, request):
        return volunteer_template(user=request.user)

    def excel_export(self, request, queryset):
        return volunteer_workbook(queryset, user=request.user)

    def excel_import(self, user, content, *, dry_run, progress=None, options=None):
        headers, rows = iter_sheet(content, sheet_name=SHEET_NAME, max_rows=VolunteerImporter.max_rows)
        return VolunteerImporter(user, **(options or {})).run(headers, rows, dry_run=dry_run, progress=progress)

    def get_search_results(self, request, queryset, search_term):
        term = normalise_id_number(search_term)
        if ID_NUMBER_PATTERN.match(term):
            return queryset.filter(id_number_hash=personal_data.keyed_hash(term)), False
        digits = re.sub(r"[\s-]", "", normalise_text(search_term) or "")
        if PHONE_PATTERN.match(digits):
            return queryset.filter(phone_hash=personal_data.keyed_hash(digits)), False
        name = normalise_name((normalise_text(search_term) or "").strip())  # 斯琴•高娃 finds 斯琴·高娃
        if not name:
            return queryset, False
        # A prefix match uses the name index; a '%name%' scan of millions of rows would not.
        return queryset.filter(name__startswith=name), False

    @admin.display(description="服务时长")
    def service_summary(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        from projects.services import confirmed_hours

        hours = format(confirmed_hours(obj).normalize(), "f")  # 120, 120.5: the same on every database
        return format_html('已确认 {} 小时 · <a href="{}?volunteer={}">开具志愿服务记录证明</a>', hours,
                           reverse("admin:projects_certificate_add"), obj.pk)

    @admin.display(description="完整信息")
    def reveal_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html('<a href="{}">查看完整身份证号码和手机号码（将被记录）</a>',
                           reverse("admin:members_volunteer_reveal", args=[obj.pk]))

    def get_urls(self):
        reveal = path("<path:object_id>/reveal/", self.admin_site.admin_view(self.reveal_view),
                      name="members_volunteer_reveal")
        return [reveal, *super().get_urls()]

    def reveal_view(self, request, object_id):
        volunteer = self.get_object(request, object_id)
        if volunteer is None:
            raise Http404("志愿者不存在，或不在您的管辖范围内。")
        if not request.user.has_perm(UNMASK_PERMISSION):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.opts, "volunteer": volunteer,
                   "title": "查看完整个人信息"}
        if request.method == "POST":
            purpose = (request.POST.get("purpose") or "").strip()
            if not purpose:
                context["error"] = "请填写查看事由。"
            else:
                context["revealed"] = personal_data_reveal(
                    user=request.user, volunteer=volunteer, purpose=purpose,
                    ip_address=request.META.get("REMOTE_ADDR"),
                )
        return TemplateResponse(request, "members/reveal.html", context)


@admin.register(IndividualMember)
class IndividualMemberAdmin(VolunteerColumnsMixin, TableExcelAdminMixin, DomainsFormMixin, ScopedModelAdmin):
    excel_title = "个人会员"
    excel_noun = "名个人会员"
    excel_importer_class = IndividualMemberImporter
    excel_text_columns = ("协会统一编制序列号", "身份证号码")
    excel_export_related = ("association", "volunteer")
    excel_example = {"协会统一编制序列号": "150102-01", "身份证号码": "（18 位，须已登记为注册志愿者）", "姓名": "王志强",
                     "入会日期": "2024-05-04", "审核状态": "审核通过", "会内职务": "会员", "服务领域": "助学、扶老"}
    excel_notes = ("个人会员须先登记为注册志愿者；入会时年龄须在 14–45 岁之间（指引第 6 条）。",
                   "服务领域可填多个，用顿号分隔：扶贫、济困、扶老、救孤、恤病、助残、救灾、助医、助学。")
    list_display = ("volunteer_name", "volunteer_id_masked", "association", "role", "review_status", "joined_on",
                    "left_on", "domains_text")
    list_filter = (LeagueListFilter, CountyListFilter, "review_status", "role")
    list_select_related = ("volunteer", "association")
    search_fields = ("volunteer__name", "association__name")
    paginator = FastCountPaginator
    show_full_result_count = False
    autocomplete_fields = ("association", "volunteer")

    @admin.display(description="服务领域")
    def domains_text(self, obj):
        return domains_display(obj)


@admin.register(UnitMember)
class UnitMemberAdmin(TableExcelAdminMixin, DomainsFormMixin, ScopedModelAdmin):
    excel_title = "单位会员"
    excel_noun = "个单位会员"
    excel_importer_class = UnitMemberImporter
    excel_text_columns = ("协会统一编制序列号", "统一社会信用代码")
    excel_export_related = ("association",)
    excel_example = {"协会统一编制序列号": "150102-01", "单位名称": "第一中学青年志愿者服务队", "单位类别": "学校志愿者组织",
                     "服务领域": "助学", "入会日期": "2024-05-04"}
    list_display = ("name", "kind", "association", "uscc", "joined_on", "left_on", "domains_text")
    list_filter = (LeagueListFilter, CountyListFilter, "kind")
    list_select_related = ("association",)
    search_fields = ("name", "=uscc")
    autocomplete_fields = ("association",)

    @admin.display(description="服务领域")
    def domains_text(self, obj):
        return domains_display(obj)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = ("accessed_at", "user", "subject", "fields", "purpose", "division", "ip_address")
    list_select_related = ("user", "division")
    list_filter = (LeagueListFilter, CountyListFilter)
    date_hierarchy = "accessed_at"


@admin.register(VolunteerStar)
class VolunteerStarAdmin(VolunteerColumnsMixin, ScopedModelAdmin):
    """Volunteers who reached a star level: pending ones await the notice and the approving level's confirmation."""

    list_display = ("volunteer_name", "volunteer_id_masked", "level", "threshold_hours", "reached_on", "status",
                    "approver", "notice_from", "confirmed_on")
    list_filter = (LeagueListFilter, CountyListFilter, "status", "level")
    list_select_related = ("volunteer",)
    search_fields = ("volunteer__name",)
    readonly_fields = ("volunteer", "level", "threshold_hours", "reached_on", "status", "notice_from", "confirmed_on",
                       "confirmed_by")
    actions = ("start_notice", "confirm")
    paginator = FastCountPaginator
    show_full_result_count = False
    change_list_template = "members/star_change_list.html"

    def get_urls(self):
        return [path("recompute/", self.admin_site.admin_view(self.recompute_view),
                     name="members_volunteerstar_recompute"), *super().get_urls()]

    def recompute_view(self, request):
        """重新计算星级: the nightly job, now (queued to the worker; in-process without a broker)."""
        from django.shortcuts import redirect

        from .tasks import star_levels_recompute_task

        if request.method == "POST" and request.user.has_perm("members.change_volunteerstar"):
            star_levels_recompute_task.delay()
            self.message_user(request, "已提交重新计算星级，新达到的星级显示为“待认定”。", messages.SUCCESS)
        return redirect(reverse("admin:members_volunteerstar_changelist"))

    def has_add_permission(self, request):
        return False  # stars come from the hours (星级 recompute), never typed in

    @admin.display(description="认定层级")
    def approver(self, obj):
        return APPROVER_LABELS[obj.approver_level]

    @admin.action(description="开始公示所选星级", permissions=["change"])
    def start_notice(self, request, queryset):
        try:
            count = star_notice_start(list(queryset.select_related("volunteer")), user=request.user)
        except PermissionDenied as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, f"已开始公示 {count} 名星级志愿者。", messages.SUCCESS)

    @admin.action(description="认定所选星级（公示期满）", permissions=["change"])
    def confirm(self, request, queryset):
        try:
            with transaction.atomic():
                count = star_confirm(list(queryset.select_related("volunteer")), user=request.user)
        except (PermissionDenied, ValidationError) as error:
            self.message_user(request, "；".join(getattr(error, "messages", [str(error)])), messages.ERROR)
            return
        self.message_user(request, f"已认定 {count} 名星级志愿者。", messages.SUCCESS)
