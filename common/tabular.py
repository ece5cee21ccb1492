"""A lean, batch-oriented import engine for the large tables (volunteers, members, rosters).

It keeps the platform's one import contract (the same template columns, preview, every bad row as
(Excel row, column, Chinese message), scope, history, whole file or nothing) while working in batches: each
batch of rows is cleaned in Python, checked against the database with a fixed number of queries, and written
with one bulk insert plus its history. Nothing is written while any row has an error: rows are validated in a
transaction and it is rolled back at the end if a single row failed.

Everything runs on the calling thread and its own connection, in one transaction: no extra threads, no second
connection, no process-wide setting, so an import behaves the same in runserver, gunicorn threads and Celery.
The largest tables (volunteers, service records) are written on PostgreSQL through COPY into a temporary
staging table and one ``INSERT … SELECT`` for the rows and their history (``common.pg_copy``). Each distinct
cell of a pure widget is cleaned once per import.
"""
from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import connection, transaction
from django.db.models.base import ModelState
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.scoping import (
    assert_in_scope,
    record_division_code,
    scope_path_of,
    user_scope_code,
)

from .imports import (
    CLEAR_MARKERS,
    ON_EXISTING_CHOICES,
    ON_EXISTING_ERROR,
    ImportReport,
    RowChange,
    RowError,
    TextWidget,
)
from .pg_copy import copy_create_with_history, copy_insert_with_history


@dataclass(frozen=True)
class Column:
    """One sheet column: its Chinese header, the attribute it fills, and the widget that cleans it."""

    header: str
    attr: str
    widget: object = TextWidget()
    required: bool = False  # the column must be in the sheet and its cells filled …
    blank_ok: bool = False  # … unless the widget itself decides from the row (所属区划 or 区划代码)
    readonly: bool = False  # exported for reading (上级区划), ignored on import
    export: Callable | None = None  # obj -> cell value; defaults to the attribute, rendered by the widget


_MISSING = object()


@dataclass(frozen=True)
class _CellErrors:
    messages: tuple[str, ...]


class RowProblems:
    """Errors of one row, keyed by column header; '' for the row as a whole."""

    def __init__(self):
        self.by_column: dict[str, list[str]] = {}

    def add(self, column: str, message: str) -> None:
        self.by_column.setdefault(column, []).append(message)

    def __contains__(self, column: str) -> bool:
        return column in self.by_column

    def __bool__(self) -> bool:
        return bool(self.by_column)


class InstanceFactory:
    """Unsaved instances of ``model`` from cleaned values (field name → value, a related object for a foreign
    key; other keys are ignored), every other field at its default. ``Model.__init__`` walks all fields and
    sends two signals for each instance; here the defaults are worked out once per import and an instance is
    its attribute dictionary, as when Django unpickles one. For import models only: no ``pre_init`` or
    ``post_init`` receivers run."""

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.defaults = {
            field.attname: None if field.primary_key or field.null or field.is_relation else field.get_default()
            for field in fields
        }
        # A callable default (a timestamp, a UUID) is called for each instance, as ``Model.__init__`` would.
        self.per_instance = tuple((field.attname, field.get_default) for field in fields
                                  if field.has_default() and callable(field.default))
        self.plain = tuple(field.attname for field in fields if not field.is_relation)
        self.related = tuple((field.name, field.attname) for field in fields if field.is_relation)

    def __call__(self, values: dict):
        instance = self.model.__new__(self.model)
        attributes = instance.__dict__
        attributes.update(self.defaults)
        for attname, default in self.per_instance:
            attributes[attname] = default()
        for name in self.plain:
            if name in values:
                attributes[name] = values[name]
        state = instance._state = ModelState()
        for name, attname in self.related:
            related = values.get(name)
            if related is not None:
                attributes[attname] = related.pk
                state.fields_cache[name] = related
        return instance


