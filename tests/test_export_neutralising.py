"""A formula typed into any text field of any record never reaches a workbook as a formula: every free-text field
of every model is filled with a payload, then every workbook the platform writes (each admin export and import
template, the ledger, the dashboard workbooks, an import's problem list) is opened and every cell checked."""
from io import BytesIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import staff_user
from associations.models import Association
from associations.tests.factories import association
from common.models import ImportJob

from .matrix import MAKERS, OWN, attach_to

pytestmark = pytest.mark.django_db

PAYLOADS = ("=cmd|' /C calc'!A0", "+SUM(1,1)", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Not free text: how records are found and scoped (division codes, hashes, ciphertext), login names, passwords.
KEPT = {"code", "username", "password", "id_number_hash", "phone_hash", "stored_path", "model_label"}


def free_text_fields(model):
    return [f for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices and not f.primary_key
            and f.name not in KEPT and not f.name.endswith(("_encrypted", "_hash"))]


def fill_every_text_field():
    """Each row's text fields get a payload (with the row's id, so unique fields stay unique)."""
    filled = 0
    for model in apps.get_models():
        if model._meta.app_label in {"auth", "contenttypes", "sessions", "admin", "axes", "authtoken"} or (
                model.__name__.startswith("Historical")):
            continue
        fields = free_text_fields(model)
        for n, pk in enumerate(model._default_manager.values_list("pk", flat=True)):
            payload = PAYLOADS[n % len(PAYLOADS)]
            model._default_manager.filter(pk=pk).update(
                **{f.name: f"{payload}{pk}"[:f.max_length or 200] for f in fields})
            filled += len(fields)
    return filled


def workbooks(client, superuser):
    for model, model_admin in admin.site._registry.items():
        for view in ("excel_export", "excel_template"):
            name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"
            try:
                url = reverse(name)
            except Exception:  # noqa: BLE001 - this admin offers no such workbook
                continue
            yield name, client.get(url)
    for code in ("15", OWN[:4]):
        yield f"dashboard {code}", client.get(reverse("reports:export", args=[code]))
    job = ImportJob.objects.create(user=superuser, model_label="members.Volunteer", filename="名单.xlsx",
                                   stored_path="x", status="done",
                                   errors=[[2, PAYLOADS[0], f"「{PAYLOADS[1]}」不是有效的日期"]])
    yield "problem list", client.get(reverse("admin:members_volunteer_excel_job_errors", args=[job.pk]))


def test_no_workbook_cell_is_a_formula(client):
    for n, name in enumerate(sorted(MAKERS)):  # distinct numbers: makers share projects, activities, sessions
        MAKERS[name](OWN, 0 if name in {"divisions_division", "teams_team"} else n)
    own = Association.objects.filter(division__code=OWN, dissolved_on__isnull=True).first() or association(OWN)
    attach_to(own)
    assert fill_every_text_field() > 100
    superuser = staff_user(superuser=True)
    client.force_login(superuser)

    checked, carried, formulas = 0, 0, []
    for name, response in workbooks(client, superuser):
        assert response.status_code == 200, name
        content = b"".join(response.streaming_content) if response.streaming else response.content
        book = load_workbook(BytesIO(content))
        checked += 1
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    value = cell.value
                    if cell.data_type == "f" or isinstance(value, str) and value.startswith(FORMULA_START):
                        formulas.append(f"{name} {sheet.title}!{cell.coordinate}: {value!r}")
                    elif isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START):
                        carried += 1
    assert formulas == []
    assert checked >= 25
    assert carried > 100  # the payloads did reach the workbooks, as text
