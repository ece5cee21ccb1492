"""Every admin that shows scoped data uses the scoped base class: a new admin cannot forget scoping."""
from django.contrib import admin

from accounts.admin import UserAdmin
from accounts.admin_scoping import ScopedModelAdmin

# Login-attempt records of django-axes and API tokens: no role is granted them, only superusers see them.
SUPERUSER_ONLY_APPS = {"axes", "authtoken"}


def test_no_role_reaches_superuser_only_admins():
    from accounts.roles import ROLE_PERMISSIONS

    granted_apps = {app for grants in ROLE_PERMISSIONS.values() for app, _ in grants}
    assert not granted_apps & SUPERUSER_ONLY_APPS


def test_every_registered_admin_is_scoped():
    from common.admin import ImportJobAdmin

    unscoped = []
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, UserAdmin) or model._meta.app_label in SUPERUSER_ONLY_APPS:
            continue  # accounts are scoped by their own rule: strictly below the manager's division
        if isinstance(model_admin, ImportJobAdmin):
            continue  # each account's own jobs (common/tests/test_import_job_admin.py)
        if not isinstance(model_admin, ScopedModelAdmin) or not getattr(model, "scope_path", None):
            unscoped.append(model._meta.label)
    assert unscoped == []


def test_every_scoped_admin_inline_is_scoped():
    from accounts.admin_scoping import ScopedInline

    bad = [
        f"{model._meta.label}: {inline.__name__}"
        for model, model_admin in admin.site._registry.items()
        for inline in getattr(model_admin, "inlines", ())
        if not issubclass(inline, ScopedInline)
    ]
    assert bad == []
