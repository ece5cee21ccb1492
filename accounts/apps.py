from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, using="default", **kwargs):
    from .roles import roles_sync

    roles_sync(using=using)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        # Roles reference permissions of every app, which exist only after each app's own post_migrate; the
        # sync is idempotent and cheap, so it runs after every app and the last run sees them all.
        post_migrate.connect(_sync_roles, dispatch_uid="accounts.sync_roles")

        from axes.signals import user_locked_out
        from django.db.models.signals import pre_save

        from .lockout import revoke_tokens_of_locked_account, revoke_tokens_on_account_change
        from .models import User

        user_locked_out.connect(revoke_tokens_of_locked_account, dispatch_uid="accounts.revoke_on_lockout")
        pre_save.connect(revoke_tokens_on_account_change, sender=User, dispatch_uid="accounts.revoke_on_change")
