"""`|euros` and `|quantity:unit`, built into every template (settings'
TEMPLATES `builtins`), so pages, PDFs and emails format money and
quantities one way."""

from django import template

from amap.money import format_euros, format_quantity

register = template.Library()


@register.filter
def euros(value) -> str:
    """{{ order.total|euros }} → "1 178,78 €"; nothing for None."""
    return format_euros(value)


@register.filter
def quantity(value, unit=None) -> str:
    """{{ line.quantity|quantity:product.unit }} → "0,5 kg", "3 pièces";
    without a unit, the number alone ("2,5")."""
    return format_quantity(value, unit)
