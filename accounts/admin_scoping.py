"""Admin building blocks that apply division scoping on every path a user can reach.

``ScopedModelAdmin`` scopes the changelist, change/delete/history views (out-of-scope objects are a 404),
autocomplete (it answers from ``get_queryset``), foreign-key choices and list-filter choices, and
refuses to save a record into a division outside the user's scope.
"""
from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from common.concurrency import versioned_form
from common.history import ReadableHistoryHelper, related_changes
from common.parsers import FormDateField
from divisions.models import Division

from .scoping import (
    assert_in_scope,
    record_division_code,
    scope_path_of,
    scope_queryset,
    stamped_association_fields,
    user_association_id,
    user_scope_code,
)

INVALID_CHOICE_MESSAGE = "所选{label}不存在，或不在您的管辖范围内。"


def pk_or_404(model, value):
    """The primary key a URL names, or a 404 for anything that cannot be one (``abc``, ``1.5``, ``²``)."""
    try:
        return model._meta.pk.to_python(unquote(str(value)))
    except (ValidationError, ValueError, TypeError, OverflowError):
        raise Http404("记录不存在，或不在您的管辖范围内。") from None


def _is_scoped(model) -> bool:
    return bool(getattr(model, "scope_path", None))


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A foreign-key list filter whose choices are limited to what the user may see."""

    def field_choices(self, field, request, model_admin):
        queryset = field.related_model._default_manager.all()
        if _is_scoped(field.related_model):
            queryset = scope_queryset(queryset, request.user)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]


class _DivisionLevelFilter(admin.SimpleListFilter):
    """Filter a scoped model by one division of a level, offering only divisions within the user's scope."""

    level: str

    def lookups(self, request, model_admin):
        divisions = scope_queryset(Division.objects.filter(level=self.level, is_statutory=True), request.user)
        league = request.GET.get(LeagueListFilter.parameter_name)
        if self.level == Division.Level.COUNTY and league:
            divisions = divisions.filter(code__startswith=league)
        return [(d.code, d.name) for d in divisions.only("code", "name")]

    def queryset(self, request, queryset):
        code = self.value()
        if not code:
            return queryset
        return queryset.filter(**{f"{scope_path_of(queryset.model)}__startswith": code})


class LeagueListFilter(_DivisionLevelFilter):
    title = "盟市"
    parameter_name = "league"
    level = Division.Level.LEAGUE


class CountyListFilter(_DivisionLevelFilter):
    title = "旗县（市、区）"
    parameter_name = "county"
    level = Division.Level.COUNTY


class AccountNamesMixin:
    """A field naming an account (记录人, 确认人, 更正人, 查看人) shows the account's name, not a link to the
    account's page, which most roles may not open. The shown field is a function made once per request and kept
    on it, so that the form, the fieldsets and the read-only list agree (the admin instance is shared by every
    thread)."""

    def _account_field_names(self) -> set[str]:
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        return {f.name for f in self.model._meta.fields if f.is_relation and f.related_model is user_model}

    def _account_name(self, request, name):
        shown = request.__dict__.setdefault("_account_name_fields", {})
        key = (self.model, name)
        if key not in shown:
            field = self.model._meta.get_field(name)

            def account_name(obj):
                if obj is None or getattr(obj, field.attname, None) is None:
                    return "—"
                account = getattr(obj, name)
                return account.get_full_name() or account.get_username()

            account_name.short_description = field.verbose_name
            account_name.__name__ = name
            shown[key] = account_name
        return shown[key]

    def _named(self, request, names):
        accounts = self._account_field_names()
        if not accounts:
            return names

        def swap(item):
            if isinstance(item, (list, tuple)):
                return type(item)(swap(part) for part in item)
            return self._account_name(request, item) if isinstance(item, str) and item in accounts else item

        return [swap(item) for item in names]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        accounts = self._account_field_names()
        return self._named(request, [*readonly, *(name for name in accounts if name not in readonly)])

    def get_fieldsets(self, request, obj=None):
        return [(title, {**options, "fields": self._named(request, options["fields"])})
                for title, options in super().get_fieldsets(request, obj)]


