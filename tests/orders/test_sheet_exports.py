"""The printed sheet and delivery notes: PDF text, CSV and XLSX content,
formula neutralising, landscape pages."""

import csv
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from amap.orders.sheet_exports import (
    DELIVERY_NOTES,
    FORMATS,
    SHEET,
    Document,
    build_document,
)
from tests.factories import DistributionFactory, OfferFactory, UserFactory
from tests.orders.sheet_data import book, sheet_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(collective, member, organiser, producer, english):
    return sheet_scenario(
        collective=collective, member=member, organiser=organiser, producer=producer
    )


def pdf_pages(document: Document) -> list[str]:
    return [
        page.extract_text() for page in PdfReader(io.BytesIO(document.content)).pages
    ]


def csv_rows(document: Document) -> list[list[str]]:
    assert document.content.startswith("\ufeff".encode())
    text = document.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def workbook(document: Document):
    return load_workbook(io.BytesIO(document.content))


def test_sheet_pdf_shows_names_quantities_totals_and_page_numbers(scenario):
    document = build_document(
        distribution=scenario["distribution"], kind=SHEET, fmt="pdf"
    )
    assert document.content_type == "application/pdf"
    assert document.filename == (
        "sheet-maison-de-quartier-des-dervallieres-2026-12-03.pdf"
    )
    pages = pdf_pages(document)
    text = " ".join("\n".join(pages).split())  # cells wrap over lines
    assert "Maison de quartier des Dervallières" in text
    assert "Thursday 3 December 2026" in text
    assert "18:00–19:30" in text
    assert "PETIT Claire (06 12 34 56 78)" in text
    for name in ("ABEL Éric", "MARTIN Marie", "ZOLA Albert", "LEFÈVRE Hugo"):
        assert name in text
    assert text.index("ABEL Éric") < text.index("MARTIN Marie")
    assert text.index("MARTIN Marie") < text.index("ZOLA Albert")
    assert "Carottes 1.5 kg" in text
    assert "36.85 €" in text  # what Marie Martin still owes
    assert "Absent — basket given to the solidarity pool" in text
    assert "Solidarity pool" in text
    assert "4.5 kg" in text and "11.25 €" in text  # carrots in total
    assert "18.55 €" in text  # all pre-bookings
    assert "Signature" in text
    assert f"Page 1 / {len(pages)}" in pages[0]


def test_sheet_pdf_repeats_the_table_header_on_every_page(collective, english):
    distribution = DistributionFactory(cycle__collective=collective)
    offer = OfferFactory(cycle=distribution.cycle)
    for n in range(60):
        person = UserFactory(first_name="Ana", last_name=f"Membre{n:02d}")
        book(person, distribution, offer, "1")
    pages = pdf_pages(build_document(distribution=distribution, kind=SHEET, fmt="pdf"))
    member_pages = [page for page in pages if "MEMBRE" in page]
    assert len(member_pages) > 1
    assert all("Pre-booked products" in page for page in member_pages)
    assert f"Page {len(pages)} / {len(pages)}" in pages[-1]


def test_landscape_pdf_pages_are_wider_than_tall(scenario):
    distribution = scenario["distribution"]
    portrait = PdfReader(
        io.BytesIO(
            build_document(distribution=distribution, kind=SHEET, fmt="pdf").content
        )
    ).pages[0]
    landscape = PdfReader(
        io.BytesIO(
            build_document(
                distribution=distribution, kind=SHEET, fmt="pdf", landscape=True
            ).content
        )
    ).pages[0]
    assert portrait.mediabox.width < portrait.mediabox.height
    assert landscape.mediabox.width > landscape.mediabox.height


def test_sheet_csv_lists_shifts_members_and_totals(scenario):
    document = build_document(
        distribution=scenario["distribution"], kind=SHEET, fmt="csv"
    )
    assert document.filename.endswith("-2026-12-03.csv")
    assert document.content_type.startswith("text/csv")
    rows = csv_rows(document)
    assert rows[0] == ["Pickup point", "Maison de quartier des Dervallières"]
    assert [
        "Accueil et émargement",
        "17:45–19:45",
        "Petit",
        "Claire",
        "06 12 34 56 78",
    ] in rows
    header = rows.index(
        [
            "Last name",
            "First name",
            "Contract baskets",
            "Pre-booked products",
            "Order (€)",
            "Still due (€)",
            "Absence",
            "Signature",
        ]
    )
    martin = next(row for row in rows[header:] if row[0] == "Martin")
    assert martin[3] == (
        "Fournil du Bourg : Pain de campagne 1\xa0piece"
        " / Maraîchage de la Sèvre : Carottes 1.5\xa0kg"
    )
    assert martin[4:6] == ["6.85", "36.85"]
    assert ["Maraîchage de la Sèvre", "Carottes", "4.5", "kg", "11.25"] in rows
    assert ["Légumes d'hiver", "Petit panier", "4", "basket", ""] in rows
    assert ["Légumes d'hiver — Petit panier", "1", "from ROUX Paul"] in rows


