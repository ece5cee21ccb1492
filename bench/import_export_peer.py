"""The same volunteer workbook through django-import-export, the library the design first named, so that the
platform's own engine is measured against the peer a Django team would pick (a bench-only dependency:
``.venv/bin/pip install -r requirements-bench.txt``).

Both runs do the work the platform's import does for each row: validate the ID number, encrypt it and the phone,
keep the keyed hashes, find the township by its code and the ethnicity and political status by their Chinese
labels, all in one transaction.

- default: a ``ModelResource`` as its documentation shows it — one lookup per row for an existing person (by the
  keyed hash), ``ForeignKeyWidget`` for the township, ``save()`` per row (and so one history row each, through
  django-simple-history's signal), the row diff kept for the preview;
- tuned: ``use_bulk`` with ``batch_size`` 5,000, ``force_init_instance`` (no per-row lookup), ``skip_diff``,
  the townships cached in one dictionary. ``bulk_create`` sends no signals, so this run writes no history rows
  (the platform's engine writes them): it is an upper bound for the library, not a like-for-like figure.
"""
from __future__ import annotations

import time


def available() -> bool:
    try:
        import import_export  # noqa: F401
    except ImportError:
        return False
    return True


def resource_class(*, tuned: bool):
    from import_export import fields, resources, widgets

    from divisions.models import Division
    from members.models import Volunteer
    from members.reference import ETHNIC_GROUPS, POLITICAL_STATUS
    from members.validators import validate_id_number, validate_phone

    ethnic = {label: code for code, label in ETHNIC_GROUPS}
    political = {label: code for code, label in POLITICAL_STATUS}

    class CachedDivisionWidget(widgets.ForeignKeyWidget):
        """Townships by code from one dictionary, loaded once."""

        def __init__(self):
            super().__init__(Division, "code")
            self.by_code = {d.code: d for d in Division.objects.filter(level__in=("county", "township"))}

        def clean(self, value, row=None, **kwargs):
            return self.by_code[str(value)]

    class ChoiceLabelWidget(widgets.Widget):
        def __init__(self, codes):
            super().__init__()
            self.codes = codes

        def clean(self, value, row=None, **kwargs):
            return self.codes.get(value, "") if value else ""

    class VolunteerResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")
        division = fields.Field(attribute="division", column_name="区划代码",
                                widget=CachedDivisionWidget() if tuned else widgets.ForeignKeyWidget(Division, "code"))
        ethnicity = fields.Field(attribute="ethnicity", column_name="民族", widget=ChoiceLabelWidget(ethnic))
        political_status = fields.Field(attribute="political_status", column_name="政治面貌",
                                        widget=ChoiceLabelWidget(political))
        skills = fields.Field(attribute="skills", column_name="技能特长/专业领域", widget=widgets.CharWidget())
        registered_on = fields.Field(attribute="registered_on", column_name="注册日期",
                                     widget=widgets.DateWidget("%Y-%m-%d"))
        id_number_hash = fields.Field(attribute="id_number_hash", column_name="id_number_hash")

        class Meta:
            model = Volunteer
            fields = ("name", "division", "ethnicity", "political_status", "skills", "registered_on",
                      "id_number_hash")
            import_id_fields = ("id_number_hash",)
            use_bulk = tuned
            batch_size = 5000 if tuned else None
            force_init_instance = tuned
            skip_diff = tuned
            skip_html_diff = True

        def before_import(self, dataset, **kwargs):
            # the key is computed from the ID number for each row (before_import_row); the column must exist
            dataset.append_col([""] * len(dataset), header="id_number_hash")

        def before_import_row(self, row, **kwargs):
            from members import personal_data

            number = validate_id_number(str(row["身份证号码"]))
            row["id_number_hash"] = personal_data.keyed_hash(number)
            row["_number"], row["_phone"] = number, validate_phone(str(row.get("手机号码") or ""))

        def before_save_instance(self, instance, row, **kwargs):
            instance.set_id_number(row["_number"], validated=True)
            instance.set_phone(row["_phone"], validated=True)

        def import_instance(self, instance, row, **kwargs):
            super().import_instance(instance, row, **kwargs)
            if self._meta.use_bulk:  # bulk_create skips before_save_instance
                self.before_save_instance(instance, row, **kwargs)

    return VolunteerResource


def run(content: bytes, *, tuned: bool, rows: int) -> tuple[float, int]:
    """Seconds for importing the first ``rows`` rows of ``content`` (an .xlsx), from the bytes to the commit,
    and the number of rows written."""
    import tablib

    from members.models import Volunteer

    started = time.perf_counter()
    dataset = tablib.Dataset().load(content, format="xlsx")
    if rows < len(dataset):
        del dataset[rows:]
    result = resource_class(tuned=tuned)().import_data(dataset, dry_run=False, raise_errors=True,
                                                       use_transactions=True)
    elapsed = time.perf_counter() - started
    assert not result.has_errors() and not result.has_validation_errors()
    return elapsed, Volunteer.objects.count()
