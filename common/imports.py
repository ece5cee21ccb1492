"""The import machinery every ledger shares, on django-import-export.

- Widgets that read what staff type: Chinese labels for choices, 是/否, dates in several forms.
- ``ScopedModelResource``: rows land only inside the importing user's scope, validation is set-based (no query
  per row), writes are bulk and leave history, and a file lands whole or not at all.
- ``run_import``: runs a resource over a dataset (dry run or for real) and reports every bad row as
  (Excel row, column, Chinese message).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from import_export import resources, widgets
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.scoping import assert_in_scope, scope_path_of, scope_queryset, user_scope_code

from .excel import ROW_COLUMN, neutralise, parse_date, unneutralise


# --- widgets ------------------------------------------------------------------------------------------------
class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return parse_date(value)

    def render(self, value, obj=None, **kwargs):
        return value


class ChoiceWidget(widgets.Widget):
    """A choice written as its Chinese label (or its code); exported as the label."""

    def __init__(self, choices, **kwargs):
        self.to_value = {}
        for value, label in choices:
            self.to_value[str(label)] = value
            self.to_value[str(value)] = value
        self.labels = dict((value, str(label)) for value, label in choices)
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return ""
        key = str(value).strip()
        if key not in self.to_value:
            raise ValueError(f"「{value}」不是可选的值，可选：{'、'.join(self.labels.values())}。")
        return self.to_value[key]

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value or "")


class YesNoWidget(widgets.Widget):
    TRUE = {"是", "有", "Y", "YES", "TRUE", "1", "√"}
    FALSE = {"否", "无", "没有", "N", "NO", "FALSE", "0", "×"}

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().upper()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(f"「{value}」应填“是”或“否”，不清楚请留空。")

    def render(self, value, obj=None, **kwargs):
        return {True: "是", False: "否"}.get(value, "")


def _non_negative_number(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"「{value}」不是数字。") from None
    if number < 0:
        raise ValueError(f"「{value}」不能为负数。")
    return number


class IntegerWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        number = _non_negative_number(value)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise ValueError(f"「{value}」应为整数。")
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return value


class DecimalWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return _non_negative_number(value)

    def render(self, value, obj=None, **kwargs):
        return float(value) if value is not None else None


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return unneutralise(str(value).strip())

    def render(self, value, obj=None, **kwargs):
        return neutralise(value or "")


# --- resource -----------------------------------------------------------------------------------------------
class ScopedModelResource(resources.ModelResource):
    """Base for every ledger import. Subclasses declare their fields with explicit Chinese column names and may
    add set-based checks in ``check_row`` (preload what they need in ``prepare``)."""

    required_columns: tuple[str, ...] = ()
    change_reason = "Excel导入"

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    class Meta:
        abstract = True
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        skip_html_diff = True
        clean_model_instances = True
        skip_unchanged = False
        report_skipped = False

    # scope ---------------------------------------------------------------------------------------------------
    def get_queryset(self):
        return scope_queryset(super().get_queryset(), self.user)

    def before_import(self, dataset, **kwargs):
        self.user = kwargs.get("user") or self.user
        if user_scope_code(self.user) is None:
            raise ValidationError("您的账号尚未设置管辖区划，不能导入。")
        missing = [c for c in self.required_columns if c not in dataset.headers]
        if missing:
            raise ValidationError(f"缺少列：{'、'.join(missing)}。请使用下载的模板，第 1 行为列标题。")
        known = {f.column_name for f in self.fields.values()} | {ROW_COLUMN}
        unknown = [h for h in dataset.headers if h not in known]
        if unknown:
            raise ValidationError(f"无法识别的列：{'、'.join(unknown)}。请使用下载的模板中的列标题。")
        self.row_numbers_seen: dict[tuple, int] = {}
        self.prepare(dataset)

    def prepare(self, dataset) -> None:
        """Load, in a fixed number of queries, whatever ``check_row`` needs."""

    def check_row(self, instance, row, errors: dict[str, list[str]]) -> None:
        """Set-based checks for one row; add messages to ``errors`` keyed by field attribute."""

    def remember(self, key: tuple, row) -> int | None:
        """Record a key for duplicate detection inside the file; returns the earlier row that had it."""
        earlier = self.row_numbers_seen.get(key)
        if earlier is None:
            self.row_numbers_seen[key] = row.get(ROW_COLUMN)
        return earlier

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors: dict[str, list[str]] = {k: list(v) for k, v in (import_validation_errors or {}).items()}
        try:
            # Uniqueness and constraints are checked set-based in check_row, not with a query per row.
            instance.full_clean(exclude=list(errors.keys()) + self.full_clean_exclude(),
                                validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(messages)
        scope_field = scope_path_of(type(instance)).split("__")[0]
        if scope_field not in errors:
            try:
                assert_in_scope(self.user, instance)
            except ValidationError as error:
                errors.setdefault(scope_field, []).extend(error.messages)
        self.check_row(instance, self._current_row, errors)
        if errors:
            raise ValidationError(errors)

    def full_clean_exclude(self) -> list[str]:
        return []

    def import_row(self, row, instance_loader, **kwargs):
        self._current_row = row
        return super().import_row(row, instance_loader, **kwargs)

    # writes: bulk, with history ------------------------------------------------------------------------------
    def before_bulk_create(self, instances) -> None:
        """Fill what the database needs before insert (serial numbers …)."""

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.create_instances and (using_transactions or not dry_run):
            try:
                self.before_bulk_create(self.create_instances)
                bulk_create_with_history(
                    self.create_instances, self._meta.model, batch_size=batch_size,
                    default_user=self.user, default_change_reason=self.change_reason,
                )
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.create_instances.clear()

    def get_bulk_update_fields(self):
        model_fields = {f.name for f in self._meta.model._meta.concrete_fields if not f.primary_key}
        ids = set(self.get_import_id_fields())
        names = [f.attribute for f in self.get_import_fields() if not f.readonly and f.attribute in model_fields]
        return [name for name in dict.fromkeys(names) if name not in ids]

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.update_instances and (using_transactions or not dry_run):
            try:
                bulk_update_with_history(
                    self.update_instances, self._meta.model, self.get_bulk_update_fields(),
                    batch_size=batch_size, default_user=self.user, default_change_reason=self.change_reason,
                )
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.update_instances.clear()

    # labels --------------------------------------------------------------------------------------------------
    def column_of(self, attribute: str) -> str:
        for name, fld in self.fields.items():
            if attribute in (name, fld.attribute):
                return fld.column_name
        return ""


# --- running an import --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str
    message: str


@dataclass
class ImportReport:
    total: int = 0
    new: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def run_import(resource: ScopedModelResource, dataset, *, dry_run: bool) -> ImportReport:
    """Import a whole dataset or nothing. With ``dry_run`` nothing is ever written."""
    report = ImportReport(total=len(dataset))
    with transaction.atomic():
        result = resource.import_data(
            dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True,
            user=resource.user, raise_errors=False,
        )
        row_of = {i: (row[-1] if dataset.headers[-1] == ROW_COLUMN else i + 1) for i, row in enumerate(dataset, 1)}
        for error in result.base_errors:
            messages = error.error.messages if isinstance(error.error, ValidationError) else [_friendly(error.error)]
            report.errors.extend(RowError(None, "", m) for m in messages)
        if report.errors:
            # A file-level problem (missing columns, no scope): row messages would only repeat it.
            transaction.set_rollback(True)
            return report
        for invalid in result.invalid_rows:
            for key, messages in invalid.error_dict.items():
                column = "" if key == NON_FIELD_ERRORS else resource.column_of(key)
                report.errors.extend(RowError(row_of.get(invalid.number), column, m) for m in messages)
        for number, errors in result.row_errors():
            report.errors.extend(RowError(row_of.get(number), "", _friendly(e.error)) for e in errors)
        report.errors.sort(key=lambda e: (e.row or 0, e.column))
        report.new = result.totals.get("new", 0)
        report.updated = result.totals.get("update", 0)
        report.names = [r.object_repr for r in result.valid_rows()[:200] if r.object_repr]
        if report.errors:
            transaction.set_rollback(True)
    return report


def _friendly(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return f"无法保存：{error}"


__all__ = [
    "ChoiceWidget", "DateWidget", "DecimalWidget", "ImportReport", "IntegerWidget", "RowError", "ScopedModelResource", "TextWidget", "YesNoWidget", "run_import",
]
