import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from reports.services import snapshot_dates, snapshots_compute


class Command(BaseCommand):
    help = "计算各级区划的覆盖率和规范化指标快照（默认：今天和各目标期限；--as-of 指定某一天）。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="日期，如 2020-12-31")

    def handle(self, *args, as_of=None, **options):
        try:
            dates = [date.fromisoformat(as_of)] if as_of else snapshot_dates()
        except ValueError:
            raise CommandError(f"日期「{as_of}」无法识别，请写成 2020-12-31。") from None
        started = time.perf_counter()
        rows = snapshots_compute(dates)
        days = "、".join(f"{d:%Y-%m-%d}" for d in dates)
        self.stdout.write(f"已计算 {days} 的指标快照 {rows} 条，用时 {time.perf_counter() - started:.1f} 秒。")
