import time

from django.core.management.base import BaseCommand

from members.services import star_levels_recompute


class Command(BaseCommand):
    help = "按已确认的志愿服务时长重新计算星级志愿者（新增达到的星级为“待认定”，撤回被更正低于门槛的待认定星级）。"

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = star_levels_recompute()
        self.stdout.write(f"新增待认定星级 {result['added']} 个，撤回 {result['removed']} 个，"
                          f"用时 {time.perf_counter() - started:.1f} 秒。")
