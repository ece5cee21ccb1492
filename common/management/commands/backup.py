from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库、上传文件和清单（校验值、各表行数、密钥指纹；不含密钥）到指定文件夹下的新子文件夹。"

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path)
        parser.add_argument("--keep-days", type=int, default=None, help="删除早于这么多天的旧备份")

    def handle(self, *args, destination, keep_days, **options):
        try:
            target = backup(destination, keep_days)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"备份完成：{target}")
