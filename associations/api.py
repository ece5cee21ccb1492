from django.utils import timezone
from django_filters import rest_framework as filters
from rest_framework import serializers

from checkup.facts import association_findings
from common.api import ScopedSerializer, ScopedViewSet, filterset_for

from .models import Association, Commendation, Officer, SupervisingUnit, SystemAdoption, current_supervisor_kind
from .services import association_register


class OfficerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Officer
        fields = ("id", "role", "name", "post", "is_cyl_leader", "is_fulltime_cadre", "term_start", "term_end")


class SystemSerializer(serializers.ModelSerializer):
    class Meta:
        model = SystemAdoption
        fields = ("id", "system", "adopted_on", "document")


class SupervisingUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupervisingUnit
        fields = ("id", "kind", "name", "since", "change_registered_on", "change_document")


class AssociationSerializer(ScopedSerializer):
    serial_number = serializers.CharField(label="统一编制序列号", read_only=True, help_text="统一编制序列号，登记时自动编号")
    officers = OfficerSerializer(label="负责人", many=True, read_only=True, help_text="负责人")
    systems = SystemSerializer(label="章程与制度", many=True, read_only=True, help_text="章程与制度")
    supervising_units = SupervisingUnitSerializer(
        label="业务主管单位", many=True, read_only=True, help_text="业务主管单位及其变更记录，按起始日期排列，最后一条为现业务主管单位")

    class Meta:
        model = Association
        exclude = ()
        fields = "__all__"

    def create(self, validated_data):
        association = Association(**validated_data)
        return association_register(association=association, user=self.context["request"].user)


class FindingSerializer(serializers.Serializer):
    clause = serializers.CharField(help_text="条款编号，如 G1、N2.1")
    title = serializers.CharField(help_text="检查项")
    status = serializers.CharField(
        help_text="pass 符合 / fail 不符合 / unknown 待补充 / advice 建议改进（倡导性条款）/ not_due 未到期（每年事项）")
    status_label = serializers.CharField(help_text="结果的中文")
    strength = serializers.CharField(help_text="hard 应/要 的条款；soft 原则上、注重、争取、具备条件的等倡导性条款")
    wording = serializers.CharField(help_text="条款原文")
    year = serializers.IntegerField(allow_null=True, help_text="每年事项的上一整年结果所属年度；截至今日的结果为 null")
    reason = serializers.CharField(help_text="说明")


class AssociationDetailSerializer(AssociationSerializer):
    findings = serializers.SerializerMethodField(help_text="截至今日的体检结果")

    def get_findings(self, obj) -> list[dict]:
        findings = association_findings(Association.objects.filter(pk=obj.pk), as_of=timezone.localdate())
        return FindingSerializer([{"clause": f.clause, "title": f.title, "status": f.status.value,
                                   "status_label": f.status.label, "strength": f.strength, "wording": f.wording,
                                   "year": f.year, "reason": f.reason} for f in findings.get(obj.pk, [])],
                                 many=True).data


class AssociationFilter(filterset_for(Association, {"level": ["exact"], "founded_on": ["gte", "lte"],
                                                    "is_registered": ["exact"]})):
    supervisor_kind = filters.ChoiceFilter(choices=Association.SupervisorKind.choices, method="filter_supervisor",
                                           label="现业务主管单位类别")

    def filter_supervisor(self, queryset, name, value):
        return queryset.annotate(current_supervisor_kind=current_supervisor_kind()).filter(
            current_supervisor_kind=value)


class AssociationViewSet(ScopedViewSet):
    """青年志愿者协会台账：含负责人、章程与制度；详情含体检结果。新协会保存时自动编统一编制序列号。"""

    queryset = Association.objects.all()
    serializer_class = AssociationSerializer
    select_related = ("division",)
    prefetch_related = ("officers", "systems", "supervising_units")
    filterset_class = AssociationFilter
    ordering_fields = ("serial_number", "founded_on", "name")

    def get_serializer_class(self):
        return AssociationDetailSerializer if self.action == "retrieve" else AssociationSerializer


class CommendationSerializer(ScopedSerializer):
    class Meta:
        model = Commendation
        fields = "__all__"
        read_only_fields = ("division",)

    def full_clean(self, instance):
        instance.clean()  # fills the division from the commended subject before the field checks
        super().full_clean(instance)


class CommendationViewSet(ScopedViewSet):
    """表彰：示范性协会和组织、优秀项目、星级（优秀）志愿者。"""

    queryset = Commendation.objects.all()
    serializer_class = CommendationSerializer
    select_related = ("division",)
    filterset_class = filterset_for(Commendation, ["kind", "year", "level"])
    ordering_fields = ("year",)
