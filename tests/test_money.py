"""Money and quantities: rounding, text for the active language, the
`|euros` and `|quantity:unit` filters."""

import re
from decimal import Decimal as D
from pathlib import Path

from django.conf import settings
from django.template import engines
from django.utils import translation

from amap.money import (
    ZERO,
    format_amount,
    format_euros,
    format_number,
    format_quantity,
    line_amount,
    plain_quantity,
    round_cents,
    unit_name,
)

NBSP = "\xa0"


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_round_cents_rounds_half_up_away_from_zero():
    assert round_cents(D("2.345")) == D("2.35")
    assert round_cents(D("2.344")) == D("2.34")
    assert round_cents(D("-2.345")) == D("-2.35")
    assert round_cents(10) == D("10.00")


def test_line_amount_rounds_once_and_costs_nothing_without_price_or_quantity():
    assert line_amount(D("0.333"), D("3.00")) == D("1.00")
    assert line_amount(D("1.5"), D("2.35")) == D("3.53")
    assert line_amount(3, None) == ZERO
    assert line_amount(None, D("2.00")) == ZERO
    assert line_amount(0, D("2.00")) == ZERO


def test_plain_quantity_drops_trailing_zeros_without_exponent():
    assert plain_quantity(D("20.000")) == D("20")
    assert str(plain_quantity(D("20.000"))) == "20"
    assert str(plain_quantity(D("2.500"))) == "2.5"
    assert plain_quantity(None) is None


def test_euros_in_french():
    with translation.override("fr"):
        assert format_euros(D("1178.78")) == f"1{NBSP}178,78{NBSP}€"
        assert format_euros(D("2239.18")) == f"2{NBSP}239,18{NBSP}€"
        assert format_euros(D("4.5")) == f"4,50{NBSP}€"
        assert format_euros(D("1234567.891")) == f"1{NBSP}234{NBSP}567,89{NBSP}€"


def test_euros_in_english():
    with translation.override("en"):
        assert format_euros(D("1178.78")) == f"1,178.78{NBSP}€"
        assert format_euros(3) == f"3.00{NBSP}€"


def test_euros_negative_zero_and_empty():
    with translation.override("fr"):
        assert format_euros(D("-12.5")) == f"-12,50{NBSP}€"
        assert format_euros(D("-1500")) == f"-1{NBSP}500,00{NBSP}€"
        assert format_euros(D("-0.001")) == f"0,00{NBSP}€"
        assert format_euros(0) == f"0,00{NBSP}€"
        assert format_euros(None) == ""
        assert format_euros("") == ""
        assert format_euros("not a number") == ""


def test_amount_without_grouping_for_spreadsheet_cells():
    with translation.override("fr"):
        assert format_amount(D("2239.18"), grouping=False) == "2239,18"
    with translation.override("en"):
        assert format_amount(D("2239.18"), grouping=False) == "2239.18"


def test_quantities_have_no_trailing_zeros():
    with translation.override("fr"):
        assert format_number(D("0.500")) == "0,5"
        assert format_number(D("3.000")) == "3"
        assert format_number(D("100")) == "100"
        assert format_number(D("2.125")) == "2,125"
        assert format_number(D("1500")) == f"1{NBSP}500"
        assert format_number(D("-2.50")) == "-2,5"
        assert format_number(None) == ""
    with translation.override("en"):
        assert format_number(D("1500.250")) == "1,500.25"
        assert format_number(D("1500"), grouping=False) == "1500"


def test_quantity_with_unit_in_french():
    with translation.override("fr"):
        assert format_quantity(D("0.500"), "kg") == f"0,5{NBSP}kg"
        assert format_quantity(D("12"), "kg") == f"12{NBSP}kg"
        assert format_quantity(1, "piece") == f"1{NBSP}pièce"
        assert format_quantity(3, "piece") == f"3{NBSP}pièces"
        assert format_quantity(D("1.5"), "litre") == f"1,5{NBSP}litre"
        assert format_quantity(D("2.5"), "litre") == f"2,5{NBSP}litres"
        assert format_quantity(2, "bunch") == f"2{NBSP}bottes"
        assert format_quantity(2, "basket") == f"2{NBSP}paniers"
        assert format_quantity(4, "jar") == f"4{NBSP}pots"
        assert format_quantity(1500, "bottle") == f"1{NBSP}500{NBSP}bouteilles"
        assert format_quantity(2, "dozen") == f"2{NBSP}douzaines"


