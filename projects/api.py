from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from common.api import ScopedSerializer, ScopedViewSet, django_errors, filterset_for, model_serializer

from .models import Activity, Certificate, Project, ServiceRecord, service_hours
from .services import certificate_issue, service_record_correct


class ProjectViewSet(ScopedViewSet):
    """志愿服务项目。"""

    queryset = Project.objects.all()
    serializer_class = model_serializer(Project)
    select_related = ("association",)
    filterset_class = filterset_for(Project, {"brand": ["exact"], "domain": ["exact"], "regular": ["exact"],
                                              "started_on": ["gte", "lte"], "library_status": ["exact"]})
    ordering_fields = ("started_on", "name")


class ActivitySerializer(ScopedSerializer):
    class Meta:
        model = Activity
        fields = "__all__"
        read_only_fields = ("key_date",)


class ActivityViewSet(ScopedViewSet):
    """志愿服务活动（重要节点由日期自动标注）。"""

    queryset = Activity.objects.all()
    serializer_class = ActivitySerializer
    select_related = ("project",)
    filterset_class = filterset_for(Activity, {"held_on": ["gte", "lte"], "key_date": ["exact"],
                                               "project": ["exact"]})
    ordering_fields = ("held_on",)


class ServiceRecordSerializer(ScopedSerializer):
    class Meta:
        model = ServiceRecord
        fields = "__all__"
        read_only_fields = ("association", "status", "recorded_by", "recorded_at", "confirmed_by", "confirmed_at")

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # after recording, hours and dates change only by a correction
            for name in ("volunteer", "activity", "served_on", "hours"):
                fields[name].read_only = True
        return fields

    def validate_hours(self, value):
        if value is None:
            return value
        try:
            return service_hours(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None

    def full_clean(self, instance):
        if instance.activity_id and not instance.association_id:
            instance.association_id = instance.activity.project.association_id
        super().full_clean(instance)

    def create(self, validated_data):
        return ServiceRecord.objects.create(recorded_by=self.context["request"].user, **validated_data)


class ServiceRecordViewSet(ScopedViewSet):
    """志愿服务记录：时长按实际填写，精确到 0.1 小时；修改时长或日期用 correct（保留原值和原因）。"""

    queryset = ServiceRecord.objects.all()
    serializer_class = ServiceRecordSerializer
    select_related = ("association", "activity", "volunteer")
    filterset_class = filterset_for(ServiceRecord, {"served_on": ["gte", "lte"], "status": ["exact"],
                                                    "volunteer": ["exact"], "activity": ["exact"]})
    ordering_fields = ("served_on",)

    @extend_schema(
        request=inline_serializer("Correction", {
            "hours": serializers.DecimalField(max_digits=5, decimal_places=1, help_text="更正后的服务时长"),
            "served_on": serializers.DateField(required=False, help_text="更正后的服务日期"),
            "reason": serializers.CharField(help_text="更正原因（必填）")}),
        responses=ServiceRecordSerializer, summary="更正服务时长或日期（保留原值和原因）",
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        record = self.get_object()
        if not request.user.has_perm("projects.change_servicerecord"):
            self.permission_denied(request)
        data = request.data
        try:
            hours = serializers.DecimalField(max_digits=5, decimal_places=1).to_internal_value(data.get("hours"))
            served_on = serializers.DateField().to_internal_value(data["served_on"]) if data.get("served_on") else None
        except serializers.ValidationError as error:
            raise ValidationError({"hours": error.detail}) from None
        try:
            service_record_correct(record=record, hours=hours, served_on=served_on, reason=data.get("reason", ""),
                                   user=request.user)
        except DjangoValidationError as error:
            raise ValidationError(django_errors(error)) from None
        record.refresh_from_db()
        return Response(ServiceRecordSerializer(record, context=self.get_serializer_context()).data)


class CertificateSerializer(ScopedSerializer):
    class Meta:
        model = Certificate
        fields = "__all__"
        read_only_fields = ("serial_number", "total_hours", "activities", "issued_on", "issued_by", "issued_at")

    def full_clean(self, instance):
        instance.full_clean(exclude=["serial_number", "total_hours", "activities", "issued_by"])

    def create(self, validated_data):
        try:
            return certificate_issue(user=self.context["request"].user, **validated_data)
        except DjangoValidationError as error:
            raise ValidationError(django_errors(error)) from None


class CertificateViewSet(ScopedViewSet):
    """志愿服务记录证明：出具后不可修改；只统计出具协会自己组织并已确认的活动。"""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Certificate.objects.all()
    serializer_class = CertificateSerializer
    select_related = ("association", "volunteer")
    filterset_class = filterset_for(Certificate, {"issued_on": ["gte", "lte"], "volunteer": ["exact"]})
    ordering_fields = ("issued_at",)
