import gc
import sys
from datetime import date

import pytest

from common.tabular import InstanceFactory, collector_paused, quick_thread_switches


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


def test_the_cycle_collector_is_paused_during_an_import_and_restored_after_a_failure():
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with collector_paused():
            assert not gc.isenabled()
            with collector_paused():  # nested: the outer one restores it
                pass
            assert not gc.isenabled()
            raise RuntimeError
    assert gc.isenabled()


def test_thread_switches_are_quicker_during_a_background_import_and_restored_after_a_failure():
    default = sys.getswitchinterval()
    with pytest.raises(RuntimeError):
        with quick_thread_switches(0.0002):
            assert sys.getswitchinterval() == pytest.approx(0.0002, abs=2e-6)
            with quick_thread_switches(0.001):  # nested: never slower than the outer one, which restores it
                assert sys.getswitchinterval() == pytest.approx(0.0002, abs=2e-6)
            raise RuntimeError
    assert sys.getswitchinterval() == default
    with quick_thread_switches(0.0002, enabled=False):  # no writer thread: the process keeps its setting
        assert sys.getswitchinterval() == default
