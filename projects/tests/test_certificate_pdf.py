"""The PDF certificate holds every name the platform accepts: embedded fonts, no missing glyph, text as typed."""
import io
import re
from datetime import date
from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import reverse
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from accounts.roles import Role
from associations.tests.factories import association
from members.tests.factories import volunteer
from projects.certificates import certificate_document, certificate_lines, uncovered_characters
from projects.services import certificate_issue

from .factories import activity, project, record

pytestmark = pytest.mark.django_db

ISSUER = {"principal": "王志强", "contact": "0471-6661234"}
BATER = "巴特尔·额尔敦"
MONGOLIAN_SCRIPT = "ᠪᠠᠭᠠᠲᠤᠷ ᠡᠷᠳᠡᠨᠢ"  # Baghatur Erdeni, as a name is written in Mongolian script


def issued(name, user):
    own = association("150102")
    person = volunteer("150102", name=name)
    record(activity(project(own), date(2024, 3, 5), "学雷锋日社区服务"), person, hours="2.5")
    return certificate_issue(volunteer=person, association=own, period_start=date(2024, 1, 1),
                             period_end=date(2024, 12, 31), user=user, **ISSUER)


def bare(text):
    return re.sub(r"\s", "", text)


@pytest.mark.parametrize("name", [BATER, MONGOLIAN_SCRIPT, "阿拉坦仓·巴雅尔 Altanchang"])
def test_the_pdf_says_the_name_as_typed_with_every_glyph_embedded(client, make_staff, name):
    user = make_staff(Role.COUNTY_STAFF, "150102")
    certificate = issued(name, user=user)
    client.force_login(user)
    response = client.get(reverse("admin:projects_certificate_pdf", args=[certificate.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "inline; filename*=utf-8''" + quote(f"志愿服务记录证明-{certificate.serial_number}.pdf"))

    page = PdfReader(io.BytesIO(response.content)).pages[0]
    text = page.extract_text()
    lines = text.splitlines()
    assert lines[0] == "志愿服务记录证明"
    assert any(f"兹证明 {name}（" in line for line in lines), lines  # the name whole, on one line
    assert bare(certificate_lines(certificate)["body"]) in bare(text)  # the body as typed, lines joined
    assert uncovered_characters(text) == []
    fonts = {font["/BaseFont"].split("+", 1)[1]: font.get_object()
             for font in page["/Resources"]["/Font"].values()}
    for font in fonts.values():  # embedded, not named: a reader without the font shows the same glyphs
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor, font["/BaseFont"]
    assert ("NotoSansMongolian" in fonts) == (name == MONGOLIAN_SCRIPT)



def test_mongolian_script_is_shaped_into_its_joined_forms(make_staff):
    """HarfBuzz picks the initial, medial and final forms: the glyphs drawn are not the isolated ones the
    characters map to on their own."""
    certificate = issued(MONGOLIAN_SCRIPT, user=make_staff(Role.COUNTY_STAFF, "150102"))
    document = certificate_document(certificate)
    document.output()
    mongolian = next(font for font in document.fonts.values() if "Mongolian" in font.name)
    font = TTFont(settings.PDF_FONTS["mongolian"])
    isolated = {font.getBestCmap()[ord(char)] for char in MONGOLIAN_SCRIPT if char != " "}
    drawn = set(mongolian.subset.get_all_glyph_names())
    assert drawn - isolated - {".notdef", "space", "uni0020"}, "only isolated forms drawn: the text was not shaped"


def test_a_character_no_font_holds_is_reported_and_missing_from_the_text(make_staff):
    """The checks above can fail: a private-use character is in neither font, so it is reported and the PDF's
    text lacks it."""
    certificate = issued("张\ue000三", user=make_staff(Role.COUNTY_STAFF, "150102"))
    assert uncovered_characters(certificate_lines(certificate)["body"]) == ["\ue000"]
    assert uncovered_characters(BATER + MONGOLIAN_SCRIPT + "Altanchang　（）·") == []
    text = PdfReader(io.BytesIO(bytes(certificate_document(certificate).output()))).pages[0].extract_text()
    assert bare(certificate_lines(certificate)["body"]) not in bare(text)
