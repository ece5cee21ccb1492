"""The production smoke test's session, as a clerk's browser would do it over HTTPS through nginx: plain HTTP is sent
to HTTPS; the login page carries the security headers; the cookies are Secure (the session's HttpOnly too); a
volunteer workbook large enough to go to the worker is uploaded, previewed and imported by it; the dashboard opens;
the volunteer export downloads with every ID number as 18-character text; a static file comes from nginx. Exits non-zero with
the first thing that is not as it should be.

    python deploy/smoke_client.py --base https://localhost:18443 --http http://localhost:18080 --ca cert.pem \
        --username smoke --password ... --townships 150102001,150102002
"""
from __future__ import annotations

import argparse
import io
import re
import sys
import time
from datetime import date, timedelta

import requests
from openpyxl import Workbook, load_workbook
from stdnum.cn import ric

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ("志强", "丽娟", "晓东", "乌云", "其其格", "巴图", "宝音", "那日苏", "斯琴", "娜仁", "图雅", "巴特尔·额尔敦")


def fail(message: str) -> None:
    print(f"冒烟测试失败：{message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message: str) -> None:
    if not condition:
        fail(message)


def csrf(session: requests.Session, page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    check(match, "页面上没有 CSRF 令牌")
    return match.group(1)


def workbook(headers: list[str], townships: list[tuple[str, str]], rows: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("注册志愿者")
    sheet.append(headers)
    for n in range(rows):
        code, name = townships[n % len(townships)]
        birth = date(1985, 1, 1) + timedelta(days=n // 1000)  # with the sequence below: one number per row
        base = f"{code[:6]}{birth:%Y%m%d}{n % 1000:03d}"
        values = {"姓名": SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)], "身份证号码": base + ric.calc_check_digit(base + "0"), "区划代码": code,
                  "所属区划": name, "民族": "蒙古族" if n % 3 else "汉族", "政治面貌": "群众",
                  "手机号码": f"138{n:08d}", "注册日期": "2023-05-04",
                  "技能特长/专业领域": "应急救护、心理疏导、支教、文艺演出、赛事服务、社区治理" * 2}
        sheet.append([values.get(h) for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def wait_for_job(session, base: str, job_url: str, want_phase_done: str, timeout: float = 300) -> dict:
    status_url = f"{job_url.rstrip('/')}/status/"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = session.get(f"{base}{status_url}").json()
        if state["status"] in ("done", "failed"):
            check(state["status"] == "done", f"{want_phase_done}任务失败：{state}")
            return state
        time.sleep(1)
    fail(f"{want_phase_done}任务 {timeout:.0f} 秒内没有完成（worker 是否在运行？）")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--http", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--townships", required=True, help="code:name,code:name")
    parser.add_argument("--rows", type=int, default=15000)
    args = parser.parse_args()
    base = args.base.rstrip("/")
    townships = [tuple(item.split(":", 1)) for item in args.townships.split(",")]

    direct = requests.Session()
    direct.trust_env = False
    plain = direct.get(f"{args.http}/admin/", allow_redirects=False, timeout=30)
    check(plain.status_code == 301 and plain.headers["Location"].startswith("https://"),
          f"HTTP 没有转到 HTTPS：{plain.status_code} {plain.headers.get('Location')}")

    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE or a proxy from the environment would override the CA below
    session.verify = args.ca
    login = session.get(f"{base}/admin/login/", timeout=30)
    check(login.status_code == 200, f"登录页 {login.status_code}")
    headers = login.headers
    check("max-age=31536000" in headers.get("Strict-Transport-Security", ""), "缺少 HSTS")
    check("default-src 'self'" in headers.get("Content-Security-Policy", ""), "缺少 Content-Security-Policy")
    check(headers.get("X-Content-Type-Options") == "nosniff", "缺少 X-Content-Type-Options: nosniff")
    check(headers.get("X-Frame-Options") == "DENY", "缺少 X-Frame-Options: DENY")
    check(headers.get("Referrer-Policy") == "same-origin", "Referrer-Policy 不是 same-origin")
    check("nginx/" not in headers.get("Server", ""), "Server 头暴露了 nginx 版本")
    csrf_cookie = next(c for c in session.cookies if c.name == "csrftoken")
    check(csrf_cookie.secure, "csrftoken Cookie 没有 Secure")

    done = session.post(f"{base}/admin/login/?next=/admin/", data={
        "csrfmiddlewaretoken": csrf(session, login.text), "username": args.username, "password": args.password,
        "next": "/admin/"}, headers={"Referer": f"{base}/admin/login/"}, allow_redirects=False, timeout=30)
    check(done.status_code == 302, f"登录失败：{done.status_code}")
    raw = done.headers.get("Set-Cookie", "")
    session_cookie = next(c for c in session.cookies if c.name == "sessionid")
    check(session_cookie.secure, "sessionid Cookie 没有 Secure")
    check("HttpOnly" in raw and "SameSite=Lax" in raw, f"sessionid Cookie 缺少 HttpOnly 或 SameSite：{raw}")

    template = session.get(f"{base}/admin/members/volunteer/excel/template/", timeout=30)
    check(template.status_code == 200, f"模板下载 {template.status_code}")
    sheet = load_workbook(io.BytesIO(template.content), read_only=True).worksheets[0]
    header_row = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    content = workbook(header_row, townships, args.rows)
    check(len(content) > 512 * 1024, f"工作簿只有 {len(content)} 字节，不会交给后台任务")

    page = session.get(f"{base}/admin/members/volunteer/excel/import/", timeout=30)
    upload = session.post(f"{base}/admin/members/volunteer/excel/import/",
                          data={"csrfmiddlewaretoken": csrf(session, page.text), "on_existing": "error"},
                          files={"file": ("smoke.xlsx", content,
                                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
                          headers={"Referer": f"{base}/admin/members/volunteer/excel/import/"},
                          allow_redirects=False, timeout=60)
    check(upload.status_code == 302 and "/excel/job/" in upload.headers.get("Location", ""),
          f"上传后没有转到任务页：{upload.status_code} {upload.text[:300]}")
    preview_url = upload.headers["Location"]
    preview = wait_for_job(session, base, preview_url, "预览")
    if preview["errors"]:
        problems = session.get(f"{base}{preview_url.rstrip('/')}/errors/", timeout=30)
        first = list(load_workbook(io.BytesIO(problems.content), read_only=True).worksheets[0].iter_rows(
            min_row=2, max_row=6, values_only=True))
        fail(f"预览发现 {preview['errors']} 个问题，例如：{first}")
    job_page = session.get(f"{base}{preview_url}", timeout=30)
    confirm = session.post(f"{base}{preview_url.rstrip('/')}/confirm/",
                           data={"csrfmiddlewaretoken": csrf(session, job_page.text)},
                           headers={"Referer": f"{base}{preview_url}"}, allow_redirects=False, timeout=30)
    check(confirm.status_code == 302, f"确认导入 {confirm.status_code}")
    imported = wait_for_job(session, base, confirm.headers["Location"], "导入")
    print(f"后台任务导入 {imported['total']} 行")

    dashboard = session.get(f"{base}/dashboard/", timeout=60)
    check(dashboard.status_code == 200 and "county-map" in dashboard.text, f"看板 {dashboard.status_code}")

    export = session.get(f"{base}/admin/members/volunteer/excel/export/", timeout=120)
    check(export.status_code == 200 and export.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats"), f"导出 {export.status_code}")
    rows = list(load_workbook(io.BytesIO(export.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    check(len(rows) - 1 == args.rows, f"导出 {len(rows) - 1} 行，应为 {args.rows} 行")
    id_column = rows[0].index("身份证号码")
    # the first administrator may see full numbers (the export is logged as an access); they stay text, not numbers
    check(all(isinstance(row[id_column], str) and len(row[id_column]) == 18 for row in rows[1:]),
          "导出中的身份证号码不是 18 位文本")

    static = session.get(f"{base}/static/admin/css/base.css", timeout=30)
    check(static.status_code == 200 and "immutable" in static.headers.get("Cache-Control", ""),
          f"静态文件没有由 nginx 提供：{static.status_code} {static.headers.get('Cache-Control')}")
    # /health/ through nginx from this machine: every service, beat's heartbeat included (beat sends one a minute)
    deadline = time.monotonic() + 100
    while True:
        health = session.get(f"{base}/health/?format=json", timeout=30)
        if health.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(3)
    expected = {"database", "cache", "storage", "disk", "broker", "worker", "beat"}
    check(health.status_code == 200 and set(health.json()) == expected
          and set(health.json().values()) == {"OK"}, f"健康检查 {health.status_code} {health.text[:300]}")
    print("冒烟测试通过：HTTPS、安全头和 Cookie、后台导入、看板、导出、静态文件、健康检查")


if __name__ == "__main__":
    main()
