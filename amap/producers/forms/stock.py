"""The weekly stock grid: one small field trio per (product, cycle) cell,
named `q-<product>-<cycle>`, `u-<product>-<cycle>` and `p-<product>-<cycle>`."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from amap.distribution.models import OrderCycle
from amap.money import format_amount, plain_quantity

from ..models import Product
from ..selectors.catalogue import group_by_category
from ..selectors.stock import cell_name
from ..services.stock import StockCell
from .fields import price_field, quantity_field


@dataclass
class GridCell:
    product: Product
    cycle: OrderCycle
    quantity: forms.BoundField
    unlimited: forms.BoundField
    price: forms.BoundField
    booked: object = None

    @property
    def errors(self):
        return [*self.quantity.errors, *self.price.errors]


class StockGridForm(forms.Form):
    """Built from the grid's products and cycles; `initial` is keyed by cell
    name. Checks the shape of each cell; the rules are in `save_stock_grid`."""

    def __init__(self, *args, products, cycles, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.products = products
        self.cycles = cycles
        self.offers = offers
        for product in products:
            for cycle in cycles:
                where = {"product": product.name, "cycle": cycle.name}
                self.fields[cell_name("q", product.pk, cycle.pk)] = quantity_field(
                    _("Quantity of %(product)s for %(cycle)s") % where
                )
                self.fields[cell_name("u", product.pk, cycle.pk)] = forms.BooleanField(
                    label=_("Unlimited %(product)s for %(cycle)s") % where,
                    required=False,
                )
                price = price_field(_("Price of %(product)s for %(cycle)s") % where)
                price.widget.attrs["placeholder"] = format_amount(
                    product.price, grouping=False
                )
                self.fields[cell_name("p", product.pk, cycle.pk)] = price

    def cells(self) -> list[StockCell]:
        """The cleaned cells, for `save_stock_grid`."""
        data = self.cleaned_data
        return [
            StockCell(
                product_id=product.pk,
                cycle_id=cycle.pk,
                quantity=data.get(cell_name("q", product.pk, cycle.pk)),
                unlimited=bool(data.get(cell_name("u", product.pk, cycle.pk))),
                price=data.get(cell_name("p", product.pk, cycle.pk)),
            )
            for product in self.products
            for cycle in self.cycles
        ]

    def add_cell_errors(self, errors: dict) -> None:
        for name, messages in errors.items():
            self.add_error(name if name in self.fields else None, messages)

    def rows(self):
        """Category groups of rows; each row is (product, [GridCell per cycle])."""
        groups = group_by_category(self.products)
        for group in groups:
            group.rows = [
                (
                    product,
                    [
                        GridCell(
                            product=product,
                            cycle=cycle,
                            quantity=self[cell_name("q", product.pk, cycle.pk)],
                            unlimited=self[cell_name("u", product.pk, cycle.pk)],
                            price=self[cell_name("p", product.pk, cycle.pk)],
                            booked=self._booked(product, cycle),
                        )
                        for cycle in self.cycles
                    ],
                )
                for product in group.products
            ]
        return groups

    def _booked(self, product, cycle):
        offer = self.offers.get((product.pk, cycle.pk))
        if offer is None or not offer.booked:
            return None
        return plain_quantity(offer.booked)
