"""Reads every hostile upload in ``common/tests/hostile_files.py`` through ``iter_sheet``, in this process, and
prints one line per file and the process's peak memory. Run by the hostile-upload test in a child process, with
its address space capped so that a reader that runs away is stopped rather than taking the machine with it.

    python -m common.tests.hostile_upload_check DIRECTORY
"""
import json
import os
import resource
import sys
from pathlib import Path


def main(directory: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from common.excel import ExcelFileError, iter_sheet

    results = {}
    for path in sorted(Path(directory).glob("*.xlsx")):
        try:
            headers, rows = iter_sheet(path.read_bytes(), sheet_name="注册志愿者", max_rows=200_000)
            results[path.stem] = f"读取成功：{len(headers)} 列，{sum(1 for _ in rows)} 行"
        except ExcelFileError as error:
            results[path.stem] = str(error)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"results": results, "peak_rss_mb": peak}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
