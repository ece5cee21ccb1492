"""Login protection on top of django-axes.

- A username is locked on one address after ``AXES_FAILURE_LIMIT`` failures (an office behind one NAT address
  is not locked because one person mistypes).
- An address is locked for every username after ``AXES_ADDRESS_FAILURE_LIMIT`` failures across usernames within
  the cool-off time: trying one password on many accounts (spraying) is stopped too.
- The lockout answers JSON on the API and the Chinese page elsewhere.
- A locked account's API tokens are revoked, as are an account's tokens when its password changes or it is
  deactivated (``revoke_tokens_on_account_change``).
"""
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

ACCOUNT_LOCKED = "该账号在本机连续登录失败次数过多，已被暂时锁定，请在 {minutes} 分钟后重试。"
ADDRESS_LOCKED = "本机地址登录失败次数过多（可能有人在尝试多个账号的密码），已被暂时锁定，请在 {minutes} 分钟后重试。"


def address_failures(ip_address: str) -> int:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start"))["total"] or 0


class AddressAwareHandler(AxesDatabaseHandler):
    """django-axes' database handler, with the address counted across usernames at its own, higher limit."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        address = getattr(request, "axes_ip_address", None)
        if address and address_failures(address) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            request.axes_locked_by_address = True
            return max(failures, get_failure_limit(request, credentials))
        return failures


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    by_address = getattr(request, "axes_locked_by_address", False)
    message = (ADDRESS_LOCKED if by_address else ACCOUNT_LOCKED).format(minutes=minutes)
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=429,
                            json_dumps_params={"ensure_ascii": False})
    return render(request, "accounts/lockout.html", {"message": message}, status=429)


def revoke_tokens_of_locked_account(sender, request=None, username=None, **kwargs):
    """Tokens issued before the lockout stop working with it (not for an address lockout: a stranger trying
    many usernames from one address must not cut every account off the API)."""
    from rest_framework.authtoken.models import Token

    if username and not getattr(request, "axes_locked_by_address", False):
        Token.objects.filter(user__username=username).delete()


def revoke_tokens_on_account_change(sender, instance, update_fields=None, **kwargs):
    """A new password or a deactivated account ends every API token issued before."""
    from rest_framework.authtoken.models import Token

    if instance.pk is None or (update_fields is not None and not {"password", "is_active"} & set(update_fields)):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if stored and (stored["password"] != instance.password or (stored["is_active"] and not instance.is_active)):
        Token.objects.filter(user_id=instance.pk).delete()
