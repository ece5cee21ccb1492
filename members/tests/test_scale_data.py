import io

import pytest
from django.core.management import call_command

from members import personal_data
from members.models import IndividualMember, Volunteer
from members.validators import validate_id_number
from teams.models import TeamMembership

pytestmark = pytest.mark.django_db


def test_generate_scale_data_makes_valid_unique_encrypted_people():
    out = io.StringIO()
    call_command("generate_scale_data", volunteers=300, batch=120, stdout=out)

    assert Volunteer.objects.count() == 300
    assert Volunteer.objects.values("id_number_hash").distinct().count() == 300
    sample = Volunteer.objects.order_by("?").first()
    number = personal_data.decrypt(sample.id_number_encrypted)
    assert validate_id_number(number) == number and sample.birth_date.strftime("%Y%m%d") == number[6:14]
    assert IndividualMember.objects.exists() and TeamMembership.objects.exists()
    assert "已生成 300 名志愿者" in out.getvalue()
