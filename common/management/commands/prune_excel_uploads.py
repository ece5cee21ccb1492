from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from common.admin_excel import UPLOAD_DIR


def prune_excel_uploads(hours: int = 24) -> int:
    """Remove uploads older than ``hours`` that no import confirmed (previews left behind); they may hold plain
    ID numbers. Returns how many went."""
    cutoff = timezone.now() - timedelta(hours=hours)
    try:
        _, files = default_storage.listdir(UPLOAD_DIR)
    except FileNotFoundError:
        files = []
    removed = 0
    for name in files:
        path = f"{UPLOAD_DIR}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            removed += 1
    return removed


class Command(BaseCommand):
    help = "删除超过保留时间、未确认导入的 Excel 上传文件（预览后放弃的文件）。"

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24, help="保留小时数（默认 24）")

    def handle(self, *args, hours, **options):
        self.stdout.write(f"已删除 {prune_excel_uploads(hours)} 个过期的上传文件。")
