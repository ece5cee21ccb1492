from django.core.management.base import BaseCommand

from divisions.services import DATA_FILE, divisions_load


class Command(BaseCommand):
    help = "载入内蒙古行政区划（自治区、盟市、旗县、乡镇），可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(DATA_FILE), help="区划数据 CSV 文件")

    def handle(self, *args, path, **options):
        from pathlib import Path

        result = divisions_load(path=Path(path))
        self.stdout.write(
            f"行政区划：新增 {len(result.created)}，更新 {len(result.updated)}，未变 {result.unchanged}。"
        )
