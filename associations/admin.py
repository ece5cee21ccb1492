from datetime import date

from django.contrib import admin
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts.admin_scoping import (
    CountyListFilter,
    LeagueListFilter,
    ScopedInline,
    ScopedModelAdmin,
)
from checkup.facts import association_findings, association_ids_with_status
from common.admin_excel import ExcelAdminMixin
from common.excel import iter_sheet
from common.params import as_of_param

from .exports import ledger_template, ledger_workbook
from .importers import LEDGER_SHEET, LedgerImporter
from .models import (
    Association,
    Commendation,
    Officer,
    PartyLeagueOrganisation,
    SeatMembership,
    SupervisingUnit,
    SystemAdoption,
    current_supervisor_kind,
)
from .rules import Status, overall
from .services import association_register


class OfficerInline(ScopedInline):
    model = Officer
    fields = ("role", "name", "post", "is_cyl_leader", "is_fulltime_cadre", "term_start", "term_end")


class SupervisingUnitInline(ScopedInline):
    model = SupervisingUnit
    fields = ("kind", "name", "since", "change_registered_on", "change_document")
    verbose_name = "业务主管单位"
    verbose_name_plural = "业务主管单位（G1）：每条自起始日期起有效，至下一条的起始日期止；最后一条为现业务主管单位"