class ScopingFormMixin:
    # dates typed in any form staff use, read as imports and the API read them (common.parsers)
    formfield_overrides = {models.DateField: {"form_class": FormDateField}}

    """Foreign-key choices limited to the user's scope, with a Chinese message for anything else."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if _is_scoped(related) and "queryset" not in kwargs:
            kwargs["queryset"] = scope_queryset(related._default_manager.all(), request.user)
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and _is_scoped(related):
            formfield.error_messages["invalid_choice"] = INVALID_CHOICE_MESSAGE.format(
                label=db_field.verbose_name
            )
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        if _is_scoped(related) and "queryset" not in kwargs:
            kwargs["queryset"] = scope_queryset(related._default_manager.all(), request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _scope_checked_form(form_class, user, field_name: str | None):
    class ScopeCheckedForm(form_class):
        def _post_clean(self):
            super()._post_clean()
            if field_name and field_name in self._errors:
                return  # the field's own refusal ("不存在，或不在您的管辖范围内") already says it
            if self._errors and record_division_code(self.instance) is None:
                return  # the record cannot be placed yet because a field was refused: that refusal says why
            try:
                assert_in_scope(user, self.instance, field=field_name if field_name in self.fields else None)
            except ValidationError as error:
                self._update_errors(error)

    ScopeCheckedForm.__name__ = form_class.__name__
    return ScopeCheckedForm


class ScopedModelAdmin(AccountNamesMixin, ScopingFormMixin, SimpleHistoryAdmin):
    """Base admin for every model a user reaches through the admin. The model declares ``scope_path``."""

    list_filter_scoped = True
    change_form_template = "admin/versioned_change_form.html"  # carries the version the page was opened with

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user)

    def _inline_links(self):
        """(model, foreign-key name) of each inline's rows."""
        for inline in self.inlines:
            link = inline.fk_name or next((f.name for f in inline.model._meta.fields
                                           if f.is_relation and f.related_model is self.model), None)
            if link is not None:
                yield inline.model, link

    def versioned_rows(self, pk):
        """What a save of the change form could overwrite besides the record's own columns: its inlines' rows
        and its many-to-many links; and the history of those rows, to name who changed them."""
        rows, histories = [], []
        for model, link in self._inline_links():
            rows.append(model._base_manager.filter(**{link: pk}))
            if hasattr(model, "history"):
                histories.append((model, model.history.filter(**{f"{link}_id": pk})))
        for field in self.model._meta.many_to_many:
            through = field.remote_field.through
            rows.append(through._base_manager.filter(**{field.m2m_field_name(): pk}))
        return rows, histories

    def get_changeform_initial_data(self, request):
        """A new record starts where the account works: its county (a division the record names directly) and,
        for a secretariat, its association."""
        initial = super().get_changeform_initial_data(request)
        user = request.user
        if (scope_path_of(self.model) == "division__code" and user.scope_division_id and "division" not in initial
                and user.scope_division.level in ("county", "township")):
            initial["division"] = user.scope_division_id
        association_id = user_association_id(user)
        if association_id is not None:
            for name in stamped_association_fields(self.model):
                initial.setdefault(name, association_id)
        return initial

    def get_list_filter(self, request):
        filters = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and "__" not in entry:
                field = self.model._meta.get_field(entry)
                if field.is_relation and (field.many_to_one or field.many_to_many):
                    entry = (entry, ScopedRelatedFieldListFilter)
            filters.append(entry)
        return filters

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form = _scope_checked_form(form, request.user, scope_path_of(self.model).split("__")[0])
        if change and obj is not None and self.has_change_permission(request, obj):
            form = versioned_form(form, self.versioned_rows)
        current = getattr(request, "_revert_onto", None)
        return _revert_form(form, current) if current is not None else form

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # An object outside the user's scope is indistinguishable from one that does not exist.
        raise Http404(f"{opts.verbose_name}（ID {object_id}）不存在，或不在您的管辖范围内。")

    # --- history: django-simple-history's views look objects up without get_queryset; scope them here.
    def _history_in_scope(self, request, object_id, version_id=None) -> bool:
        object_id = pk_or_404(self.model, object_id)
        history = self.model.history
        if version_id is not None:
            version_id = pk_or_404(history.model, version_id)
        if self.get_queryset(request).filter(pk=object_id).exists():
            if version_id is None:
                return True
        elif version_id is None:
            # A deleted record: its last version decides.
            versions = history.filter(**{self.model._meta.pk.attname: object_id})
            last = versions.order_by("-history_date").first()
            if last is None:
                return False
            last_version = scope_queryset(versions.filter(history_id=last.history_id), request.user,
                                          path=scope_path_of(self.model))
            association_id = user_association_id(request.user)
            if association_id is not None:
                association_path = getattr(self.model, "association_path", None)
                if association_path is None or association_path == "pk":
                    return False  # records of several associations at once: not reopened by a secretariat
                last_version = last_version.filter(**{association_path: association_id})
            return last_version.exists()
        else:
            return False
        version = history.filter(**{self.model._meta.pk.attname: object_id, "history_id": version_id})
        return scope_queryset(version, request.user, path=scope_path_of(self.model)).exists()

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        """Only the versions that lay within the user's scope when they were made: a team moved in from another
        county does not bring its earlier county's history with it."""
        queryset = super().get_history_queryset(request, history_manager, pk_name, object_id)
        return scope_queryset(queryset, request.user, path=scope_path_of(self.model))

    def get_fieldsets(self, request, obj=None):
        """A record shown read-only leaves out the form's own entry fields (录入或更正身份证号码, 更正原因): they
        hold nothing to show."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        model_fields = {f.name for f in self.model._meta.get_fields()}
        entry_only = {name for name in getattr(self.form, "declared_fields", {}) if name not in model_fields}
        if not entry_only:
            return fieldsets

        def kept(fields):
            out = []
            for item in fields:
                if isinstance(item, (list, tuple)):
                    item = tuple(name for name in item if name not in entry_only)
                    if item:
                        out.append(item)
                elif item not in entry_only:
                    out.append(item)
            return out

        return [(title, {**options, "fields": kept(options["fields"])}) for title, options in fieldsets]

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryHelper(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """The field changes in labels, and under each version what its inlines' rows recorded with it."""
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        versions = list(historical_records)
        if not versions:
            return
        object_id = getattr(versions[0], self.model._meta.pk.attname)
        related_changes(versions, self.versioned_rows(object_id)[1])

    def history_view(self, request, object_id, extra_context=None):
        if not hasattr(self.model, "history"):  # computed or log records: Django's own change log, still scoped
            if not self.get_queryset(request).filter(pk=pk_or_404(self.model, object_id)).exists():
                raise Http404("记录不存在，或不在您的管辖范围内。")
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        if user_scope_code(request.user) is None or not self._history_in_scope(request, object_id):
            raise Http404("记录不存在，或不在您的管辖范围内。")
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past version, shown read-only or offered for revert. Reverting is a change like any other: it needs
        the change permission on the record as it is now, and goes through the change form's own checks against
        the stored record (so a service record's hours revert only as a correction with a reason)."""
        if not hasattr(self.model, "history"):  # computed or log records keep no versions
            raise Http404("记录不存在，或不在您的管辖范围内。")
        if user_scope_code(request.user) is None or not self._history_in_scope(request, object_id, version_id):
            raise Http404("记录不存在，或不在您的管辖范围内。")
        if request.method == "POST":
            current = self.get_queryset(request).filter(pk=pk_or_404(self.model, object_id)).first()
            if current is None or self.revert_disabled(request, current):
                raise PermissionDenied("您没有修改该记录的权限，不能恢复历史版本。")
            request._revert_onto = current
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return super().revert_disabled(request, obj) or not self.has_change_permission(request, obj)


def _revert_form(form_class, current):
    """The history page's form, bound to the stored record: what it validates and saves is the change from the
    record as it is now to the version being restored, not from that version to itself."""

    class RevertForm(form_class):
        def __init__(self, data=None, files=None, *args, instance=None, **kwargs):
            if data is not None:
                instance = type(current)._default_manager.get(pk=current.pk)
            super().__init__(data, files, *args, instance=instance, **kwargs)

    RevertForm.__name__ = form_class.__name__
    return RevertForm


class ReadOnlyAdminMixin:
    """Reference data and logs: browsable in scope, never added, changed or deleted through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SharedChoicesModelChoiceField(forms.ModelChoiceField):
    """A select whose choices are read once and shared by every form of a formset (copies share ``_shared``),
    so an inline with N rows costs one query for its choices, not N."""

    def __init__(self, *args, **kwargs):
        self._shared = None
        super().__init__(*args, **kwargs)
        self._shared = {}
        self.widget.choices = self.choices

    def _get_choices(self):
        if self._shared is None:  # still inside __init__
            return super()._get_choices()
        if "choices" not in self._shared:
            self._shared["choices"] = list(super()._get_choices())
        return self._shared["choices"]

    choices = property(_get_choices, forms.ChoiceField.choices.fset)


class ScopedInline(AccountNamesMixin, ScopingFormMixin, admin.TabularInline):
    extra = 0
    show_change_link = False

    class Media:
        js = ("platform/stacked_rows.js",)  # labels each cell for the stacked rows of a narrow screen

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name not in self.autocomplete_fields and db_field.name not in self.raw_id_fields:
            kwargs.setdefault("form_class", SharedChoicesModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
