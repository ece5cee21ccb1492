"""Rotating the personal-data key: every ID number and phone, in the records and their history, is sealed again
with the new key, readable all along; afterwards the old key can go."""
import pytest
from django.core.management import call_command
from django.test import override_settings

from members import personal_data
from members.models import Volunteer
from members.tests.factories import volunteer

pytestmark = pytest.mark.django_db

OLD = "b2xkLWtleS1vbGQta2V5LW9sZC1rZXktb2xkLWtleSE="
NEW = "bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleSE="


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("rotate_personal_data", *args, stdout=out)
    return out.getvalue()


def test_rotation_reseals_records_and_history_and_the_old_key_can_then_go():
    with override_settings(PERSONAL_DATA_KEYS=[OLD]):
        people = [volunteer("150102") for _ in range(3)]
        people[0].set_phone("13800001234")
        people[0].save()
        numbers = {p.pk: personal_data.decrypt(p.id_number_encrypted) for p in people}
    with override_settings(PERSONAL_DATA_KEYS=[NEW, OLD]):
        check = run("--check")
        assert "注册志愿者：仍由旧密钥加密 3 条。" in check
        assert "共" in check and "仍由旧密钥加密" in check
        history_rows = Volunteer.history.count()
        out = run()
        assert "注册志愿者：已重新加密 3 条。" in out
        assert f"：已重新加密 {history_rows} 条。" in out
        assert "没有需要重新加密的值，可以删除旧密钥。" in run("--check")
    with override_settings(PERSONAL_DATA_KEYS=[NEW]):  # the old key gone: everything still opens
        for person in Volunteer.objects.all():
            assert personal_data.decrypt(person.id_number_encrypted) == numbers[person.pk]
        assert personal_data.decrypt(Volunteer.objects.get(pk=people[0].pk).phone_encrypted) == "13800001234"
        for version in Volunteer.history.all():
            assert personal_data.decrypt(version.id_number_encrypted) == numbers[version.id]


def test_fingerprints_name_keys_without_revealing_them():
    with override_settings(PERSONAL_DATA_KEYS=[NEW, OLD], PERSONAL_DATA_HASH_KEY="hash-key"):
        prints = personal_data.key_fingerprints()
    assert prints["PERSONAL_DATA_KEYS"] == [personal_data.fingerprint(NEW), personal_data.fingerprint(OLD)]
    assert all(len(p) == 16 and p not in (NEW, OLD) for p in prints["PERSONAL_DATA_KEYS"])
    assert prints["PERSONAL_DATA_HASH_KEY"] != "hash-key"