class TableImporter:
    """Subclasses declare ``columns`` and ``model`` and implement ``build`` (one row → an unsaved instance);
    ``prepare`` and ``check_batch`` hold the set-based checks."""

    model = None
    columns: tuple[Column, ...] = ()
    sheet_name = ""
    batch_size = 2000
    max_rows = 200_000
    change_reason = "Excel导入"

    clean_cache_size = 100_000  # distinct cells remembered per column (see ``_clean_row``)
    analyze_after_rows = 10_000  # an import writing this many rows refreshes the tables' statistics
    # On PostgreSQL, insert new rows and their history in one statement from a staging table, without fetching
    # their primary keys first (for tables whose import needs no ids back: ``copy_insert_with_history``).
    insert_without_ids = False
    # A sheet of people: the user chooses what a row for someone already registered does (``on_existing``:
    # skip it, update the stored record from the cells the row fills, or refuse the file).
    existing_choice = False

    def __init__(self, user, *, on_existing: str = ON_EXISTING_ERROR):
        if on_existing not in dict(ON_EXISTING_CHOICES):
            raise ValueError(f"unknown on_existing: {on_existing!r}")
        self.user = user
        self.on_existing = on_existing
        self._plan: list[tuple] | None = None

    # --- hooks --------------------------------------------------------------------------------------------
    def prepare(self) -> None:
        """Load lookup tables once (divisions in scope …)."""

    def build(self, values: dict, problems: RowProblems, row_number: int):
        """An instance from cleaned ``values`` (attr → value): a new one, or an existing one (with a primary
        key) changed by the row; ``None`` when the row is unusable."""
        raise NotImplementedError

    def lookup_batch(self, batch: list[tuple[int, object, RowProblems]]) -> object:
        """The database reads ``check_batch`` needs for a batch (people by keyed hash …), in a fixed number of
        queries. What it returns is handed to ``check_batch``."""
        return None

    def check_batch(self, batch: list[tuple[int, object, RowProblems]], found=None) -> None:
        """Set-based checks for a batch (duplicates in the file and in the database) in a fixed number of
        queries; ``found`` is what ``lookup_batch`` returned for it."""

    def existing_conflicts(self, batch: list[tuple[int, object, RowProblems]]) -> list[tuple[int, str, str]]:
        """After ``check_batch``: rows that collide with what the table already holds, as (Excel row, column,
        message), found before the batch is written. A batch with a conflict is not written."""
        return []

    # --- the staged path (PostgreSQL, the largest tables) ------------------------------------------------------
    def staged(self) -> bool:
        """True when the whole file goes by COPY into a staging table and is checked and written in SQL: Python
        reads, cleans and checks each row on its own; lookups, duplicates within the file, conflicts with stored
        rows and the reach of the people named are found by a few set-based queries over the whole file
        (``staged_problems``), and one ``INSERT … SELECT`` writes the rows and their history (``write_staged``)."""
        return False

    def stage_begin(self) -> None:
        """An empty staging table for this import (the transaction's end drops it)."""

    def stage(self, rows: list[tuple[int, object]]) -> None:
        """Append (Excel row, record) of a batch whose rows passed the checks Python makes on its own."""

    def staged_problems(self) -> list[tuple[int, str, str]]:
        """After the last batch: every (Excel row, column, message) the staged rows have."""
        return []

    def write_staged(self) -> int:
        """Write the staged rows and their history; the number written."""
        return 0

    def before_create(self, instances: list) -> None:
        """Fill what the database needs before insert (serial numbers …)."""

    @property
    def update_fields(self) -> list[str]:
        concrete = {f.name for f in self.model._meta.concrete_fields if not f.primary_key}
        return [c.attr for c in self.columns if not c.readonly and c.attr in concrete]

    def insert_rows(self, new: list) -> list[tuple]:
        """New rows as tuples of every concrete field but the primary key (``insert_without_ids``)."""
        values = operator.attrgetter(*[f.attname for f in self.model._meta.concrete_fields if not f.primary_key])
        return [values(i) for i in new]

    def model_instances(self, new: list) -> list:
        """New rows as model instances (for ``bulk_create`` off PostgreSQL)."""
        return new

    # --- writes -------------------------------------------------------------------------------------------
    def _write(self, instances: list) -> None:
        """A batch's writes: changed records with ``bulk_update``, new ones by COPY on PostgreSQL (without ids
        back where the importer allows it) or ``bulk_create`` elsewhere, each with its history rows."""
        new = [i for i in instances if i.pk is None]
        changed = [i for i in instances if i.pk is not None]
        if changed:
            bulk_update_with_history(changed, self.model, self.update_fields, batch_size=self.batch_size,
                                     default_user=self.user, default_change_reason=self.change_reason)
        if not new:
            return
        self.before_create(new)
        if connection.vendor != "postgresql":
            bulk_create_with_history(self.model_instances(new), self.model, batch_size=self.batch_size,
                                     default_user=self.user, default_change_reason=self.change_reason)
        elif self.insert_without_ids:
            copy_insert_with_history(self.model, self.insert_rows(new), user=self.user, reason=self.change_reason)
        else:
            copy_create_with_history(self.model, new, user=self.user, reason=self.change_reason)

    # --- engine -------------------------------------------------------------------------------------------
    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def _check_headers(self, headers: list[str]) -> list[str]:
        known = set(self.headers)
        missing = [c.header for c in self.columns if c.required and c.header not in headers]
        unknown = [h for h in headers if h not in known]
        messages = []
        if missing:
            messages.append(f"缺少列：{'、'.join(missing)}。请使用下载的模板，第 1 行为列标题。")
        if unknown:
            messages.append(f"无法识别的列：{'、'.join(unknown)}。请使用下载的模板中的列标题。")
        return messages

    def _clean_plan(self) -> list[tuple]:
        """Per column, once per import: header, attribute, whether it must be filled, and the cache of its
        distinct cells when its widget is pure."""
        if self._plan is None:
            self._plan = [
                (column, column.header, column.attr, column.required and not column.blank_ok,
                 {} if getattr(column.widget, "pure", False) else None)
                for column in self.columns if not column.readonly
            ]
        return self._plan

    def _clean_row(self, raw: dict, problems: RowProblems) -> dict:
        """Cleaned values of the cells that say something: a blank cell is left out (a stored record keeps its
        value, a new one takes the default), and 「（清空）」 clears the stored value where the field may be empty."""
        values = {}
        for column, header, attr, required, cache in self._clean_plan():
            value = raw.get(header, _MISSING)
            if value is _MISSING:
                continue
            if value is None or value == "":
                if required:
                    problems.add(header, "必填，不能为空。")
                    continue
                if not column.blank_ok:  # a blank_ok widget decides from the rest of the row
                    continue
            elif value.__class__ is str and value in CLEAR_MARKERS:
                empty = self.empty_value(attr)
                if column.required or empty is _MISSING:
                    problems.add(header, "该项不能清空。")
                else:
                    values[attr] = empty
                continue
            if cache is not None:
                # A widget whose result depends on the cell alone: the same date, person or association repeats
                # across thousands of rows, so each distinct cell is cleaned once (errors included). Text and
                # blanks are their own keys; other cells keep their type (1, 1.0 and True are equal keys but
                # not the same cell).
                key = value if value is None or value.__class__ is str else (value.__class__, value)
                outcome = cache.get(key, _MISSING)
                if outcome is _MISSING:
                    outcome = self._clean_cell(column, value, raw)
                    if len(cache) >= self.clean_cache_size:
                        cache.clear()
                    cache[key] = outcome
            else:
                outcome = self._clean_cell(column, value, raw)
            if outcome.__class__ is _CellErrors:
                for message in outcome.messages:
                    problems.add(header, message)
            else:
                values[attr] = outcome
        return values

    def empty_value(self, attr: str):
        """What 「（清空）」 stores in ``attr``: NULL, an empty text or an empty list; ``_MISSING`` when the field
        must hold a value (or is not a field of the model)."""
        try:
            model_field = self.model._meta.get_field(attr)
        except FieldDoesNotExist:
            return _MISSING
        if model_field.null:
            return None
        if not model_field.blank:
            return _MISSING
        if model_field.empty_strings_allowed:
            return ""
        default = model_field.get_default()
        return default if default in ([], {}, None) else _MISSING

    def apply(self, instance, values: dict) -> None:
        """Set the row's values on ``instance``; for a stored record (a primary key), remember what changes
        (``changes_of``) for the preview and for writing only what changed."""
        stored = instance.pk is not None
        changes = getattr(instance, "_import_changes", None)
        if changes is None:
            changes = instance._import_changes = []
        for attr, value in values.items():
            old = getattr(instance, attr, None)
            if stored and old != value:
                changes.append((attr, old, value))
            setattr(instance, attr, value)

    def merge_stored(self, instance, stored, provided) -> None:
        """Make the unsaved ``instance`` built from a row stand for the ``stored`` record it matches: every field
        the row did not fill keeps the stored value, and what the row changes is remembered as in ``apply``."""
        changes = instance._import_changes = []
        for model_field in self.model._meta.concrete_fields:
            if model_field.primary_key:
                continue
            name, attname = model_field.name, model_field.attname
            if name in provided or attname in provided:
                old, new = getattr(stored, attname), getattr(instance, attname)
                if old != new:
                    changes.append((name, getattr(stored, name), getattr(instance, name)))
            else:
                setattr(instance, attname, getattr(stored, attname))
        instance.pk, instance._state.adding, instance._state.db = stored.pk, False, stored._state.db

    @staticmethod
    def skip(instance) -> None:
        """Leave the row alone: it names someone already registered and the user chose to skip them."""
        instance._import_skip = True

    def changes_of(self, instance) -> list[tuple[str, object, object]] | None:
        """(attr, old, new) for a stored record built through ``apply`` or ``merge_stored``; None when the
        importer did not say (the record is written as a whole)."""
        return getattr(instance, "_import_changes", None)

    def render_change(self, attr: str, value) -> tuple[str, str]:
        """A changed field as the preview shows it: the column header and the value as it would be exported."""
        for column in self.columns:
            if column.attr == attr:
                header, widget = column.header, column.widget
                break
        else:
            header, widget = attr, TextWidget()
        if value is None or value == "" or value == []:
            return header, "（空）"
        try:
            text = widget.render(value)
        except Exception:  # a widget that renders only what it cleans: show the plain value
            text = value
        return header, "（空）" if text in (None, "") else str(text)

    def _record_changes(self, report: ImportReport, number: int, instance) -> bool:
        """Count a stored record as updated or unchanged; keep the first changes for the preview. True when
        the record has something to write."""
        changes = self.changes_of(instance)
        if changes is None:
            report.updated += 1
            return True
        if not changes:
            report.unchanged += 1
            return False
        report.updated += 1
        if len(report.changes) < report.MAX_CHANGES_SHOWN:
            fields = []
            for attr, old, new in changes:
                header, old_text = self.render_change(attr, old)
                fields.append((header, old_text, self.render_change(attr, new)[1]))
            report.changes.append(RowChange(number, str(instance), tuple(fields)))
        return True

    @staticmethod
    def _clean_cell(column: Column, value, raw: dict):
        try:
            return column.widget.clean(value, row=raw)
        except ValueError as error:
            return _CellErrors((str(error),))
        except ValidationError as error:
            return _CellErrors(tuple(error.messages))

    def _check_scope(self, instance, problems: RowProblems) -> bool:
        """The backstop: whatever the widgets resolved, a row never lands outside the user's scope. True when
        the row was checked and is in scope."""
        field = scope_path_of(type(instance)).split("__")[0]
        column = self.column_of(field)
        if column in problems:
            return False
        try:
            assert_in_scope(self.user, instance)
        except ValidationError as error:
            for message in error.messages:
                problems.add(column, message)
            return False
        return True

    def column_of(self, attr: str) -> str:
        for column in self.columns:
            if column.attr == attr:
                return column.header
        return ""

    def add_validation_error(self, problems: RowProblems, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for attr, messages in error.message_dict.items():
                column = "" if attr == NON_FIELD_ERRORS else self.column_of(attr)
                for message in messages:
                    problems.add(column, message)
        else:
            for message in error.messages:
                problems.add("", message)

    def run(self, headers: list[str], rows: Iterable[tuple[int, list]], *, dry_run: bool,
            progress: Callable[[int], None] | None = None) -> ImportReport:
        """Import ``rows`` whole or not at all. A dry run validates everything and writes nothing."""
        report = ImportReport()
        if getattr(rows, "note", ""):
            report.notes.append(rows.note)
        if user_scope_code(self.user) is None:
            report.errors.append(RowError(None, "", "您的账号尚未设置管辖区划，不能导入。"))
            return report
        file_errors = self._check_headers(headers)
        if file_errors:
            report.errors.extend(RowError(None, "", m) for m in file_errors)
            return report
        self.prepare()
        with transaction.atomic():
            immediate = not dry_run and connection.vendor == "postgresql"
            if immediate:  # a broken foreign key fails its batch, not the commit after the last one
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self._run_batches(self._batches(headers, rows), report, dry_run=dry_run, progress=progress)
            if immediate:  # back to Django's default for the rest of an enclosing transaction
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            if report.errors or dry_run:
                transaction.set_rollback(True)
        if report.total == 0 and not report.errors:
            sheet = getattr(rows, "sheet", "") or self.sheet_name
            report.errors.append(RowError(None, "", f"工作表「{sheet}」第 1 行标题以下没有数据，未导入任何内容。"
                                                    "请确认数据填在这张表里。"))
        if report.errors:
            report.new = report.updated = report.unchanged = report.skipped = 0
            report.names, report.changes = [], []
        report.errors.sort(key=lambda e: (e.row or 0, e.column))
        if not dry_run and report.ok and report.new + report.updated >= self.analyze_after_rows:
            transaction.on_commit(self.analyze)
        return report

    def written_tables(self) -> list[str]:
        """The tables an import writes: the model's and its history's (and more where an importer says so)."""
        tables = [self.model._meta.db_table]
        history = getattr(self.model, "history", None)
        if history is not None:
            tables.append(history.model._meta.db_table)
        return tables

    def analyze(self) -> None:
        """Fresh planner statistics for what a large import wrote, so that list pages do not plan for the table
        as it was before (PostgreSQL; run once the import's transaction has committed)."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for table in self.written_tables():
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")

    def _batches(self, headers: list[str], rows: Iterable[tuple[int, list]]) -> Iterator[list[tuple]]:
        """The rows, a batch at a time, cleaned and built: (Excel row, instance or None, problems)."""
        rows_iter: Iterator = iter(rows)
        while chunk := list(islice(rows_iter, self.batch_size)):
            batch = []
            for number, values in chunk:
                problems = RowProblems()
                instance = self.build(self._clean_row(dict(zip(headers, values)), problems), problems, number)
                batch.append((number, instance, problems))
            yield batch

    def _run_batches(self, batches: Iterator[list[tuple]], report: ImportReport, *, dry_run: bool,
                     progress: Callable[[int], None] | None) -> None:
        """Each batch in turn: its lookups, its checks, its scope, its conflicts with stored rows, then its
        writes; from the first error on, nothing more is written, but every later batch is still checked."""
        in_scope: set[str] = set()
        staged, staged_count, staged_names = self.staged(), 0, []
        if staged:
            self.stage_begin()
        for batch in batches:
            ready = [(n, i, p) for n, i, p in batch if i is not None]
            if not staged:
                self.check_batch(ready, self.lookup_batch(ready))
            for _, instance, problems in ready:
                code = record_division_code(instance)
                if code is not None and code not in in_scope and self._check_scope(instance, problems):
                    in_scope.add(code)  # the next row in the same division needs no second check
            for number, _, problems in batch:
                for column, messages in problems.by_column.items():
                    report.errors.extend(RowError(number, column, m) for m in messages)
            report.total += len(batch)
            if staged:
                passed = [(n, i) for n, i, p in ready if not p]
                self.stage(passed)
                staged_count += len(passed)
                staged_names.extend(str(i) for _, i in passed[: max(0, 200 - len(staged_names))])
            else:
                report.errors.extend(RowError(number, column, message)
                                     for number, column, message in self.existing_conflicts(ready))
                if not report.errors:
                    instances = []
                    for n, instance, _ in ready:
                        if getattr(instance, "_import_skip", False):
                            report.skipped += 1
                        elif instance.pk is None or self._record_changes(report, n, instance):
                            instances.append(instance)
                    report.new += sum(1 for i in instances if i.pk is None)
                    report.names.extend(str(i) for i in instances[: max(0, 200 - len(report.names))])
                    if not dry_run:
                        self._write(instances)
            if progress:
                progress(report.total)
            if len(report.errors) > 1000:
                report.errors.append(RowError(None, "", "错误超过 1000 处，已停止检查，请先修改以上问题。"))
                return
        if staged:
            problems = self.staged_problems()
            report.errors.extend(RowError(*problem) for problem in problems[:1000])
            if len(report.errors) > 1000:
                report.errors.append(RowError(None, "", "错误超过 1000 处，已停止检查，请先修改以上问题。"))
            if not report.errors:
                report.new, report.names = staged_count, staged_names
                if not dry_run:
                    self.write_staged()

    # --- export -------------------------------------------------------------------------------------------
    def export_row(self, obj) -> list:
        row = []
        for column in self.columns:
            if column.export is not None:
                row.append(column.export(obj))
            else:
                row.append(column.widget.render(getattr(obj, column.attr, None), obj))
        return row


def importer_workbook(importer: TableImporter, rows: Iterable) -> bytes:
    """An export with exactly the importer's columns (so it re-imports), formula-like text neutralised."""
    import io

    from openpyxl import Workbook

    from .excel import append_row

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(importer.sheet_name)
    append_row(sheet, importer.headers)
    for obj in rows:
        append_row(sheet, importer.export_row(obj))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class DomainsWidget(TextWidget):
    """服务领域 written as labels separated by 、，, or spaces (扶贫、助学); exported the same way."""

    pure = False  # the result is a list, which a row may change

    def __init__(self, choices):
        super().__init__()
        self.to_code = {label: code for code, label in choices} | {code: code for code, _ in choices}
        self.labels = dict(choices)

    def clean(self, value, row=None, **kwargs):
        import re

        text = super().clean(value)
        codes = []
        for part in (p for p in re.split(r"[、，,;；\\s]+", text) if p):
            if part not in self.to_code:
                raise ValueError(f"「{part}」不是服务领域，可选：{'、'.join(self.labels.values())}。")
            codes.append(self.to_code[part])
        return list(dict.fromkeys(codes))

    def render(self, value, obj=None, **kwargs):
        return "、".join(self.labels.get(code, code) for code in value or [])
