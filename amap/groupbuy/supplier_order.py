"""The order sent to the supplier once a campaign is allocated, as PDF and CSV."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from amap.money import format_amount, unit_name
from amap.orders.spreadsheets import csv_bytes
from amap.pdf import render_pdf

from .selectors.campaigns import SupplierOrder


def _money(value) -> str:
    """An amount cell a spreadsheet reads as a number: no thousands separator."""
    return format_amount(value, grouping=False)


def _distribution_text(distribution) -> str:
    if distribution is None:
        return ""
    day = formats.date_format(distribution.date, "DATE_FORMAT")
    hours = f"{distribution.starts_at:%H:%M}–{distribution.ends_at:%H:%M}"
    return f"{day} — {distribution.pickup_point} ({hours})"


def supplier_order_csv(order: SupplierOrder) -> bytes:
    campaign = order.campaign
    header = [
        [_("Group purchase"), campaign.title],
        [_("Supplier"), campaign.supplier_display],
        [_("Contact"), campaign.supplier_contact],
        [_("Delivery"), _distribution_text(campaign.distribution)],
    ]
    rows = [
        [
            _("Product"),
            _("Unit"),
            _("Units per case"),
            _("Cases"),
            _("Units"),
            _("Price per unit (€)"),
            _("Amount (€)"),
        ]
    ]
    for line in order.lines:
        rows.append(
            [
                line.name,
                unit_name(line.unit),
                line.case_size,
                line.cases,
                line.units,
                _money(line.unit_price),
                _money(line.amount),
            ]
        )
    rows.append([_("Total"), "", "", order.cases, "", "", _money(order.total)])
    return csv_bytes([header, rows])


def supplier_order_pdf(order: SupplierOrder, request=None) -> bytes:
    return render_pdf(
        "pdf/groupbuy/supplier_order.html",
        {
            "order": order,
            "campaign": order.campaign,
            "generated_at": timezone.now(),
        },
        request=request,
    )


def filename(order: SupplierOrder, extension: str) -> str:
    from django.utils.text import slugify

    name = slugify(order.campaign.title) or order.campaign.pk
    return f"bon-de-commande-{name}.{extension}"
