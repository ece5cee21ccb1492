"""The demo's service work is consistent: every confirmed record says who confirmed it and when."""
import pytest

from associations.demo import demo_ledger_create
from members.demo import demo_members_create
from projects.demo import demo_service_create
from projects.models import ServiceRecord

pytestmark = pytest.mark.django_db


def test_every_confirmed_demo_record_has_a_confirmer_and_a_time_and_no_other_record_has():
    demo_ledger_create()
    demo_members_create(per_association=3)
    assert demo_service_create() > 0

    confirmed = ServiceRecord.objects.filter(status=ServiceRecord.Status.CONFIRMED)
    assert confirmed.count() > 100
    assert not confirmed.filter(confirmed_by__isnull=True).exists()
    assert not confirmed.filter(confirmed_at__isnull=True).exists()
    record = confirmed.select_related("confirmed_by").first()
    assert record.confirmed_by.username == "demo_confirmer"
    assert not record.confirmed_by.is_active and not record.confirmed_by.has_usable_password()
    assert record.confirmed_at.date() >= record.served_on
    assert not ServiceRecord.objects.filter(status=ServiceRecord.Status.RECORDED, confirmed_by__isnull=False).exists()
