"""志愿服务记录证明 as a PDF: A4, the same text as the printable page.

The fonts are embedded (subset): Noto Serif SC for Chinese, Latin and the "·" of names such as 巴特尔·额尔敦, with
Noto Sans Mongolian as the fallback for names in Mongolian script, which HarfBuzz shapes into their joined
forms. Both come from the npm registry (package.json) and are found through ``settings.PDF_FONTS``; the
extracted text of the PDF is the text as typed.
"""
from functools import cache

from django.conf import settings
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

SERIF, MONGOLIAN = "serif", "mongolian"
MARGIN = 25  # mm
BASIS = "依据《志愿服务记录与证明出具办法（试行）》（民政部令第67号）出具，协会只证明本协会组织的志愿服务活动。"


def certificate_lines(certificate) -> dict:
    volunteer = certificate.volunteer
    return {
        "title": "志愿服务记录证明",
        "serial": f"编号：{certificate.serial_number}",
        "body": (
            f"兹证明 {volunteer.name}（身份证号码 {volunteer.id_number_masked}"
            + (f"，志愿者编号 {volunteer.volunteer_number}" if volunteer.volunteer_number else "")
            + f"）于 {certificate.period_start:%Y年%m月%d日} 至 {certificate.period_end:%Y年%m月%d日} 参加"
            f"{certificate.association.name}组织的志愿服务活动，累计志愿服务时长 {certificate.total_hours} 小时。"
        ),
        "issuer": certificate.association.name,
        "answerable": (f"负责人：{certificate.principal or '—'}　经办人：{certificate.handler or '—'}　"
                       f"联系方式：{certificate.contact or '—'}")
        if certificate.principal or certificate.handler or certificate.contact else "",
        "date": f"{certificate.issued_on:%Y年%m月%d日}",
    }


@cache
def _covered(font_path) -> frozenset[int]:
    return frozenset(TTFont(font_path, lazy=True).getBestCmap())


def uncovered_characters(text: str) -> list[str]:
    """The characters of ``text`` that neither embedded font holds (they would print as nothing)."""
    covered = _covered(str(settings.PDF_FONTS[SERIF])) | _covered(str(settings.PDF_FONTS[MONGOLIAN]))
    return sorted({char for char in text if ord(char) not in covered and char not in "\n\r\t"})


class CertificateDocument(FPDF):
    """An A4 page with the platform's fonts registered, shaping on, and the legal basis in every footer."""

    def __init__(self, title: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.add_font(SERIF, fname=str(settings.PDF_FONTS[SERIF]))
        self.add_font(MONGOLIAN, fname=str(settings.PDF_FONTS[MONGOLIAN]))
        self.set_fallback_fonts([MONGOLIAN], exact_match=False)
        self.set_text_shaping(True)
        self.set_margins(MARGIN, 30, MARGIN)
        self.set_auto_page_break(True, margin=30)
        self.set_title(title)
        self.set_lang("zh-CN")
        self.set_creator("青年志愿者协会管理平台")

    def footer(self):
        self.set_y(-22)
        self.set_font(SERIF, size=8)
        self.multi_cell(0, 4, BASIS, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def certificate_pdf(certificate) -> bytes:
    return bytes(certificate_document(certificate).output())


def certificate_document(certificate) -> CertificateDocument:
    """The laid-out document; after ``output()`` each of ``document.fonts`` lists its ``missing_glyphs``."""
    text = certificate_lines(certificate)
    pdf = CertificateDocument(f"{text['title']} {certificate.serial_number}")
    pdf.add_page()
    line = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
    pdf.set_font(SERIF, size=22)
    pdf.cell(0, 12, text["title"], align="C", **line)
    pdf.set_font(SERIF, size=10)
    pdf.cell(0, 10, text["serial"], align="R", **line)
    pdf.ln(2)
    pdf.set_font(SERIF, size=13)
    pdf.multi_cell(0, 8, "　　" + text["body"], align="L", **line)
    pdf.ln(4)
    pdf.set_font(SERIF, size=10)
    with pdf.table(col_widths=(24, 50, 58, 28), text_align=("LEFT", "LEFT", "LEFT", "RIGHT"),
                   line_height=6, headings_style=FontFace(emphasis="", fill_color=(238, 238, 238))) as table:
        table.row(("服务日期", "项目", "活动", "时长（小时）"))
        for item in certificate.activities:
            table.row((item["date"], item["project"], item["activity"], item["hours"]))
    pdf.ln(10)
    pdf.set_font(SERIF, size=12)
    pdf.cell(0, 9, f"出具单位：{text['issuer']}（盖章）", align="R", **line)
    if text["answerable"]:
        pdf.cell(0, 9, text["answerable"], align="R", **line)
    pdf.cell(0, 9, text["date"], align="R", **line)
    return pdf
