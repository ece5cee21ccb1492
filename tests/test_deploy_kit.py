"""The production kit as shipped in deploy/: the systemd units pass ``systemd-analyze verify`` (no unknown key, every
command present) and the nginx site passes ``nginx -t`` — both with the paths of this checkout and a throwaway
certificate in place of the installation's; the environment template names every setting the platform reads."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def rendered_units(tmp_path) -> list[Path]:
    env_file = tmp_path / "env"
    env_file.write_text("")
    units = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = unit.read_text().replace("/opt/volunteer", str(ROOT)).replace("/etc/volunteer/env", str(env_file))
        target = tmp_path / unit.name
        target.write_text(text)
        units.append(target)
    return units


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="需要 systemd-analyze")
def test_the_systemd_units_verify(tmp_path):
    units = rendered_units(tmp_path)
    assert {u.name for u in units} >= {"volunteer-web.service", "volunteer-worker.service", "volunteer-beat.service",
                                        "volunteer-backup.service", "volunteer-backup.timer"}
    result = subprocess.run(["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True,
                            cwd=tmp_path, timeout=60)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def self_signed(tmp_path) -> tuple[Path, Path]:
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=zyz.example.org", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def nginx_config(tmp_path, site_text: str) -> Path:
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"""pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    include /etc/nginx/mime.types;
    access_log {tmp_path}/access.log;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    {site_text}
}}
""")
    return conf


def rendered_site(tmp_path, *, listen_http="80", listen_https="443") -> str:
    cert, key = self_signed(tmp_path)
    text = (DEPLOY / "nginx" / "volunteer.conf").read_text()
    text = text.replace("/etc/volunteer/tls/fullchain.pem", str(cert)).replace("/etc/volunteer/tls/privkey.pem", str(key))
    text = text.replace("/var/lib/volunteer/static/", f"{ROOT}/staticfiles/")
    text = re.sub(r"listen (\[::\]:)?80;", lambda m: f"listen {'[::1]:' if m.group(1) else '127.0.0.1:'}{listen_http};",
                  text)
    text = re.sub(r"listen (\[::\]:)?443 ssl http2;",
                  lambda m: f"listen {'[::1]:' if m.group(1) else '127.0.0.1:'}{listen_https} ssl http2;", text)
    return text


@pytest.mark.skipif(shutil.which("nginx") is None, reason="需要 nginx（.ci/run 会安装）")
def test_the_nginx_site_passes_nginx_t(tmp_path):
    conf = nginx_config(tmp_path, rendered_site(tmp_path, listen_http="18080", listen_https="18443"))
    result = subprocess.run(["nginx", "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


def test_the_site_limits_uploads_forwards_the_scheme_and_serves_no_uploads():
    site = (DEPLOY / "nginx" / "volunteer.conf").read_text()
    assert "client_max_body_size 25m;" in site  # the platform's own limit is 20 MB
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site  # SECURE_PROXY_SSL_HEADER
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site  # one proxy, a client's header replaced
    assert "/media" not in site  # workbooks with ID numbers are never served by nginx


def settings_read() -> set[str]:
    names = set()
    for path in (ROOT / "config" / "settings").glob("*.py"):
        if path.name in ("test.py", "local.py"):
            continue
        names |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", path.read_text()))
    return names


def test_the_environment_template_names_every_setting_the_platform_reads():
    template = (DEPLOY / "volunteer.env.example").read_text()
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", template, flags=re.M))
    assert settings_read() - {"DJANGO_DEBUG"} <= listed, settings_read() - listed
    for required in ("DJANGO_SECRET_KEY", "PERSONAL_DATA_KEYS", "PERSONAL_DATA_HASH_KEY"):
        assert re.search(rf"^{required}=$", template, flags=re.M), f"{required} ships empty, never with a value"
    assert "AXES_PROXY_COUNT=1" in template and "DJANGO_CACHE_URL=redis://" in template


def test_production_requirements_carry_no_test_tools():
    production = (ROOT / "requirements-production.txt").read_text().lower()
    for tool in ("pytest", "playwright", "schemathesis", "hypothesis", "factory_boy", "import-linter"):
        assert f"\n{tool}" not in production, tool
    assert "-r requirements-production.txt" in (ROOT / "requirements.txt").read_text()


def test_abandoned_uploads_are_pruned_hourly_by_beat(settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from common.admin_excel import UPLOAD_DIR
    from common.tasks import excel_uploads_prune

    entry = settings.CELERY_BEAT_SCHEDULE["excel-uploads-prune"]
    assert entry["task"] == "common.excel_uploads_prune" and entry["schedule"].minute == {17}
    name = default_storage.save(f"{UPLOAD_DIR}/left-behind.xlsx", ContentFile(b"x"))
    assert excel_uploads_prune.apply().get() == 0  # not a day old yet
    assert default_storage.exists(name)
    assert excel_uploads_prune.apply(kwargs={"hours": 0}).get() >= 1  # with any other test's upload in storage
    assert not default_storage.exists(name)
