from rest_framework import serializers

from common.api import ReadOnlyScopedViewSet, filterset_for

from .models import Division


class DivisionSerializer(serializers.ModelSerializer):
    gb_code = serializers.CharField(label="区划代码", read_only=True, help_text="GB/T 2260 区划代码（6 位或 9 位）")
    parent = serializers.SlugRelatedField(label="上级区划", slug_field="code", read_only=True, help_text="上级区划的代码前缀")

    class Meta:
        model = Division
        fields = ("id", "code", "gb_code", "name", "level", "kind", "parent", "is_statutory", "former_poverty_county")


class DivisionViewSet(ReadOnlyScopedViewSet):
    """行政区划（只读）：自治区、盟市、旗县（市、区）、乡镇（街道）。"""

    queryset = Division.objects.all()
    serializer_class = DivisionSerializer
    select_related = ("parent",)
    filterset_class = filterset_for(Division, ["level", "is_statutory"])
    ordering = ("code",)
    ordering_fields = ("code", "name")
