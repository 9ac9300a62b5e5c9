"""The payslip PDF: a real PDF, in its owner's language whoever downloads it, with the company, the
person, the month, the lines with their explanations and the totals; Chinese drawn with reportlab's
built-in CID font (its name is in the file, no font file ships). Page streams are not compressed, so
the Latin text is found in the bytes as drawn."""

from __future__ import annotations

import pytest

from talentloop.core.access import actor_for
from talentloop.payroll import pdf
from talentloop.payroll.tests.payslips_scene import build, slip_of
from talentloop.payroll.tests.scene import frozen_clock
from talentloop.payroll.tests.test_payslips import fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(world):
    return build(world)


def _speak(user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


def test_the_pdf_in_english(built):
    scene, run = built
    _speak(scene.world.employee, "en")
    slip = slip_of(scene, run)
    with frozen_clock():
        response = fresh(scene, "employee").get(f"/payroll/payslips/{slip.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="payslip-2025-01-{slip.pk}.pdf"'
    assert response["Cache-Control"] == "no-store"
    body = response.content
    assert body.startswith(b"%PDF")
    for text in (b"January 2025", b"(2025-01)", b"Company", b"Net pay", b"8,414.52", b"Base salary",
                 b"Year to date", slip.employee.employee_number.encode()):  # fmt: skip
        assert text in body, text
    assert b"Income to date 10,270.12 - exempt income" in body  # the tax line's explanation


def test_the_pdf_in_chinese_for_a_chinese_reader_whoever_downloads_it(built):
    scene, run = built
    _speak(scene.world.employee, "zh-hans")
    slip = slip_of(scene, run)
    with frozen_clock():
        # payroll reads it with an English browser: the PDF is still in the owner's language
        response = fresh(scene, "payroll_a").get(f"/payroll/payslips/{slip.pk}.pdf", HTTP_ACCEPT_LANGUAGE="en")
    body = response.content
    assert response.status_code == 200 and body.startswith(b"%PDF")
    assert b"STSong-Light" in body  # the CID font that draws the Chinese
    assert b"(2025-01)" in body  # the month
    # the lines' names are drawn in Chinese (the component's own name, the catalogue's line labels)
    assert b"Base salary" not in body and b"Unpaid leave" not in body


def test_the_pdf_needs_someone_who_may_open_the_payslip(built):
    scene, run = built
    slip = slip_of(scene, run)
    assert pdf.payslip_pdf(actor_for(scene.world.manager), slip) is None
    with frozen_clock():
        assert fresh(scene, "manager").get(f"/payroll/payslips/{slip.pk}.pdf").status_code == 404
