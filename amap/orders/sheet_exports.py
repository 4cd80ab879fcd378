"""Distribution sheets and delivery notes as files (PDF, CSV, XLSX): the API
the stored-documents machinery calls to build each document.

Reads only; the PDF is laid out by WeasyPrint (`amap.pdf.render_pdf`), the
spreadsheets neutralise every text cell (`amap.orders.spreadsheets`).
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from amap.money import format_amount, format_number, unit_name
from amap.pdf import render_pdf

from .sheets import DeliveryNote, DistributionSheet, delivery_notes, distribution_sheet
from .spreadsheets import csv_bytes, xlsx_bytes

SHEET = "sheet"
DELIVERY_NOTES = "delivery-notes"
KINDS = (SHEET, DELIVERY_NOTES)
FORMATS = ("pdf", "csv", "xlsx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EURO_FORMAT = '#,##0.00 "€"'
QUANTITY_FORMAT = "#,##0.###"


@dataclass(frozen=True)
class Document:
    content: bytes
    filename: str
    content_type: str


def build_document(
    *, distribution, kind: str, fmt: str, landscape: bool = False
) -> Document:
    """The `kind` document (SHEET or DELIVERY_NOTES) of `distribution` in
    format `fmt` (one of FORMATS); `landscape` only changes a PDF. Reads the
    database in a fixed number of queries; raises ValueError for an unknown
    kind or format."""
    if kind not in KINDS:
        raise ValueError(f"Unknown document kind: {kind!r}")
    if fmt not in FORMATS:
        raise ValueError(f"Unknown document format: {fmt!r}")
    if kind == SHEET:
        data = distribution_sheet(distribution)
        builders = {"pdf": sheet_pdf, "csv": sheet_csv, "xlsx": sheet_xlsx}
    else:
        data = delivery_notes(distribution)
        builders = {"pdf": notes_pdf, "csv": notes_csv, "xlsx": notes_xlsx}
    if fmt == "pdf":
        content = builders[fmt](data, distribution=distribution, landscape=landscape)
    else:
        content = builders[fmt](data, distribution=distribution)
    return Document(
        content=content,
        filename=document_filename(distribution=distribution, kind=kind, fmt=fmt),
        content_type=CONTENT_TYPES[fmt],
    )


def document_filename(*, distribution, kind: str, fmt: str) -> str:
    """The kind, the pickup point and the date as a slug, for instance
    "feuille-maison-de-quartier-2026-12-03.pdf"."""
    prefix = (
        pgettext("file name", "sheet")
        if kind == SHEET
        else pgettext("file name", "delivery-notes")
    )
    name = slugify(f"{prefix} {distribution.pickup_point.name}")
    return f"{name}-{distribution.date.isoformat()}.{fmt}"


def _amount(value) -> str:
    """An amount cell a spreadsheet reads as a number: no thousands separator."""
    return format_amount(value, grouping=False)


def _quantity(value) -> str:
    return format_number(value, grouping=False)


def _time_range(distribution) -> str:
    return f"{distribution.starts_at:%H:%M}–{distribution.ends_at:%H:%M}"


# Distribution sheet ---------------------------------------------------------


def sheet_pdf(sheet: DistributionSheet, *, distribution=None, landscape=False):
    return render_pdf(
        "pdf/orders/distribution_sheet.html",
        {"sheets": [sheet], "landscape": landscape, "generated_at": timezone.now()},
    )


def _shift_rows(sheet: DistributionSheet):
    for line in sheet.shifts:
        shift = line.shift
        start = [shift.role, f"{shift.starts_at:%H:%M}–{shift.ends_at:%H:%M}"]
        for user in line.volunteers:
            yield [*start, user.last_name, user.first_name, user.phone]
        if line.missing:
            missing = _("%(count)s missing") % {"count": line.missing}
            yield [*start, missing, "", ""]


def _member_header():
    return [
        _("Last name"),
        _("First name"),
        _("Contract baskets"),
        _("Pre-booked products"),
        _("Order (€)"),
        _("Still due (€)"),
        _("Absence"),
        _("Signature"),
    ]


def _member_rows(sheet: DistributionSheet, amount):
    for row in sheet.rows:
        member = row.member
        yield [
            member.last_name or member.email,
            member.first_name,
            row.baskets_text,
            row.products_text,
            "" if row.order_total is None else amount(row.order_total),
            amount(row.amount_due),
            row.absence_note,
            "",
        ]


def _total_rows(sheet: DistributionSheet, amount, quantity):
    for total in sheet.product_totals:
        yield [
            total.producer,
            total.name,
            quantity(total.quantity),
            unit_name(total.unit),
            amount(total.amount),
        ]
    for total in sheet.basket_totals:
        yield [total.contract, total.option, quantity(total.quantity), _("basket"), ""]
    yield [
        _("Total"),
        "",
        quantity(sheet.basket_count),
        _("basket"),
        amount(sheet.amount),
    ]


def _solidarity_rows(sheet: DistributionSheet, quantity):
    for basket in sheet.solidarity:
        yield [basket.name, quantity(basket.quantity), basket.note]


def _shift_header():
    return [_("Shift"), _("Time"), _("Last name"), _("First name"), _("Phone")]


def _total_header():
    return [
        _("Producer or contract"),
        _("Product or basket"),
        _("Quantity"),
        _("Unit"),
        _("Amount (€)"),
    ]


def _solidarity_header():
    return [_("Solidarity pool"), _("Quantity"), _("Given by")]


def sheet_csv(sheet: DistributionSheet, *, distribution=None) -> bytes:
    """The pickup point, the shifts, one row per member, the solidarity pool
    and the totals, as blocks separated by a blank line."""
    d = sheet.distribution
    blocks = [
        [
            [_("Pickup point"), d.pickup_point.name],
            [_("Date"), d.date.isoformat()],
            [_("Time"), _time_range(d)],
        ],
        [_shift_header(), *_shift_rows(sheet)],
        [_member_header(), *_member_rows(sheet, _amount)],
    ]
    if sheet.solidarity:
        blocks.append([_solidarity_header(), *_solidarity_rows(sheet, _quantity)])
    blocks.append([_total_header(), *_total_rows(sheet, _amount, _quantity)])
    return csv_bytes(blocks)


def _number(value):
    return value


def sheet_xlsx(sheet: DistributionSheet, *, distribution=None) -> bytes:
    """Worksheets: members (with the signature column), shifts, solidarity
    pool, totals."""
    sheets = [
        (
            _("Members"),
            _member_header(),
            list(_member_rows(sheet, _number)),
            {4: EURO_FORMAT, 5: EURO_FORMAT},
        ),
        (_("Shifts"), _shift_header(), list(_shift_rows(sheet)), {}),
    ]
    if sheet.solidarity:
        sheets.append(
            (
                _("Solidarity pool"),
                _solidarity_header(),
                list(_solidarity_rows(sheet, _number)),
                {1: QUANTITY_FORMAT},
            )
        )
    sheets.append(
        (
            _("Totals"),
            _total_header(),
            list(_total_rows(sheet, _number, _number)),
            {2: QUANTITY_FORMAT, 4: EURO_FORMAT},
        )
    )
    return xlsx_bytes(sheets)


# Delivery notes -------------------------------------------------------------


def notes_pdf(notes: list[DeliveryNote], *, distribution, landscape=False):
    return render_pdf(
        "pdf/orders/delivery_notes.html",
        {
            "notes": notes,
            "distribution": distribution,
            "landscape": landscape,
            "generated_at": timezone.now(),
        },
    )


def _bring_header():
    return [
        _("Producer"),
        _("Product or basket"),
        _("Quantity"),
        _("Unit"),
        _("Amount (€)"),
    ]


def _bring_rows(notes, amount, quantity):
    for note in notes:
        for total in note.products:
            yield [
                note.producer.name,
                total.name,
                quantity(total.quantity),
                unit_name(total.unit),
                amount(total.amount),
            ]
        for total in note.baskets:
            yield [
                note.producer.name,
                total.name,
                quantity(total.quantity),
                _("basket"),
                "",
            ]


def _detail_header():
    return [
        _("Producer"),
        _("Last name"),
        _("First name"),
        _("Product or basket"),
        _("Quantity"),
        _("Unit"),
        _("Amount (€)"),
    ]


def _detail_rows(notes, amount, quantity):
    for note in notes:
        for entry in note.members:
            start = [
                note.producer.name,
                entry.member.last_name or entry.member.email,
                entry.member.first_name,
            ]
            for basket in entry.baskets:
                yield [*start, basket.name, quantity(basket.quantity), _("basket"), ""]
            for item in entry.items:
                yield [
                    *start,
                    item.name,
                    quantity(item.quantity),
                    unit_name(item.unit),
                    amount(item.amount),
                ]


def notes_csv(notes: list[DeliveryNote], *, distribution) -> bytes:
    """What each farm brings, then the detail per member."""
    return csv_bytes(
        [
            [
                [_("Pickup point"), distribution.pickup_point.name],
                [_("Date"), distribution.date.isoformat()],
                [_("Time"), _time_range(distribution)],
            ],
            [_bring_header(), *_bring_rows(notes, _amount, _quantity)],
            [_detail_header(), *_detail_rows(notes, _amount, _quantity)],
        ]
    )


def notes_xlsx(notes: list[DeliveryNote], *, distribution) -> bytes:
    return xlsx_bytes(
        [
            (
                _("To bring"),
                _bring_header(),
                list(_bring_rows(notes, _number, _number)),
                {2: QUANTITY_FORMAT, 4: EURO_FORMAT},
            ),
            (
                _("Per member"),
                _detail_header(),
                list(_detail_rows(notes, _number, _number)),
                {4: QUANTITY_FORMAT, 6: EURO_FORMAT},
            ),
        ]
    )
