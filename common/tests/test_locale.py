"""The platform's own catalogue: the compiled file is the .po as it stands, and Django uses it."""
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="需要 GNU gettext 的 msgfmt")
def test_the_compiled_catalogue_is_the_po_file(tmp_path):
    subprocess.run(["msgfmt", "-o", str(tmp_path / "django.mo"), str(CATALOGUE / "django.po")], check=True)
    assert (tmp_path / "django.mo").read_bytes() == (CATALOGUE / "django.mo").read_bytes(), (
        "django.mo 与 django.po 不一致：请运行 msgfmt -o locale/zh_Hans/LC_MESSAGES/django.mo "
        "locale/zh_Hans/LC_MESSAGES/django.po")


def test_the_admin_strings_django_lacks_are_translated():
    with translation.override("zh-hans"):
        assert translation.gettext("Model name") == "名称"
        assert translation.gettext("Changes") == "变更内容"
        assert translation.gettext("Search") == "搜索"  # Django's own catalogue still answers
