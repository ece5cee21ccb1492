"""Backups that restore: the database (``pg_dump`` custom format), the uploads folder, and a manifest with each
file's SHA-256, the row count of every table, the applied migrations and the fingerprints of the personal-data
keys — never the keys themselves. Restoring checks the files and the keys before it touches the database, then
compares the row counts and opens every encrypted value."""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
DUMP = "database.dump"
UPLOADS = "uploads.tar.gz"


class BackupError(Exception):
    """A Chinese reason the backup or restore stopped; nothing was changed by the step that failed."""


def _pg_env() -> dict[str, str]:
    if connection.vendor != "postgresql":
        raise BackupError("备份与恢复只用于 PostgreSQL（生产数据库）；内置的 SQLite 复制 db.sqlite3 文件即可。")
    db = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"),
                          ("PGDATABASE", "NAME")):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def row_counts() -> dict[str, int]:
    tables = sorted(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def migrations() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
        return dict(cursor.fetchall())


def key_fingerprints() -> dict:
    from members import personal_data  # the keys belong to the personal-data module

    return personal_data.key_fingerprints()


def backup(destination: Path, keep_days: int | None = None) -> Path:
    """A new folder under ``destination`` holding the dump, the uploads and the manifest; older backups beyond
    ``keep_days`` are removed once the new one is complete."""
    env = _pg_env()
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = destination / f"volunteer-{stamp}"
    partial = destination / f".partial-{stamp}"
    partial.mkdir(parents=True, exist_ok=False)
    try:
        result = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                                 f"--file={partial / DUMP}"], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_dump 失败：{result.stderr.strip()}")
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(partial / UPLOADS, "w:gz") as archive:
            if media.exists():
                archive.add(media, arcname="media")
        manifest = {
            "created_at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "database": connection.settings_dict["NAME"],
            "files": {name: _sha256(partial / name) for name in (DUMP, UPLOADS)},
            "row_counts": row_counts(),
            "migrations": migrations(),
            "key_fingerprints": key_fingerprints(),
            "note": "不含任何密钥：恢复时须使用指纹相同的 PERSONAL_DATA_KEYS 和 PERSONAL_DATA_HASH_KEY。",
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if keep_days:
        cutoff = datetime.datetime.now() - datetime.timedelta(days=keep_days)
        for old in destination.glob("volunteer-*"):
            if old != target and datetime.datetime.fromtimestamp(old.stat().st_mtime) < cutoff:
                shutil.rmtree(old, ignore_errors=True)
    return target


def read_manifest(source: Path) -> dict:
    path = source / MANIFEST
    if not path.exists():
        raise BackupError(f"{source} 中没有 {MANIFEST}：不是本平台的备份，或备份没有完成。")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for name, expected in manifest["files"].items():
        if not (source / name).exists():
            raise BackupError(f"备份缺少文件 {name}。")
        if _sha256(source / name) != expected:
            raise BackupError(f"备份文件 {name} 的校验值不符：文件已损坏或被改动，没有恢复。")
    return manifest


def check_keys(manifest: dict) -> None:
    """The keys configured now must include every key the backup was made with, and the same hash key."""
    now = key_fingerprints()
    then = manifest["key_fingerprints"]
    missing = [fp for fp in then["PERSONAL_DATA_KEYS"] if fp not in now["PERSONAL_DATA_KEYS"]]
    if missing:
        raise BackupError(f"当前的 PERSONAL_DATA_KEYS 缺少备份时的密钥（指纹 {'、'.join(missing)}）：恢复后身份证号码"
                          "和手机号码将无法解密。请先配置备份时的密钥，没有恢复。")
    if then["PERSONAL_DATA_HASH_KEY"] != now["PERSONAL_DATA_HASH_KEY"]:
        raise BackupError("当前的 PERSONAL_DATA_HASH_KEY 与备份时不同：恢复后无法按身份证号码查找和查重。"
                          "请先配置备份时的散列密钥，没有恢复。")


def restore(source: Path) -> dict:
    """The backup in ``source`` into the configured database (emptied first) and uploads folder; returns what
    was compared: tables whose counts differ and encrypted values that did not open (both empty when whole)."""
    manifest = read_manifest(source)
    check_keys(manifest)
    env = _pg_env()
    result = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                             "--single-transaction", f"--dbname={env.get('PGDATABASE', '')}", str(source / DUMP)],
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore 失败（数据库未改动）：{result.stderr.strip()}")
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / UPLOADS, "r:gz") as archive:
        members = [m for m in archive.getmembers() if m.name == "media" or m.name.startswith("media/")]
        for member in members:
            member.name = member.name[len("media/"):] if member.name != "media" else "."
        archive.extractall(media, members=members, filter="data")
    connection.close()
    counts = row_counts()
    differ = {table: (count, counts.get(table)) for table, count in manifest["row_counts"].items()
              if counts.get(table) != count}
    return {"manifest": manifest, "differ": differ, **open_every_encrypted_value()}


def open_every_encrypted_value() -> dict:
    """Every ``*_encrypted`` value of every model decrypted with the configured keys."""
    from members import personal_data

    opened = failed = 0
    for model in apps.get_models(include_auto_created=True):
        names = [f.attname for f in model._meta.concrete_fields if f.attname.endswith("_encrypted")]
        if not names:
            continue
        for row in model._base_manager.values_list(*names).iterator(chunk_size=5000):
            for value in row:
                if not value:
                    continue
                try:
                    personal_data.decrypt(value)
                    opened += 1
                except Exception:
                    failed += 1
    return {"opened": opened, "failed": failed}
