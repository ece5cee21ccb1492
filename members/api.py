from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from common.api import ReadOnlyScopedViewSet, ScopedSerializer, ScopedViewSet, filterset_for

from .models import IndividualMember, UnitMember, Volunteer, VolunteerStar
from .services import UNMASK_PERMISSION, id_number_unregistered, personal_data_reveal
from .validators import validate_phone


class VolunteerSerializer(ScopedSerializer):
    """ID number and phone are write-only: stored encrypted, returned masked."""

    id_number = serializers.CharField(label="身份证号码", write_only=True, required=False, max_length=24,
                                      help_text="身份证号码（18 位）；只写，返回脱敏形式 id_number_masked")
    phone = serializers.CharField(label="手机号码", write_only=True, required=False, allow_blank=True,
                                  max_length=20, help_text="手机号码；只写，返回脱敏形式 phone_masked")

    class Meta:
        model = Volunteer
        exclude = ("id_number_encrypted", "id_number_hash", "phone_encrypted", "phone_hash")
        read_only_fields = ("id_number_masked", "phone_masked", "birth_date", "sex")

    def validate_id_number(self, value):
        try:
            return id_number_unregistered(value, exclude_pk=self.instance.pk if self.instance else None)
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from None

    def validate_phone(self, value):
        try:
            return validate_phone(value) if value else ""
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from None

    def validate(self, attrs):
        if self.instance is None and not attrs.get("id_number"):
            raise ValidationError({"id_number": ["请填写身份证号码。"]})
        self._personal = (attrs.pop("id_number", None), attrs.pop("phone", None))
        return super().validate(attrs)

    def full_clean(self, instance):
        number, phone = self._personal
        if number:
            instance.set_id_number(number, validated=True)
        if phone is not None:
            instance.set_phone(phone)
        instance.full_clean(exclude=["id_number_encrypted", "id_number_hash", "id_number_masked", "phone_encrypted",
                                     "phone_hash", "phone_masked", "birth_date", "sex"])

    def _apply(self, instance, validated_data):
        number, phone = self._personal
        for name, value in validated_data.items():
            setattr(instance, name, value)
        if number:
            instance.set_id_number(number, validated=True)
        if phone is not None:
            instance.set_phone(phone)
        instance.save()
        return instance

    def create(self, validated_data):
        return self._apply(Volunteer(), validated_data)

    def update(self, instance, validated_data):
        return self._apply(instance, validated_data)


class VolunteerViewSet(ScopedViewSet):
    """注册志愿者：身份证号码、手机号码加密存储、脱敏返回；查看完整号码用 reveal（须有权限，留痕）。"""

    queryset = Volunteer.objects.defer("id_number_encrypted", "phone_encrypted")
    serializer_class = VolunteerSerializer
    select_related = ("division",)
    filterset_class = filterset_for(Volunteer, {"registered_on": ["gte", "lte"], "political_status": ["exact"],
                                                "sex": ["exact"]})
    ordering_fields = ("registered_on", "name")

    @extend_schema(
        request=inline_serializer("RevealRequest", {"purpose": serializers.CharField(help_text="查看事由（必填）")}),
        responses=inline_serializer("Revealed", {"id_number": serializers.CharField(),
                                                 "phone": serializers.CharField()}),
        summary="查看完整身份证号码和手机号码（留痕）",
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        volunteer = Volunteer.objects.filter(pk=self.get_object().pk).first()
        if not request.user.has_perm(UNMASK_PERMISSION):
            self.permission_denied(request, message="您没有查看完整个人信息的权限。")
        purpose = str(request.data.get("purpose", "")).strip()
        if not purpose:
            raise ValidationError({"purpose": ["请填写查看事由。"]})
        try:
            revealed = personal_data_reveal(user=request.user, volunteer=volunteer, purpose=purpose,
                                            ip_address=request.META.get("REMOTE_ADDR"))
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        return Response(revealed, status=status.HTTP_200_OK)


class IndividualMemberSerializer(ScopedSerializer):
    class Meta:
        model = IndividualMember
        fields = "__all__"


class IndividualMemberViewSet(ScopedViewSet):
    """个人会员（入会年龄 14–45 岁）。"""

    queryset = IndividualMember.objects.all()
    serializer_class = IndividualMemberSerializer
    select_related = ("association", "volunteer")
    filterset_class = filterset_for(IndividualMember, {"review_status": ["exact"], "joined_on": ["gte", "lte"],
                                                       "association": ["exact"]})
    ordering_fields = ("joined_on",)


class UnitMemberSerializer(ScopedSerializer):
    class Meta:
        model = UnitMember
        fields = "__all__"


class UnitMemberViewSet(ScopedViewSet):
    """单位会员。"""

    queryset = UnitMember.objects.all()
    serializer_class = UnitMemberSerializer
    select_related = ("association",)
    filterset_class = filterset_for(UnitMember, {"kind": ["exact"], "joined_on": ["gte", "lte"],
                                                 "association": ["exact"]})
    ordering_fields = ("joined_on", "name")


class VolunteerStarSerializer(serializers.ModelSerializer):
    class Meta:
        model = VolunteerStar
        fields = "__all__"


class VolunteerStarViewSet(ReadOnlyScopedViewSet):
    """星级志愿者（由已确认服务时长计算，只读）。"""

    queryset = VolunteerStar.objects.all()
    serializer_class = VolunteerStarSerializer
    select_related = ("volunteer",)
    filterset_class = filterset_for(VolunteerStar, ["status", "level"])
    ordering_fields = ("reached_on", "level")