def test_sheet_xlsx_keeps_numbers_as_numbers_under_a_frozen_bold_header(scenario):
    book_ = workbook(
        build_document(distribution=scenario["distribution"], kind=SHEET, fmt="xlsx")
    )
    assert book_.sheetnames == ["Members", "Shifts", "Solidarity pool", "Totals"]
    members = book_["Members"]
    assert members.freeze_panes == "A2"
    assert members["A1"].value == "Last name" and members["A1"].font.bold
    values = [[cell.value for cell in row] for row in members.iter_rows(min_row=2)]
    martin = next(row for row in values if row[0] == "Martin")
    assert martin[4] == pytest.approx(6.85)
    assert martin[5] == pytest.approx(36.85)
    assert members.column_dimensions["D"].width > 20
    totals = [[cell.value for cell in row] for row in book_["Totals"].iter_rows()]
    assert ["Maraîchage de la Sèvre", "Carottes", 4.5, "kg", 11.25] in totals


def test_spreadsheets_neutralise_formulas_in_names_and_phones(scenario, organiser):
    distribution = scenario["distribution"]
    attacker = UserFactory(first_name="+33 6 00 00 00 00", last_name="=SUM(A1)")
    book(attacker, distribution, scenario["offers"]["eggs"], "1")
    organiser.phone = "+33 6 12 34 56 78"
    organiser.save(update_fields=["phone"])

    rows = csv_rows(build_document(distribution=distribution, kind=SHEET, fmt="csv"))
    attacker_row = next(row for row in rows if row and "SUM" in row[0])
    assert attacker_row[:2] == ["'=SUM(A1)", "'+33 6 00 00 00 00"]
    assert any("'+33 6 12 34 56 78" in row for row in rows)

    book_ = workbook(build_document(distribution=distribution, kind=SHEET, fmt="xlsx"))
    cells = [
        cell.value
        for sheet in book_.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert "'=SUM(A1)" in cells
    assert "'+33 6 12 34 56 78" in cells
    assert not any(value.startswith(("=", "+", "@")) for value in cells)


def test_delivery_notes_in_three_formats(scenario):
    distribution = scenario["distribution"]
    pdf = build_document(distribution=distribution, kind=DELIVERY_NOTES, fmt="pdf")
    assert pdf.filename == (
        "delivery-notes-maison-de-quartier-des-dervallieres-2026-12-03.pdf"
    )
    pages = pdf_pages(pdf)
    assert len(pages) == 2  # one page per farm
    assert "Delivery note — Fournil du Bourg" in pages[0]
    assert "Pain de campagne" in pages[0] and "Carottes" not in pages[0]
    farm = pages[1]
    assert "Delivery note — Maraîchage de la Sèvre" in farm
    assert "Maison de quartier des Dervallières" in farm
    assert "4.5\xa0kg" in farm and "11.25\xa0€" in farm
    assert "4 baskets" in farm  # whole small baskets, shared or given away
    assert "MARTIN Marie" in farm

    rows = csv_rows(
        build_document(distribution=distribution, kind=DELIVERY_NOTES, fmt="csv")
    )
    assert ["Maraîchage de la Sèvre", "Carottes", "4.5", "kg", "11.25"] in rows
    assert [
        "Maraîchage de la Sèvre",
        "Légumes d'hiver — Petit panier",
        "4",
        "basket",
        "",
    ] in rows
    assert [
        "Maraîchage de la Sèvre",
        "Martin",
        "Marie",
        "Carottes",
        "1.5",
        "kg",
        "3.75",
    ] in rows

    book_ = workbook(
        build_document(distribution=distribution, kind=DELIVERY_NOTES, fmt="xlsx")
    )
    assert book_.sheetnames == ["To bring", "Per member"]
    bring = [[c.value for c in row] for row in book_["To bring"].iter_rows(min_row=2)]
    assert [
        "Fournil du Bourg",
        "Pain de campagne",
        1,
        "piece",
        pytest.approx(3.1),
    ] in bring


def test_a_distribution_with_nothing_booked_still_prints(collective, english):
    distribution = DistributionFactory(cycle__collective=collective)
    for kind in (SHEET, DELIVERY_NOTES):
        for fmt in FORMATS:
            document = build_document(distribution=distribution, kind=kind, fmt=fmt)
            assert document.content
    text = "\n".join(
        pdf_pages(
            build_document(distribution=distribution, kind=DELIVERY_NOTES, fmt="pdf")
        )
    )
    assert "Nothing is delivered at this distribution." in text


def test_unknown_kind_or_format_is_refused(scenario):
    with pytest.raises(ValueError):
        build_document(distribution=scenario["distribution"], kind="menu", fmt="pdf")
    with pytest.raises(ValueError):
        build_document(distribution=scenario["distribution"], kind=SHEET, fmt="odt")


def test_amounts_and_quantities_are_formatted_for_french(scenario):
    with translation.override("fr"):
        rows = csv_rows(
            build_document(distribution=scenario["distribution"], kind=SHEET, fmt="csv")
        )
    martin = next(row for row in rows if row and row[0] == "Martin")
    assert martin[4:6] == ["6,85", "36,85"]
    assert "Carottes 1,5\xa0kg" in martin[3]
