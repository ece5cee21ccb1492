import secrets

from django.contrib.auth.models import Group
from django.db import transaction

from divisions.models import Division

from .models import User
from .roles import group_name


def _password() -> str:
    return secrets.token_urlsafe(9)


@transaction.atomic
def staff_account_ensure(
    *, username: str, role: str | None, scope_code: str | None, superuser: bool = False, display_name: str = "",
    association=None,
) -> tuple[User, str]:
    """Create or refresh an account and give it a fresh random password, returned for printing once. A
    secretariat account takes its ``association``, whose division is its scope."""
    user, _ = User.objects.get_or_create(username=username)
    password = _password()
    user.set_password(password)
    user.is_staff = True
    user.is_active = True
    user.is_superuser = superuser
    user.last_name = display_name
    user.scope_division = Division.objects.get(code=scope_code) if scope_code else None
    user.association = association
    if association is not None:
        user.scope_division = association.division
    user.save()
    if role:
        user.groups.set([Group.objects.get(name=group_name(role))])
    return user, password
