from rest_framework import serializers

from common.api import ReadOnlyScopedViewSet, ScopedViewSet, filterset_for, model_serializer

from .models import MetricSnapshot, Target


class TargetViewSet(ScopedViewSet):
    """目标（T1–T4 及以后的计划）：自治区团委可增改。"""

    queryset = Target.objects.all()
    serializer_class = model_serializer(Target)
    select_related = ("division",)
    filterset_class = filterset_for(Target, {"deadline": ["gte", "lte"], "active": ["exact"]})
    ordering_fields = ("deadline",)
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class SnapshotSerializer(serializers.ModelSerializer):
    division_code = serializers.CharField(label="区划代码", source="division.code", read_only=True)

    class Meta:
        model = MetricSnapshot
        fields = ("id", "metric", "division", "division_code", "as_of", "numerator", "denominator", "unknown",
                  "value", "details", "computed_at")


class MetricSnapshotViewSet(ReadOnlyScopedViewSet):
    """指标快照（由统计任务计算，只读）。"""

    queryset = MetricSnapshot.objects.all()
    serializer_class = SnapshotSerializer
    select_related = ("division",)
    filterset_class = filterset_for(MetricSnapshot, {"metric": ["exact"], "as_of": ["exact", "gte", "lte"]})
    ordering_fields = ("as_of",)