class SupervisorKindListFilter(admin.SimpleListFilter):
    title = "现业务主管单位类别"
    parameter_name = "supervisor_kind"

    def lookups(self, request, model_admin):
        return [*Association.SupervisorKind.choices, ("none", "未填写")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        queryset = queryset.annotate(current_supervisor_kind=current_supervisor_kind())
        if value == "none":
            return queryset.filter(current_supervisor_kind__isnull=True)
        return queryset.filter(current_supervisor_kind=value)


class SystemAdoptionInline(ScopedInline):
    model = SystemAdoption
    fields = ("system", "adopted_on", "document")


class PartyLeagueOrganisationInline(ScopedInline):
    model = PartyLeagueOrganisation
    fields = ("kind", "form", "established_on", "dissolved_on")


class SeatMembershipInline(ScopedInline):
    model = SeatMembership
    fk_name = "upper"
    fields = ("lower", "joined_on", "left_on")
    verbose_name = "席位会员（下级协会）"
    verbose_name_plural = "席位会员（下级协会）"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("upper", "lower")


STATUS_CSS = {Status.PASS: "checkup-pass", Status.FAIL: "checkup-fail", Status.UNKNOWN: "checkup-unknown",
              Status.ADVICE: "checkup-advice", Status.NOT_DUE: "checkup-not-due"}


def _today() -> date:
    return timezone.localdate()


class CheckupListFilter(admin.SimpleListFilter):
    title = "体检结果（截至今日）"
    parameter_name = "checkup"

    def lookups(self, request, model_admin):
        return [("fail", "有不符合项"), ("unknown", "有待补充项"), ("advice", "有建议改进项"), ("pass", "无不符合、待补充项")]

    def queryset(self, request, queryset):
        value = self.value()
        if value in ("fail", "unknown", "advice"):
            return queryset.filter(pk__in=association_ids_with_status(queryset, status=Status(value), as_of=_today()))
        if value == "pass":
            findings = association_findings(queryset, as_of=_today())
            return queryset.filter(pk__in=[pk for pk, f in findings.items() if overall(f) == Status.PASS])
        return queryset


def render_findings(findings) -> str:
    rows = format_html_join(
        "",
        '<tr class="{}"><td>{}</td><td>{}<div class="wording">{}</div></td><td><strong>{}</strong></td><td>{}</td></tr>',
        ((STATUS_CSS[f.status], f.clause, f.title, f.wording, f.status.label, f.reason) for f in findings),
    )
    return format_html(
        '<table class="checkup"><thead><tr><th>条款</th><th>检查项（条款原文）</th><th>结果</th><th>说明</th></tr>'
        "</thead><tbody>{}</tbody></table>",
        rows,
    )


@admin.register(Association)
class AssociationAdmin(ExcelAdminMixin, ScopedModelAdmin):
    excel_title = "协会台账"
    excel_noun = "个协会"
    list_display = (
        "serial_number",
        "name",
        "level",
        "league_name",
        "division",
        "founded_on",
        "dissolved_on",
        "supervisor",
        "registered_on",
        "checkup_summary",
    )
    list_display_links = ("serial_number", "name")
    list_filter = (
        LeagueListFilter, CountyListFilter, CheckupListFilter, "level", SupervisorKindListFilter, "secretariat_host"
    )
    list_select_related = ("division__parent__parent",)
    search_fields = ("name", "serial_number", "=uscc")
    search_help_text = "按协会名称、统一编制序列号或统一社会信用代码查找"
    autocomplete_fields = ("division",)
    readonly_fields = ("serial_number", "checkup_panel")
    inlines = (SupervisingUnitInline, OfficerInline, SystemAdoptionInline, PartyLeagueOrganisationInline, SeatMembershipInline)
    fieldsets = (
        ("体检（截至今日）", {"fields": ("checkup_panel",)}),
        ("基本情况", {"fields": ("serial_number", "level", "grassroots_kind", "division", "name", "founded_on",
                              "dissolved_on")}),
        ("登记注册（G3）", {"fields": ("is_registered", "registration_authority", "registered_on", "uscc")}),
        (
            "秘书处（G5）",
            {
                "fields": (
                    "secretariat_host",
                    "secretariat_since",
                    ("staff_fulltime", "staff_seconded", "staff_parttime", "staff_volunteer"),
                )
            },
        ),
        (
            "保障条件（G9）",
            {
                "fields": (
                    ("fulltime_posts", "staffing_quota"),
                    "annual_budget",
                    ("has_office", "office_shared_with_civilization_center"),
                )
            },
        ),
        ("党团组织的条件（G10）", {"fields": (("party_org_conditions", "league_org_conditions"),)}),
        ("备注", {"fields": ("note",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(current_supervisor_kind=current_supervisor_kind())

    @admin.display(description="现业务主管单位", ordering="current_supervisor_kind")
    def supervisor(self, obj):
        kind = getattr(obj, "current_supervisor_kind", None)
        return Association.SupervisorKind(kind).label if kind else "—"

    @admin.display(description="盟市", ordering="division__parent__name")
    def league_name(self, obj):
        division = obj.division
        if division.level == division.Level.COUNTY and division.parent is not None:
            return division.parent.name
        if division.level == division.Level.TOWNSHIP and division.parent is not None and division.parent.parent:
            return division.parent.parent.name
        return "—"

    class Media:
        css = {"all": ["platform/checkup.css"]}

    def excel_template(self, request):
        return ledger_template(user=request.user)

    def excel_export(self, request, queryset):
        return ledger_workbook(queryset, user=request.user, as_of=_today())

    def excel_import(self, user, content, *, dry_run, progress=None, options=None):
        headers, rows = iter_sheet(content, sheet_name=LEDGER_SHEET, max_rows=LedgerImporter.max_rows)
        return LedgerImporter(user).run(headers, rows, dry_run=dry_run, progress=progress)

    @admin.display(description="体检结果")
    def checkup_panel(self, obj):
        if obj is None or obj.pk is None:
            return "保存后显示。"
        findings = association_findings(Association.objects.filter(pk=obj.pk), as_of=_today())[obj.pk]
        link = reverse("admin:associations_association_checkup", args=[obj.pk])
        return format_html('{}<p><a href="{}" target="_blank">打印体检表 / 按日期查看</a></p>', render_findings(findings), link)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # One evaluation for the whole page, not one per row.
        page = list(changelist.result_list)
        findings = association_findings(Association.objects.filter(pk__in=[a.pk for a in page]), as_of=_today())
        for association in page:
            association.findings = findings.get(association.pk, [])
        return changelist

    @admin.display(description="体检")
    def checkup_summary(self, obj):
        findings = getattr(obj, "findings", None)
        if findings is None:
            return "—"
        fails = sum(f.status == Status.FAIL for f in findings)
        unknowns = sum(f.status == Status.UNKNOWN for f in findings)
        advice = sum(f.status == Status.ADVICE for f in findings)
        if not fails and not unknowns:
            text = '<span class="checkup-pass">无不符合项</span>'
            return mark_safe(text) if not advice else format_html(
                '{} <span class="checkup-advice">{} 项建议改进</span>', mark_safe(text), advice)
        return format_html(
            '<span class="checkup-fail">{} 项不符合</span> <span class="checkup-unknown">{} 项待补充</span>',
            fails, unknowns,
        )

    def get_urls(self):
        urls = super().get_urls()
        checkup = path(
            "<path:object_id>/checkup/",
            self.admin_site.admin_view(self.checkup_view),
            name="associations_association_checkup",
        )
        return [checkup, *urls]

    def checkup_view(self, request, object_id):
        """A printable 体检表 of one association, as of any date (default today)."""
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404("协会不存在，或不在您的管辖范围内。")
        as_of = as_of_param(request)
        findings = association_findings(Association.objects.filter(pk=obj.pk), as_of=as_of)[obj.pk]
        context = {
            **self.admin_site.each_context(request),
            "title": f"{obj.name} 体检表",
            "association": obj,
            "as_of": as_of,
            "findings": findings,
            "table": render_findings(findings),
            "counts": {s.label: sum(f.status == s for f in findings) for s in Status},
            "opts": self.opts,
        }
        return TemplateResponse(request, "associations/checkup.html", context)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            association_register(association=obj, user=request.user)


@admin.register(Commendation)
class CommendationAdmin(ScopedModelAdmin):
    list_display = ("year", "kind", "subject_text", "level", "document_number", "conferred_on", "division")
    list_filter = (LeagueListFilter, CountyListFilter, "kind", "level", "year")
    list_select_related = ("association", "organisation", "project", "volunteer", "division")
    search_fields = ("document_number", "association__name", "organisation__name", "project__name",
                     "volunteer__name")
    autocomplete_fields = ("association", "organisation", "project", "volunteer")
    fields = ("kind", "year", "level", "document_number", "conferred_on", "association", "organisation", "project",
              "volunteer")

    @admin.display(description="表彰对象")
    def subject_text(self, obj):
        return str(obj.subject) if obj.subject is not None else "—"