def test_quantity_with_unit_in_english():
    with translation.override("en"):
        assert format_quantity(1, "piece") == f"1{NBSP}piece"
        assert format_quantity(3, "piece") == f"3{NBSP}pieces"
        assert format_quantity(3, "bunch") == f"3{NBSP}bunches"
        assert format_quantity(2, "dozen") == f"2{NBSP}dozen"
        assert format_quantity(D("0.25"), "kg") == f"0.25{NBSP}kg"


def test_quantity_without_unit_or_with_an_unknown_one():
    with translation.override("fr"):
        assert format_quantity(D("2.50")) == "2,5"
        assert format_quantity(D("2"), "sac") == f"2{NBSP}sac"
        assert format_quantity(None, "kg") == ""


def test_unit_name_alone_is_the_singular_label():
    with translation.override("fr"):
        assert unit_name("piece") == "pièce"
        assert unit_name("kg") == "kg"


def test_filters_are_built_into_every_template():
    with translation.override("fr"):
        html = render(
            "{{ total|euros }} · {{ weight|quantity:'kg' }} · {{ n|quantity:unit }}",
            total=D("2239.18"),
            weight=D("0.500"),
            n=D("3.000"),
            unit="piece",
        )
    assert html == f"2{NBSP}239,18{NBSP}€ · 0,5{NBSP}kg · 3{NBSP}pièces"


def test_filters_show_nothing_for_none():
    assert render("[{{ x|euros }}][{{ x|quantity:'kg' }}]", x=None) == "[][]"


def test_filters_in_english():
    with translation.override("en"):
        html = render("{{ a|euros }} {{ q|quantity:'bunch' }}", a=-1500, q=1)
    assert html == f"-1,500.00{NBSP}€ 1{NBSP}bunch"


def templates_matching(pattern: re.Pattern) -> list[str]:
    """The page and email templates in which `pattern` is found."""
    return [
        str(path)
        for path in Path(settings.BASE_DIR, "templates").rglob("*")
        if path.suffix in {".html", ".txt"} and pattern.search(path.read_text())
    ]


def test_no_template_formats_euros_by_hand():
    """Every amount goes through |euros: none is written `|floatformat:2 }} €`."""
    pattern = re.compile(r"floatformat:\"?'?2\"?'? \}\}\s*€")
    assert templates_matching(pattern) == []


def test_no_template_writes_the_euro_sign_after_a_placeholder():
    pattern = re.compile(r"\}\}[ \xa0]?€")
    assert templates_matching(pattern) == []


def test_no_python_writes_the_euro_sign_after_a_placeholder():
    """Python code shows amounts with format_euros: no `{amount} €` nor
    `%(amount)s €` (amap/money.py adds the sign, once)."""
    pattern = re.compile(r"(\}|%\(\w+\)s)[ \xa0]?€")
    offenders = [
        str(path)
        for folder in ("amap", "cms")
        for path in Path(settings.BASE_DIR, folder).rglob("*.py")
        if path.name != "money.py" and pattern.search(path.read_text())
    ]
    assert offenders == []


def test_the_price_limit_is_an_amount_in_the_active_language():
    from amap.producers.forms.catalogue import ProductForm

    for language, message in [
        ("fr", f"Le prix est trop élevé : 100{NBSP}000,00{NBSP}€ au maximum."),
        ("en", f"The price is too high: 100,000.00{NBSP}€ at most."),
    ]:
        with translation.override(language):
            form = ProductForm(data={"price": "1000000"})
            assert not form.is_valid()
            assert form.errors["price"] == [message]
