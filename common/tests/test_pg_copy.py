from datetime import date

import pytest
from django.db import connection

from common.pg_copy import _text, copy_create_with_history


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
