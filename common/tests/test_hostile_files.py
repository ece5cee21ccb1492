"""One upload cannot crash the server or answer with a 500: a cell at XFD1048576, malformed XML, a zip whose
headers lie about its sizes, a zip bomb, too many parts, too many rows or columns. Each is refused with a Chinese
message, nothing is written, and reading the whole hostile set stays under 1 GB of memory."""
import io
import json
import resource
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.roles import Role
from common.excel import ExcelFileError, iter_sheet
from members.models import Volunteer

from .hostile_files import NAMES, hostile_files


@pytest.mark.parametrize("name", NAMES)
def test_each_hostile_file_is_refused_in_chinese(name):
    assert set(NAMES) == set(hostile_files())
    content, expected = hostile_files()[name]
    with pytest.raises(ExcelFileError) as error:
        headers, rows = iter_sheet(content, sheet_name="注册志愿者", max_rows=200_000)
        list(rows)
    assert str(error.value).startswith(expected), str(error.value)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["cell at XFD1048576", "malformed sheet XML", "sizes that lie", "a zip bomb"])
def test_the_admin_upload_answers_a_hostile_file_with_its_message(client, make_staff, name):
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    content, expected = hostile_files()[name]
    upload = io.BytesIO(content)
    upload.name = "志愿者.xlsx"
    response = client.post(reverse("admin:members_volunteer_excel_import"), {"file": upload})
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not Volunteer.objects.exists()


def _limit_memory():
    two_gb = 2 << 30
    resource.setrlimit(resource.RLIMIT_AS, (two_gb, two_gb))


def test_the_whole_hostile_set_is_read_in_under_1_gb(tmp_path):
    files = hostile_files()
    for name, (content, _) in files.items():
        (tmp_path / f"{name}.xlsx").write_bytes(content)
    done = subprocess.run([sys.executable, "-m", "common.tests.hostile_upload_check", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, preexec_fn=_limit_memory,
                          cwd=settings.BASE_DIR)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    for name, (_, expected) in files.items():
        assert report["results"][name].startswith(expected), (name, report["results"][name])
    print(f"\nhostile uploads: {len(files)} files, peak RSS {report['peak_rss_mb']} MB")
    assert report["peak_rss_mb"] < 1024
