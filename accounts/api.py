from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response


class TokenView(ObtainAuthToken):
    """令牌：用户名和密码换取接口令牌。连续失败会像后台登录一样被锁定（django-axes）。"""

    @extend_schema(request=AuthTokenSerializer, responses=inline_serializer("Token", {"token": serializers.CharField()}),
                   summary="获取接口令牌", auth=[])
    def post(self, request, *args, **kwargs):
        # django-axes marks a locked-out request on the Django request its middleware sees, not on DRF's wrapper.
        serializer = self.serializer_class(data=request.data, context={"request": request._request})
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
