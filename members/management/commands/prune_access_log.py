from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from members.models import PersonalDataAccess


class Command(BaseCommand):
    help = "删除超过保存期限的个人信息查看记录（默认保存 PERSONAL_DATA_ACCESS_RETENTION_DAYS 天）。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="保存天数，默认取配置")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不删除")

    def handle(self, *args, days=None, dry_run=False, **options):
        days = days if days is not None else settings.PERSONAL_DATA_ACCESS_RETENTION_DAYS
        if days < 180:
            self.stderr.write("保存期限不能少于 180 天。")
            return
        cutoff = timezone.now() - timedelta(days=days)
        old = PersonalDataAccess.objects.filter(accessed_at__lt=cutoff)
        count = old.count()
        if not dry_run:
            old.delete()
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(f"{verb} {cutoff:%Y-%m-%d} 之前的个人信息查看记录 {count} 条（保存 {days} 天）。")
