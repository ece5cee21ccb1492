import pytest
from django.db import connection

from common.paginator import FastCountPaginator
from divisions.models import Division

pytestmark = pytest.mark.django_db


def test_exact_count_when_it_is_quick():
    paginator = FastCountPaginator(Division.objects.townships().order_by("code"), 50)
    assert paginator.count == 1057
    assert paginator.num_pages == 22


@pytest.mark.skipif(connection.vendor != "postgresql", reason="估算计数只在 PostgreSQL 上使用")
def test_falls_back_to_the_planner_estimate_when_counting_is_slow(monkeypatch):
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    import common.paginator as module

    monkeypatch.setattr(module, "COUNT_TIMEOUT_MS", 50)
    # Counting this would sleep 50 ms per row (about a minute): the timeout cancels it.
    slow = Division.objects.filter(RawSQL("pg_sleep(0.05) IS NOT NULL", [], output_field=BooleanField())).order_by("code")

    estimate = FastCountPaginator(slow, 50).count

    assert isinstance(estimate, int) and estimate > 0
    assert Division.objects.count() == 1346  # the cancelled count left the transaction usable
