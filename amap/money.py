"""Money and quantities: the Decimal constants, the one rounding to the cent,
quantities without trailing zeros, and their text for the active language.

Pure functions on plain values, below every app: templates reach them through
the `|euros` and `|quantity:unit` filters (`amap.templatetags.money`), Python
code (messages, CSV cells, PDFs) calls them directly. Spreadsheet cells that
are numbers stay numbers; only text goes through `format_euros` and
`format_quantity`.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import cast

from django.utils.formats import number_format
from django.utils.translation import npgettext

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# Quantities are stored with three decimals: a gram of a product sold by kg.
QUANTITY_STEP = Decimal("0.001")

# A non-breaking space keeps a number and its unit or currency on one line.
NBSP = "\xa0"


def round_cents(amount) -> Decimal:
    """`amount` rounded half up to the cent: 2.345 → 2.35, -2.345 → -2.35.
    The one rounding of money, done once, at the line."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(quantity, unit_price) -> Decimal:
    """What `quantity` at `unit_price` costs, rounded to the cent; nothing
    for no quantity (0 or None) or while the price is not known (None)."""
    if not quantity or unit_price is None:
        return ZERO
    return round_cents(Decimal(quantity) * Decimal(unit_price))


def is_whole_cents(amount: Decimal) -> bool:
    """Whether `amount` has at most two decimals."""
    return amount == amount.quantize(CENT)


def has_quantity_places(quantity: Decimal) -> bool:
    """Whether `quantity` has at most three decimals."""
    return quantity == quantity.quantize(QUANTITY_STEP)


def plain_quantity(quantity) -> Decimal | None:
    """`quantity` without trailing zeros, as a person would type it:
    20.000 → 20, 2.500 → 2.5 (never 2E+1). None stays None."""
    if quantity is None or quantity == "":
        return None
    quantity = Decimal(quantity)
    if quantity == quantity.to_integral_value():
        return quantity.quantize(Decimal(1))
    return quantity.normalize()


def finite_decimal(value) -> Decimal | None:
    """`value` as a finite Decimal, or None for None, "", a boolean, NaN, an
    infinity and what is not a number. A filter shows nothing for None rather
    than failing a page; a service refuses it with "Enter a number." (a
    `Decimal("NaN")` would raise `InvalidOperation` at the first comparison,
    and `True` would pass for 1)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def format_amount(amount, *, grouping: bool = True) -> str:
    """`amount` with two decimals and the active language's separators, no
    currency sign: "1 178,78" in French, "1,178.78" in English; "" for None.
    `grouping=False` leaves out the thousands separator, for CSV cells a
    spreadsheet must read as numbers."""
    number = finite_decimal(amount)
    if number is None:
        return ""
    number = round_cents(number)
    if number == 0:
        number = abs(number)  # never "-0,00"
    return number_format(number, decimal_pos=2, use_l10n=True, force_grouping=grouping)


def format_euros(amount) -> str:
    """`amount` in euros for the active language: "1 178,78 €" in French,
    "1,178.78 €" in English, always two decimals, a non-breaking space before
    the sign; "" for None."""
    text = format_amount(amount)
    return f"{text}{NBSP}€" if text else ""


def format_number(quantity, *, grouping: bool = True) -> str:
    """`quantity` without trailing zeros, with the active language's
    separators: "1 500", "0,5", "2,125"; "" for None. `grouping=False` as
    for `format_amount`."""
    number = finite_decimal(quantity)
    if number is None:
        return ""
    number = cast(
        Decimal, plain_quantity(number.quantize(QUANTITY_STEP, rounding=ROUND_HALF_UP))
    )
    if number == 0:
        number = abs(number)
    places = max(0, -int(number.as_tuple().exponent))
    return number_format(
        number, decimal_pos=places, use_l10n=True, force_grouping=grouping
    )


def _plural_count(quantity: Decimal) -> int:
    """The whole number gettext chooses a plural form with: 1,5 pièce and
    2,5 pièces in French, whose singular runs up to 2."""
    return int(abs(quantity))


def unit_name(unit: str, quantity=1) -> str:
    """The name of a product unit (a `Product.Unit` value) for `quantity`:
    "pièce" for 1, "pièces" for 3; "kg" never changes. Without a quantity,
    the singular, as a spreadsheet's "Unit" column shows it. A unit it does
    not know is returned as given."""
    count = _plural_count(finite_decimal(quantity) or ZERO)
    names = {
        "kg": lambda n: npgettext("unit", "kg", "kg", n),
        "piece": lambda n: npgettext("unit", "piece", "pieces", n),
        "bunch": lambda n: npgettext("unit", "bunch", "bunches", n),
        "litre": lambda n: npgettext("unit", "litre", "litres", n),
        "dozen": lambda n: npgettext("unit", "dozen", "dozen", n),
        "basket": lambda n: npgettext("unit", "basket", "baskets", n),
        "jar": lambda n: npgettext("unit", "jar", "jars", n),
        "bottle": lambda n: npgettext("unit", "bottle", "bottles", n),
    }
    name = names.get(str(unit))
    return name(count) if name else str(unit)


def format_quantity(quantity, unit: str | None = None) -> str:
    """`quantity` without trailing zeros, then its unit in the right number:
    "0,5 kg", "1 500 kg", "3 pièces", "1 botte"; without a unit, the number
    alone. "" for None."""
    text = format_number(quantity)
    if not text or not unit:
        return text
    return f"{text}{NBSP}{unit_name(unit, finite_decimal(quantity))}"
