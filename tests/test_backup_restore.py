"""Backups restore: ``bin/backup`` then ``bin/restore --yes`` into an emptied database gives every table's rows
back and every ID number opens with the same keys; a damaged backup or the wrong keys stop before anything is
touched. The round trip runs on PostgreSQL (CI), the checks everywhere."""
import json
import os
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from config.backup import BackupError, check_keys, read_manifest
from members import personal_data
from members.tests.factories import volunteer

ROOT = Path(__file__).resolve().parent.parent


def run(script, *args, database=None, media=None):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    if database is not None:
        env["DATABASE_URL"] = database
    if media is not None:
        env["DJANGO_MEDIA_ROOT"] = str(media)
    return subprocess.run([str(ROOT / "bin" / script), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def url_of(name):
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_an_empty_database_gives_everything_back(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("备份与恢复只用于 PostgreSQL")
    people = [volunteer("150102", phone="13800001234") for _ in range(5)]
    numbers = sorted(personal_data.decrypt(p.id_number_encrypted) for p in people)
    media = tmp_path / "media"
    (media / "excel_uploads").mkdir(parents=True)
    (media / "excel_uploads" / "kept.xlsx").write_bytes(b"workbook bytes")
    backups = tmp_path / "backups"

    made = run("backup", str(backups), database=url_of(connection.settings_dict["NAME"]), media=media)
    assert made.returncode == 0, made.stderr
    folder = next(backups.glob("volunteer-*"))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["row_counts"]["members_volunteer"] == 5
    assert set(manifest["files"]) == {"database.dump", "uploads.tar.gz"}
    text = (folder / "manifest.json").read_text(encoding="utf-8")
    for key in (*settings.PERSONAL_DATA_KEYS, settings.PERSONAL_DATA_HASH_KEY):
        assert key not in text  # fingerprints only

    target = f"{connection.settings_dict['NAME']}_restored"
    env = {**os.environ, "PGHOST": connection.settings_dict["HOST"] or "127.0.0.1",
           "PGUSER": connection.settings_dict["USER"]}
    subprocess.run(["dropdb", "--if-exists", target], env=env, check=True)
    subprocess.run(["createdb", target], env=env, check=True)
    restored_media = tmp_path / "restored_media"
    try:
        dry = run("restore", str(folder), database=url_of(target), media=restored_media)
        assert dry.returncode == 0 and "加 --yes 清空当前数据库并恢复" in dry.stdout
        done = run("restore", str(folder), "--yes", database=url_of(target), media=restored_media)
        assert done.returncode == 0, done.stderr
        assert "与备份一致" in done.stdout and "20 个身份证号码和手机号码均已解密" in done.stdout  # 5 people × (ID, phone) × (record, history)
        assert (restored_media / "excel_uploads" / "kept.xlsx").read_bytes() == b"workbook bytes"

        import psycopg2

        with psycopg2.connect(dbname=target, host=env["PGHOST"], user=env["PGUSER"]) as other:
            with other.cursor() as cursor:
                cursor.execute("SELECT id_number_encrypted FROM members_volunteer")
                assert sorted(personal_data.decrypt(v) for (v,) in cursor.fetchall()) == numbers
        other.close()
    finally:
        subprocess.run(["dropdb", "--if-exists", "--force", target], env=env, check=True)


def make_backup_folder(tmp_path, fingerprints):
    folder = tmp_path / "volunteer-20261207-010000"
    folder.mkdir()
    (folder / "database.dump").write_bytes(b"dump")
    (folder / "uploads.tar.gz").write_bytes(b"uploads")
    import hashlib

    manifest = {"created_at": "2026-12-07T01:00:00+08:00", "row_counts": {}, "migrations": {},
                "files": {n: hashlib.sha256((folder / n).read_bytes()).hexdigest()
                          for n in ("database.dump", "uploads.tar.gz")},
                "key_fingerprints": fingerprints}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_a_damaged_backup_is_refused_before_anything_is_touched(tmp_path):
    folder = make_backup_folder(tmp_path, personal_data.key_fingerprints())
    assert read_manifest(folder)["created_at"]
    (folder / "database.dump").write_bytes(b"dump, altered")
    with pytest.raises(BackupError, match="备份文件 database.dump 的校验值不符"):
        read_manifest(folder)


def test_restoring_without_the_backups_keys_is_refused(tmp_path, settings):
    folder = make_backup_folder(tmp_path, personal_data.key_fingerprints())
    check_keys(read_manifest(folder))  # the same keys: fine
    other = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktIQ=="
    with override_settings(PERSONAL_DATA_KEYS=[other]):
        with pytest.raises(BackupError, match="当前的 PERSONAL_DATA_KEYS 缺少备份时的密钥"):
            check_keys(read_manifest(folder))
    with override_settings(PERSONAL_DATA_KEYS=[other, *settings.PERSONAL_DATA_KEYS]):
        check_keys(read_manifest(folder))  # a newer key in front, the old one kept: fine
    with override_settings(PERSONAL_DATA_HASH_KEY="another"):
        with pytest.raises(BackupError, match="PERSONAL_DATA_HASH_KEY 与备份时不同"):
            check_keys(read_manifest(folder))
