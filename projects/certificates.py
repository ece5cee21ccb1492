"""志愿服务记录证明 as a PDF: A4, the same text as the printable page.

The Chinese text uses the Adobe CID font STSong-Light, which every PDF reader carries, so no font file is
embedded or shipped.
"""
import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


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


def _wrap(text: str, width: float, size: int) -> list[str]:
    lines, line = [], ""
    for char in text:
        if pdfmetrics.stringWidth(line + char, FONT, size) > width:
            lines.append(line)
            line = char
        else:
            line += char
    if line:
        lines.append(line)
    return lines


def certificate_pdf(certificate) -> bytes:
    text = certificate_lines(certificate)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"{text['title']} {certificate.serial_number}")
    width, height = A4
    left, right = 25 * mm, width - 25 * mm
    y = height - 35 * mm
    pdf.setFont(FONT, 22)
    pdf.drawCentredString(width / 2, y, text["title"])
    y -= 12 * mm
    pdf.setFont(FONT, 10)
    pdf.drawRightString(right, y, text["serial"])
    y -= 12 * mm
    pdf.setFont(FONT, 13)
    for line in _wrap("　　" + text["body"], right - left, 13):
        pdf.drawString(left, y, line)
        y -= 8 * mm
    y -= 4 * mm
    pdf.setFont(FONT, 10)
    columns = (left, left + 30 * mm, left + 85 * mm, right - 20 * mm)
    for x, header in zip(columns, ("服务日期", "项目", "活动", "时长（小时）")):
        pdf.drawString(x, y, header)
    y -= 6 * mm
    for item in certificate.activities:
        if y < 45 * mm:
            pdf.showPage()
            pdf.setFont(FONT, 10)
            y = height - 25 * mm
        pdf.drawString(columns[0], y, item["date"])
        pdf.drawString(columns[1], y, item["project"][:16])
        pdf.drawString(columns[2], y, item["activity"][:18])
        pdf.drawString(columns[3], y, item["hours"])
        y -= 6 * mm
    y -= 12 * mm
    pdf.setFont(FONT, 12)
    pdf.drawRightString(right, y, f"出具单位：{text['issuer']}（盖章）")
    if text["answerable"]:
        y -= 9 * mm
        pdf.drawRightString(right, y, text["answerable"])
    pdf.drawRightString(right, y - 9 * mm, text["date"])
    pdf.setFont(FONT, 8)
    pdf.drawString(left, 20 * mm, "依据《志愿服务记录与证明出具办法（试行）》（民政部令第67号）出具，协会只证明本协会组织的志愿服务活动。")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
