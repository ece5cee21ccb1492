from datetime import date

import pytest
from django.db import connection

from common.pg_copy import (
    _array,
    _text,
    copy_create_with_history,
    copy_insert_with_history,
    existing_keys,
    values_by_key,
)


def test_copy_text_escapes_what_copy_would_misread():
    assert _text(None) == "\\N"
    assert _text(True) == "t" and _text(False) == "f"
    assert _text("甲\t乙\n丙\\丁\r") == "甲\\t乙\\n丙\\\\丁\\r"
    assert _text(date(2021, 3, 5)) == "2021-03-05"
    assert _text(["助学", "扶老"]) == '["助学", "扶老"]'


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY 只用于 PostgreSQL")
def test_copied_rows_and_history_read_back_exactly(make_staff):
    from accounts.roles import Role
    from associations.tests.factories import association
    from members.models import IndividualMember
    from members.tests.factories import volunteer

    user = make_staff(Role.COUNTY_STAFF, "150102")
    member = IndividualMember(association=association("150102"), volunteer=volunteer(), joined_on=date(2021, 5, 4),
                              recommended_by="团支部\t推荐\n（含反斜杠 \\）", domains=["education", "elderly"])

    copy_create_with_history(IndividualMember, [member], user=user, reason="Excel导入")

    saved = IndividualMember.objects.get(pk=member.pk)
    assert saved.recommended_by == "团支部\t推荐\n（含反斜杠 \\）"
    assert saved.domains == ["education", "elderly"] and saved.left_on is None
    history = saved.history.get()
    assert (history.history_type, history.history_user, history.history_change_reason) == ("+", user, "Excel导入")
    assert history.recommended_by == saved.recommended_by


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY 只用于 PostgreSQL")
def test_staged_insert_writes_rows_and_history_without_fetching_ids(make_staff, django_assert_num_queries):
    from django.utils import timezone

    from accounts.roles import Role
    from associations.tests.factories import association
    from members.tests.factories import volunteer
    from projects.models import ServiceRecord
    from projects.tests.factories import activity, project

    user = make_staff(Role.COUNTY_STAFF, "150102")
    held = activity(project(association("150102")))
    people = [volunteer(), volunteer()]
    now = timezone.now()
    rows = [(p.pk, held.pk, held.project.association_id, held.held_on, hours, "confirmed", "", user.pk, now, user.pk,
             now)
            for p, hours in zip(people, ("2.5", "8.0"))]

    # Create the staging table, empty it, insert rows and history (the COPY between is not a logged query).
    with django_assert_num_queries(3):
        assert copy_insert_with_history(ServiceRecord, rows, user=user, reason="Excel导入") == 2

    saved = ServiceRecord.objects.filter(activity=held).order_by("hours")
    assert [(r.volunteer_id, str(r.hours), r.confirmed_by_id) for r in saved] == [
        (people[0].pk, "2.5", user.pk), (people[1].pk, "8.0", user.pk)]
    for record in saved:
        history = record.history.get()
        assert (history.history_type, history.history_user_id, history.history_change_reason) == (
            "+", user.pk, "Excel导入")
        assert (history.volunteer_id, history.hours, history.served_on) == (
            record.volunteer_id, record.hours, record.served_on)


@pytest.mark.django_db
def test_key_lookups_find_exactly_the_stored_keys():
    from associations.tests.factories import association
    from members.models import Volunteer
    from members.tests.factories import volunteer
    from projects.models import ServiceRecord
    from projects.tests.factories import activity, project

    held = activity(project(association("150102")))
    person = volunteer(name='引号"与\\反斜杠')
    ServiceRecord.objects.create(volunteer=person, activity=held, served_on=held.held_on, hours=2)
    stored = (held.pk, person.pk, held.held_on)
    missing = (held.pk, person.pk, date(2020, 1, 1))

    assert existing_keys(ServiceRecord, ("activity", "volunteer", "served_on"), {stored, missing}) == {stored}
    assert values_by_key(Volunteer, "id_number_hash", [person.id_number_hash, "0" * 64], "pk", "name") == [
        (person.id_number_hash, person.pk, '引号"与\\反斜杠')]
    assert values_by_key(Volunteer, "name", [person.name], "pk") == [(person.name, person.pk)]


def test_array_literal_quotes_text():
    assert _array([1, None, True, date(2021, 3, 5)]) == "{1,NULL,t,2021-03-05}"
    assert _array(['a"b', "c\\d", "中 文"]) == '{"a\\"b","c\\\\d","中 文"}'


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite 只允许一个写入者")
def test_import_progress_is_visible_while_the_import_transaction_is_open(make_staff):
    from django.db import transaction

    from common.models import ImportJob
    from common.tasks import _progress_reporter

    job = ImportJob.objects.create(user=make_staff(), model_label="members.volunteer", filename="志愿者.xlsx",
                                   stored_path="x.xlsx", status=ImportJob.Status.RUNNING)
    side, progress = _progress_reporter(job)
    try:
        with transaction.atomic():  # the import's own transaction, not yet committed
            progress(4000)
            with side.cursor() as cursor:  # what the admin's poll sees, from outside that transaction
                cursor.execute("SELECT total FROM common_importjob WHERE id = %s", [str(job.pk)])
                assert cursor.fetchone() == (4000,)
    finally:
        side.close()


