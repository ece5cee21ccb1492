"""Existing records keep their meaning across the supervising-unit history migration."""
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("associations", "0004_commendation_project_commendation_volunteer_and_more")]
AFTER = [("associations", "0005_supervising_unit_history")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_supervisor_fields_become_the_first_row_of_the_history():
    apps = _migrate(BEFORE)
    try:
        Association = apps.get_model("associations", "Association")
        Division = apps.get_model("divisions", "Division")
        xincheng, huimin, yuquan = (Division.objects.get(code=c) for c in ("150102", "150103", "150104"))
        Association.objects.create(serial_number="150102-01", level="county", division=xincheng, name="甲",
                                   founded_on=date(2019, 1, 1), supervisor_kind="cyl_committee",
                                   supervisor_name="共青团新城区委员会", supervisor_cyl_since=date(2021, 3, 1))
        Association.objects.create(serial_number="150103-01", level="county", division=huimin, name="乙",
                                   supervisor_kind="civil_affairs", supervisor_name="回民区民政局")
        Association.objects.create(serial_number="150104-01", level="county", division=yuquan, name="丙")
        apps = _migrate(AFTER)
        Unit = apps.get_model("associations", "SupervisingUnit")
        rows = sorted(Unit.objects.values_list("association__serial_number", "kind", "name", "since"))
        assert rows == [("150102-01", "cyl_committee", "共青团新城区委员会", date(2021, 3, 1)),
                        ("150103-01", "civil_affairs", "回民区民政局", None)]
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
