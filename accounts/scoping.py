"""The one home of division scoping.

Every record a user can reach hangs off a division; its model names the path to that division's code in
``scope_path`` (``"division__code"``, ``"association__division__code"``). Scoping is a prefix filter on that
code. Fail closed: an anonymous or inactive user, or a staff user without a scope division, gets nothing.

A secretariat account (``User.association`` set) is further limited to its own association: a model bound to
associations names the path to its association in ``association_path`` (``"association"``,
``"project__association"``), or builds the condition in ``association_q(association_id)`` where a record
belongs to an association through several links (a volunteer belongs to the associations that registered,
admitted or rostered them). Models with neither (divisions, targets, the dashboard's figures, service bases) are
shared by everything in the division.
"""
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Q, QuerySet

OUT_OF_SCOPE_MESSAGE = "「{name}」不在您的管辖范围（{scope}）内，不能在此保存或查看记录。"
NO_SCOPE_MESSAGE = "您的账号尚未设置管辖区划，请联系上级管理员。"
OTHER_ASSOCIATION_MESSAGE = "您的账号只能在本协会（{association}）登记和修改记录。"


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


def user_association_id(user) -> int | None:
    """The association a secretariat account is limited to; ``None``: no association limit."""
    if user is None or not user.is_authenticated or user.is_superuser:
        return None
    return getattr(user, "association_id", None)


def association_condition(model, association_id: int) -> Q | None:
    """The condition for ``model``'s records of one association; ``None`` for models not bound to associations."""
    build = getattr(model, "association_q", None)
    if build is not None:
        return build(association_id)
    path = getattr(model, "association_path", None)
    if path is None:
        return None
    return Q(**{path: association_id})


def scope_queryset(queryset: QuerySet, user, *, path: str | None = None) -> QuerySet:
    """Limit any queryset to the user's division and everything below it (and a secretariat account to its
    association). ``path``: the division path where it differs from the model's own (its history); the
    association limit applies to the live model only (history views check the live record first)."""
    code = user_scope_code(user)
    if code is None:
        return queryset.none()
    if code == "":
        return queryset
    scoped = queryset.filter(**{f"{path or scope_path_of(queryset.model)}__startswith": code})
    association_id = user_association_id(user)
    if association_id is not None and path is None:
        condition = association_condition(queryset.model, association_id)
        if condition is not None:
            scoped = scoped.filter(condition)
    return scoped


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
        _assert_in_association(user, obj, field)
        return
    division = _division_of(obj)
    message = OUT_OF_SCOPE_MESSAGE.format(
        name=division.name if division is not None else "未指定区划", scope=user.scope_division.name
    )
    raise ValidationError({field: message} if field else message)


def stamped_association_fields(model) -> tuple[str, ...]:
    """The fields a secretariat account's new record of ``model`` gets its association in, when left blank."""
    registering = getattr(model, "registering_association_field", None)
    if registering is not None:
        return (registering,)
    path = getattr(model, "association_path", None)
    return (path,) if path and path != "pk" and "__" not in path else ()


def _assert_in_association(user, obj, field: str | None) -> None:
    """A secretariat account writes only its own association's records. A new record bound to associations
    through several links (a volunteer) is registered by the account's association; a stored one was found
    through the scoped queryset already."""
    association_id = user_association_id(user)
    if association_id is None:
        return
    model = type(obj)
    registering = getattr(model, "registering_association_field", None)
    if registering is not None:
        if obj.pk is None and getattr(obj, f"{registering}_id") is None:
            setattr(obj, f"{registering}_id", association_id)
        return
    path = getattr(model, "association_path", None)
    if path is None:
        return
    if "__" not in path and path != "pk" and obj.pk is None and getattr(obj, f"{path}_id") is None:
        setattr(obj, f"{path}_id", association_id)  # a new team or organisation of the account's association
        return
    if path == "pk":
        found = obj.pk
    else:
        value = obj
        *links, last = path.split("__")
        for part in links:
            value = getattr(value, part, None)
            if value is None:
                break
        found = getattr(value, f"{last}_id", None) if value is not None else None
    if found == association_id:
        return
    from associations.models import Association

    name = Association.objects.filter(pk=association_id).values_list("name", flat=True).first() or ""
    message = OTHER_ASSOCIATION_MESSAGE.format(association=name)
    raise ValidationError({field: message} if field else message)


def _division_of(obj):
    from divisions.models import Division

    value = obj
    for part in scope_path_of(type(obj)).split("__")[:-1]:
        value = getattr(value, part, None)
        if value is None:
            return None
    return value if isinstance(value, Division) else None
