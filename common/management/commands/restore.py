from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.backup import BackupError, restore


class Command(BaseCommand):
    help = ("从备份文件夹恢复数据库和上传文件：先核对文件校验值和密钥指纹，再清空并恢复数据库，最后比较各表行数、"
            "逐一解密身份证号码和手机号码。")

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path)
        parser.add_argument("--yes", action="store_true", help="确认清空当前数据库（不加则只核对备份）")

    def handle(self, *args, source, yes, **options):
        from config.backup import check_keys, read_manifest

        try:
            if not yes:
                manifest = read_manifest(source)
                check_keys(manifest)
                self.stdout.write(f"备份完整（{manifest['created_at']}，{sum(manifest['row_counts'].values())} 行），"
                                  "密钥相符。加 --yes 清空当前数据库并恢复。")
                return
            outcome = restore(source)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if outcome["differ"]:
            lines = "；".join(f"{t}：备份 {a} 行，恢复后 {b} 行" for t, (a, b) in outcome["differ"].items())
            raise CommandError(f"恢复后行数与备份不符：{lines}")
        if outcome["failed"]:
            raise CommandError(f"恢复后有 {outcome['failed']} 个加密值无法解密（已解密 {outcome['opened']} 个）。")
        total = sum(outcome["manifest"]["row_counts"].values())
        self.stdout.write(f"恢复完成：{len(outcome['manifest']['row_counts'])} 张表共 {total} 行与备份一致，"
                          f"{outcome['opened']} 个身份证号码和手机号码均已解密。")
