from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response


class CredentialsSerializer(AuthTokenSerializer):
    """A username no account can have (longer than the account field) is refused before anyone is asked to
    authenticate it, so that the lockout's record of the attempt never receives more than its column holds."""

    username = serializers.CharField(label="用户名", write_only=True, max_length=150)
    password = serializers.CharField(label="密码", style={"input_type": "password"}, trim_whitespace=False,
                                     write_only=True, max_length=4096)


class TokenView(ObtainAuthToken):
    """令牌：用户名和密码换取接口令牌。连续失败会像后台登录一样被锁定（django-axes）。"""

    serializer_class = CredentialsSerializer

    @extend_schema(request=CredentialsSerializer, responses=inline_serializer("Token", {"token": serializers.CharField()}),
                   summary="获取接口令牌", auth=[])
    def post(self, request, *args, **kwargs):
        # django-axes marks a locked-out request on the Django request its middleware sees, not on DRF's wrapper.
        serializer = self.serializer_class(data=request.data, context={"request": request._request})
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
