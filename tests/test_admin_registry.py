"""Every admin that shows scoped data uses the scoped base class: a new admin cannot forget scoping."""
import pytest
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


@pytest.mark.django_db
def test_the_admin_index_lists_the_modules_in_the_order_of_the_work(client):
    """协会台账 → 志愿者与会员 → 服务队与阵地 → 项目与服务记录 → 培训 → 目标与统计, then reference data and accounts;
    within a module the main record first."""
    from accounts.tests.factories import staff_user

    client.force_login(staff_user(superuser=True))
    apps = client.get("/admin/").context["app_list"]
    names = [app["name"] for app in apps]
    assert names[:6] == ["协会台账", "志愿者与会员", "服务队与阵地", "项目与服务记录", "培训", "目标与统计"]
    assert names.index("行政区划") < names.index("账号与权限")
    first = {app["app_label"]: app["models"][0]["object_name"] for app in apps}
    assert (first["associations"], first["members"], first["projects"]) == ("Association", "Volunteer", "Project")
