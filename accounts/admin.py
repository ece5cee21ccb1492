from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.http import Http404

from divisions.models import Division

from .admin_scoping import LeagueListFilter, pk_or_404
from .models import User
from .roles import Role, grantable_roles, group_name
from .scoping import user_scope_code

admin.site.unregister(Group)


def _manageable_divisions(manager):
    """Divisions strictly below the manager's own: league staff manage counties of their league, never above."""
    code = user_scope_code(manager)
    if code is None:
        return Division.objects.none()
    if code == "":
        return Division.objects.all()
    return Division.objects.filter(code__startswith=code).exclude(code=code)


def _grantable_groups(manager):
    return Group.objects.filter(name__in=[group_name(r) for r in grantable_roles(manager)])


def _check_secretariat_association(form, cleaned) -> None:
    """A secretariat account is tied to one association, in that association's division; no other account is."""
    if "association" not in form.fields or "groups" not in form.fields:
        return
    association = cleaned.get("association")
    secretariat = any(g.name == group_name(Role.SECRETARIAT) for g in cleaned.get("groups") or [])
    if secretariat and association is None and "association" not in form.errors:
        form.add_error("association", "协会秘书处工作人员的账号须填写所属协会。")
    elif association is not None and not secretariat:
        form.add_error("association", "只有协会秘书处工作人员的账号填写所属协会。")
    elif association is not None and cleaned.get("scope_division") != association.division:
        form.add_error("scope_division", f"协会秘书处工作人员的管辖区划须为所属协会所在的「{association.division.name}」。")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "last_name", "first_name", "organisation", "scope_division", "roles", "is_active")
    list_filter = ("is_active", "groups", LeagueListFilter)
    list_select_related = ("scope_division",)
    search_fields = ("username", "first_name", "last_name", "organisation")
    autocomplete_fields = ("scope_division", "association")
    ordering = ("username",)

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("last_name", "first_name", "email", "organisation")}),
        ("管辖范围与角色", {"fields": ("scope_division", "association", "groups", "is_active")}),
        ("登录记录", {"fields": ("last_login", "date_joined")}),
    )
    superuser_fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("last_name", "first_name", "email", "organisation")}),
        ("管辖范围与角色", {"fields": ("scope_division", "association", "groups", "is_active", "is_staff",
                                     "is_superuser")}),
        ("单独授权", {"classes": ("collapse",), "fields": ("user_permissions",)}),
        ("登录记录", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        ("管辖范围与角色", {"fields": ("last_name", "first_name", "organisation", "scope_division", "association",
                                     "groups")}),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_fieldsets(self, request, obj=None):
        if obj is not None and request.user.is_superuser:
            return self.superuser_fieldsets
        return super().get_fieldsets(request, obj)

    @admin.display(description="角色")
    def roles(self, obj):
        return "、".join(g.name for g in obj.groups.all()) or "—"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("groups")
        manager = request.user
        if manager.is_superuser:
            return queryset
        return (
            queryset.filter(scope_division__in=_manageable_divisions(manager), is_superuser=False)
            .exclude(pk=manager.pk)
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "scope_division":
            kwargs["queryset"] = _manageable_divisions(request.user)
        if db_field.name == "association":
            from associations.models import Association

            kwargs["queryset"] = Association.objects.filter(division__in=_manageable_divisions(request.user))
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "scope_division":
            formfield.error_messages["invalid_choice"] = "只能为本级以下的行政区划开设账号。"
        if db_field.name == "association":
            formfield.error_messages["invalid_choice"] = "所选协会不在您可开设账号的区划内。"
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = _grantable_groups(request.user)
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        manager = request.user

        class ManagedUserForm(form):
            def clean(self):
                cleaned = super().clean()
                _check_secretariat_association(self, cleaned)
                if manager.is_superuser:
                    return cleaned
                if (
                    "scope_division" in self.fields
                    and not cleaned.get("scope_division")
                    and "scope_division" not in self.errors
                ):
                    raise ValidationError({"scope_division": "请为账号指定管辖区划。"})
                allowed = set(_grantable_groups(manager).values_list("pk", flat=True))
                if any(g.pk not in allowed for g in cleaned.get("groups") or []):
                    raise ValidationError({"groups": "不能授予与本人同级或更高级别的角色。"})
                return cleaned

        return ManagedUserForm

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            # Accounts opened by staff are staff accounts; they can never be superusers.
            obj.is_staff = True
            obj.is_superuser = False
        super().save_model(request, obj, form, change)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404("账号不存在，或不在您的管辖范围内。")

    def user_change_password(self, request, id, form_url=""):
        if not self.get_queryset(request).filter(pk=pk_or_404(self.model, id)).exists():
            raise Http404("账号不存在，或不在您的管辖范围内。")
        return super().user_change_password(request, id, form_url)

