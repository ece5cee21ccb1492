"""The one home of division scoping.

Every record a user can reach hangs off a division; its model names the path to that division's code in
``scope_path`` (``"division__code"``, ``"association__division__code"``). Scoping is a prefix filter on that
code. Fail closed: an anonymous or inactive user, or a staff user without a scope division, gets nothing.
"""
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import QuerySet

OUT_OF_SCOPE_MESSAGE = "「{name}」不在您的管辖范围（{scope}）内，不能在此保存或查看记录。"
NO_SCOPE_MESSAGE = "您的账号尚未设置管辖区划，请联系上级管理员。"


def user_scope_code(user) -> str | None:
    """The code prefix the user is limited to; ``""`` means everything (superuser), ``None`` nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return ""
    return getattr(user, "scope_code", None) or None


def scope_path_of(model) -> str:
    path = getattr(model, "scope_path", None)
    if not path:
        raise ImproperlyConfigured(f"{model.__name__} 未声明 scope_path，无法按管辖区划过滤。")
    return path


def scope_queryset(queryset: QuerySet, user, *, path: str | None = None) -> QuerySet:
    """Limit any queryset to the user's division and everything below it."""
    code = user_scope_code(user)
    if code is None:
        return queryset.none()
    if code == "":
        return queryset
    path = path or scope_path_of(queryset.model)
    return queryset.filter(**{f"{path}__startswith": code})


def division_ids_in_scope(user) -> frozenset[int] | None:
    """The primary keys of the divisions the user may reach; ``None`` means every division (superuser). For
    lookups that run as plain SQL on a lent connection, where a join on the division code is not wanted."""
    from divisions.models import Division

    code = user_scope_code(user)
    if code == "":
        return None
    return frozenset(scope_queryset(Division.objects.all(), user).values_list("pk", flat=True))


def code_in_scope(user, code: str | None) -> bool:
    scope = user_scope_code(user)
    if scope is None or code is None:
        return False
    return code.startswith(scope)


def record_division_code(obj, *, path: str | None = None) -> str | None:
    """Follow ``scope_path`` on an unsaved or saved instance; ``None`` when a link is missing."""
    path = path or scope_path_of(type(obj))
    value = obj
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def assert_in_scope(user, obj, *, field: str | None = None) -> None:
    """Refuse, with a Chinese message, to save ``obj`` outside the user's scope."""
    scope = user_scope_code(user)
    if scope is None:
        raise ValidationError(NO_SCOPE_MESSAGE)
    if scope == "":
        return
    code = record_division_code(obj)
    if code is not None and code.startswith(scope):
        return
    division = _division_of(obj)
    message = OUT_OF_SCOPE_MESSAGE.format(
        name=division.name if division is not None else "未指定区划", scope=user.scope_division.name
    )
    raise ValidationError({field: message} if field else message)


def _division_of(obj):
    from divisions.models import Division

    value = obj
    for part in scope_path_of(type(obj)).split("__")[:-1]:
        value = getattr(value, part, None)
        if value is None:
            return None
    return value if isinstance(value, Division) else None
