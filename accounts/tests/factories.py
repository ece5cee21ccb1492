import itertools

from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import group_name
from divisions.models import Division

_seq = itertools.count(1)


def staff_user(role: str | None = None, scope_code: str | None = None, *, superuser=False, password="pw-Secret-123",
               association=None):
    """A staff account. A secretariat account takes ``association`` (its division is the scope)."""
    if association is not None:
        scope_code = association.division.code
    user = User.objects.create_user(
        association=association,
        username=f"user{next(_seq)}",
        password=password,
        is_staff=True,
        is_superuser=superuser,
        scope_division=Division.objects.get(code=scope_code) if scope_code else None,
    )
    if role:
        user.groups.add(Group.objects.get(name=group_name(role)))
    return User.objects.get(pk=user.pk)
