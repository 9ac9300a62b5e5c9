"""A payslip as a PDF, in the language of the person it belongs to (whoever downloads it): the company,
the person, the month, every line shown on the payslip with its explanation, the totals and the year
to date — the same layout the phone page reads from (``selectors_payslips.payslip_get``).

Chinese is drawn with reportlab's built-in CID font ``STSong-Light`` (the reader's PDF viewer supplies
the glyphs), so no font file ships; text that Latin-1 covers is set in Helvetica. Page streams are
left uncompressed: a payslip is one or two pages, and the figures stay searchable by simple tools.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from talentloop.core.access import Actor
from talentloop.core.bilingual import localized
from talentloop.notifications.services import recipient_languages
from talentloop.payroll import selectors_payslips as selectors
from talentloop.payroll.models import Payslip

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#BBBBBB")

_registered = False


def _register_fonts() -> None:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        _registered = True


def _latin(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _p(text: str, size: float = 10, bold: bool = False, grey: bool = False, align: int = 0) -> Paragraph:
    """A paragraph in the font that can draw it: Helvetica for Latin text (the minus sign of the
    explanations drawn as a hyphen, which Helvetica has), the CID font otherwise."""
    plain = text.replace("\u2212", "-")
    latin = _latin(plain)
    if latin:
        text = plain
    style = ParagraphStyle(
        "payslip",
        fontName=(LATIN_BOLD if bold else LATIN_FONT) if latin else CJK_FONT,
        fontSize=size,
        leading=size * 1.3,
        textColor=GREY if grey else colors.black,
        alignment=align,
        wordWrap=None if latin else "CJK",
    )
    return Paragraph(escape(text), style)


def _amount(value) -> Paragraph:
    return _p(selectors.money(value), align=2)


def _table(rows: list[list], spans: list[int] | None = None, bold_rows: tuple[int, ...] = ()) -> Table:
    table = Table(rows, colWidths=[125 * mm, 45 * mm], hAlign="LEFT")
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    for index in spans or []:
        style.append(("SPAN", (0, index), (-1, index)))
    for index in bold_rows:
        style.append(("LINEABOVE", (0, index), (-1, index), 0.5, RULE))
    table.setStyle(TableStyle(style))
    return table


def _story(view: selectors.PayslipView, company: str) -> list:
    payslip = view.payslip
    person = payslip.employee
    month = selectors.month_label(payslip.month)
    story: list = []
    if company:
        story.append(_p(company, 12, bold=True))
    story.append(_p(_("Payslip"), 16, bold=True))
    story.append(_p(f"{month} · {view.kind_label}", 12))
    story.append(_p(payslip.month.strftime("%Y-%m"), 9, grey=True))
    story.append(Spacer(1, 3 * mm))
    facts = [
        (_("Person"), f"{localized(person, 'name')} ({person.employee_number})"),
        (_("Pay group"), view.run.pay_group.label),
    ]
    if payslip.published_at:
        facts.append((_("Paid"), formats.date_format(payslip.published_at, "DATE_FORMAT")))
    story.append(_table([[_p(label, grey=True), _p(value, align=2)] for label, value in facts]))
    for section in view.sections:
        story.append(Spacer(1, 4 * mm))
        story.append(_p(section.title, 12, bold=True))
        rows: list[list] = []
        spans: list[int] = []
        for line in section.lines:
            rows.append([_p(line.label), _amount(line.amount)])
            if line.explanation:
                spans.append(len(rows))
                rows.append([_p(line.explanation, 8, grey=True), ""])
        bold: tuple[int, ...] = ()
        if section.total is not None:
            bold = (len(rows),)
            rows.append([_p(section.total_label, bold=True), _p(selectors.money(section.total), bold=True, align=2)])
        if rows:
            story.append(_table(rows, spans, bold))
    story.append(Spacer(1, 5 * mm))
    totals = [[_p(_("Gross pay")), _amount(view.gross)]]
    if view.bonus:
        totals.append([_p(_("Annual one-time bonus")), _amount(view.bonus)])
    totals.append([_p(_("Total deductions")), _amount(-view.deductions)])
    totals.append([_p(_("Net pay"), 13, bold=True), _p(selectors.money(view.net), 13, bold=True, align=2)])
    if view.shortfall:
        totals.append([_p(_("Still owed to the company"), grey=True), _amount(view.shortfall)])
    story.append(_table(totals, bold_rows=(len(totals) - 1,)))
    story.append(Spacer(1, 5 * mm))
    story.append(_p(_("Year to date"), 12, bold=True))
    story.append(_table([[_p(label), _p(value, align=2)] for label, value in view.ytd]))
    return story


def payslip_pdf(actor: Actor, payslip: Payslip) -> bytes | None:
    """The PDF of a payslip the actor may open, in its owner's language; None when they may not.
    The read is audited like the page's when the actor is not the owner."""
    language = recipient_languages([payslip.employee_id])[payslip.employee_id]
    _register_fonts()
    with translation.override(language):
        view = selectors.payslip_get(actor, payslip.pk)
        if view is None:
            return None
        company = selectors.company_name()
        buffer = io.BytesIO()
        month = payslip.month.strftime("%Y-%m")
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
            title=f"{_('Payslip')} {month}",
            author=company,
            subject=month,
            pageCompression=0,
        )
        doc.build(_story(view, company))
    return buffer.getvalue()


def filename(payslip: Payslip) -> str:
    return f"payslip-{payslip.month:%Y-%m}-{payslip.pk}.pdf"


def payslip_response(actor: Actor, payslip: Payslip) -> HttpResponse | None:
    """The PDF as a download (``Content-Disposition: attachment``), never cached."""
    content = payslip_pdf(actor, payslip)
    if content is None:
        return None
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(payslip)}"'
    response["Cache-Control"] = "no-store"
    return response
