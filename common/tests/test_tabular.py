import gc
import sys
from datetime import date

import pytest

from common.tabular import InstanceFactory


@pytest.mark.django_db
def test_instance_factory_builds_an_unsaved_instance_with_defaults_and_its_related_object(
        django_assert_num_queries):
    from divisions.models import Division
    from members.models import Volunteer

    township = Division.objects.townships().select_related("parent").first()
    new = InstanceFactory(Volunteer)

    with django_assert_num_queries(0):
        person = new({"name": "乌云", "registered_on": date(2021, 3, 5), "division": township, "id_number": "ignored"})
        assert person.pk is None and person._state.adding and person._state.db is None
        assert person.division is township and person.division_id == township.pk  # cached: no query
        assert person.ethnicity == Volunteer._meta.get_field("ethnicity").get_default()
        assert person.guardian_consent_on is None and not hasattr(person, "id_number")

    person.set_id_number("11010519491231002X")
    person.save()
    saved = Volunteer.objects.get(pk=person.pk)
    assert (saved.name, saved.registered_on, saved.division_id) == ("乌云", date(2021, 3, 5), township.pk)
    assert saved.history.get().history_type == "+"


def test_instance_factory_calls_a_callable_default_for_each_instance():
    from projects.models import ServiceRecord

    new = InstanceFactory(ServiceRecord)
    first, second = new({}), new({})
    assert first.recorded_at is not None and first.recorded_at is not second.recorded_at  # timezone.now, twice
    assert new({"recorded_at": None}).recorded_at is None  # a value from the row wins


PROCESS_WIDE = {("sys", "setswitchinterval"), ("gc", "disable"), ("gc", "enable"), ("gc", "freeze"),
                ("gc", "set_threshold"), ("sys", "setrecursionlimit")}


def test_no_module_changes_interpreter_settings():
    """Code runs the same in runserver, gunicorn threads and Celery: nothing sets the switch interval or the
    collector for the whole process."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = []
    for path in root.glob("*/**/*.py"):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and (node.value.id, node.attr) in PROCESS_WIDE and path.name != "test_tabular.py"):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert found == []


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_imports_leave_the_interpreter_as_it_was():
    """Two volunteer imports at once, each in its own thread, while a third samples the process settings."""
    import threading

    from accounts.roles import Role
    from accounts.tests.factories import staff_user
    from common.excel import iter_sheet
    from common.tests.sheets import xlsx
    from members.importers import VolunteerImporter
    from members.tests.factories import id_number

    interval, collecting = sys.getswitchinterval(), gc.isenabled()
    user = staff_user(Role.COUNTY_STAFF, "150102")
    importer = VolunteerImporter(user)
    rows = [{"姓名": f"乌云{i}", "身份证号码": id_number("150102", date(1980 + i % 20, 1 + i % 12, 1 + i % 28)),
             "所属区划": "新城区", "注册日期": "2021-03-05"} for i in range(1500)]
    content = xlsx(importer.sheet_name, importer.headers, rows)
    seen, done, reports = set(), threading.Event(), []

    def sample():
        while not done.is_set():
            seen.add((sys.getswitchinterval(), gc.isenabled()))

    def run():
        headers, cells = iter_sheet(content, sheet_name=importer.sheet_name)
        reports.append(VolunteerImporter(user).run(headers, cells, dry_run=True))

    sampler = threading.Thread(target=sample)
    sampler.start()
    imports = [threading.Thread(target=run) for _ in range(2)]
    for thread in imports:
        thread.start()
    for thread in imports:
        thread.join()
    done.set()
    sampler.join()
    assert len(reports) == 2 and all(r.total == 1500 for r in reports)
    assert all(r.ok and r.new == 1500 for r in reports), reports[0].errors[:3]
    assert seen == {(interval, collecting)}
    assert (sys.getswitchinterval(), gc.isenabled()) == (interval, collecting)


@pytest.mark.django_db(transaction=True)
def test_a_large_import_refreshes_the_planner_statistics_of_what_it_wrote():
    from django.db import connection

    from accounts.roles import Role
    from accounts.tests.factories import staff_user
    from common.excel import iter_sheet
    from common.tests.sheets import xlsx
    from members.importers import VolunteerImporter
    from members.tests.factories import id_number

    if connection.vendor != "postgresql":
        pytest.skip("ANALYZE is PostgreSQL's")

    def analyzed():
        with connection.cursor() as cursor:
            # reltuples is written by ANALYZE into the catalogue at once (the statistics views lag behind)
            cursor.execute("SELECT relname, reltuples FROM pg_class "
                           "WHERE relname IN ('members_volunteer', 'members_historicalvolunteer')")
            return dict(cursor.fetchall())

    class Small(VolunteerImporter):
        analyze_after_rows = 50

    user = staff_user(Role.COUNTY_STAFF, "150102")
    rows = [{"姓名": f"乌云{i}", "身份证号码": id_number("150102", date(1985, 1 + i % 12, 1 + i % 28)),
             "所属区划": "新城区", "注册日期": "2021-03-05"} for i in range(60)]
    content = xlsx(Small.sheet_name, Small(user).headers, rows)
    before = analyzed()
    headers, cells = iter_sheet(content, sheet_name=Small.sheet_name)
    report = Small(user).run(headers, cells, dry_run=False)
    assert report.ok and report.new == 60, report.errors[:3]
    after = analyzed()
    assert all(before[t] < 60 for t in before)
    assert after == {"members_volunteer": 60, "members_historicalvolunteer": 60}
