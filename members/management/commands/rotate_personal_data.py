"""Key rotation for ID numbers and phones: put the new key first in PERSONAL_DATA_KEYS (the old ones stay after
it), run this command; every value sealed with an older key, in the records and in their history, is sealed again
with the newest. Values stay readable throughout (every key still opens what it sealed); once the command reports
nothing left, the old keys may be removed. Safe to stop and run again: it resumes where values are still old."""
from django.core.management.base import BaseCommand
from django.db import transaction

from members import personal_data
from members.models import Volunteer

FIELDS = ("id_number_encrypted", "phone_encrypted")
BATCH = 2000


def tables():
    return [Volunteer._base_manager, Volunteer.history.model._base_manager]


class Command(BaseCommand):
    help = "用 PERSONAL_DATA_KEYS 中最新的密钥重新加密所有身份证号码和手机号码（含历史记录）；旧密钥在完成后才可删除。"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只统计仍由旧密钥加密的值，不改动")

    def handle(self, *args, check, **options):
        fingerprints = personal_data.key_fingerprints()["PERSONAL_DATA_KEYS"]
        self.stdout.write(f"最新密钥指纹 {fingerprints[0]}；共 {len(fingerprints)} 个密钥。")
        total_old = 0
        for manager in tables():
            model = manager.model
            pk = model._meta.pk.attname
            last, old, done = None, 0, 0
            while True:
                rows = manager.order_by(pk)
                if last is not None:
                    rows = rows.filter(**{f"{pk}__gt": last})
                batch = list(rows.values_list(pk, *FIELDS)[:BATCH])
                if not batch:
                    break
                last = batch[-1][0]
                stale = [row for row in batch if not all(personal_data.is_current(v) for v in row[1:])]
                old += len(stale)
                if stale and not check:
                    resealed = [model(**{pk: row[0]}, **{name: personal_data.reseal(value)
                                                         for name, value in zip(FIELDS, row[1:])}) for row in stale]
                    with transaction.atomic():
                        manager.bulk_update(resealed, FIELDS)
                    done += len(stale)
            total_old += old
            verb = "仍由旧密钥加密" if check else "已重新加密"
            self.stdout.write(f"{model._meta.verbose_name}：{verb} {old if check else done} 条。")
        if check:
            self.stdout.write("没有需要重新加密的值，可以删除旧密钥。" if total_old == 0 else
                              f"共 {total_old} 条仍由旧密钥加密：运行 manage.py rotate_personal_data，完成前不要删除旧密钥。")
        else:
            self.stdout.write("完成：所有值都由最新密钥加密。确认 --check 为 0 后，可从 PERSONAL_DATA_KEYS 删除旧密钥。")
