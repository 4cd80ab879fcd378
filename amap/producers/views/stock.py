"""The weekly stock grid: quantities and prices of every product for the next
order cycles, saved in one go."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..forms.stock import StockGridForm
from ..permissions import access_managed_producer
from ..selectors import stock as selectors
from ..services import stock as services


def _column_count(request) -> int:
    try:
        count = int(request.GET.get("cycles", selectors.DEFAULT_COLUMNS))
    except ValueError:
        count = selectors.DEFAULT_COLUMNS
    return max(1, min(count, selectors.MAX_COLUMNS))


def _initial(products, cycles, offers, prefill=None) -> dict:
    initial = {}
    for product in products:
        for cycle in cycles:
            offer = offers.get((product.pk, cycle.pk))
            values = selectors.offer_initial(offer, product) if offer else None
            if prefill is not None and prefill.cycle.pk == cycle.pk:
                values = prefill.values.get(product.pk, values)
            if values:
                initial[selectors.cell_name("q", product.pk, cycle.pk)] = values[
                    "quantity"
                ]
                initial[selectors.cell_name("u", product.pk, cycle.pk)] = values[
                    "unlimited"
                ]
                initial[selectors.cell_name("p", product.pk, cycle.pk)] = values[
                    "price"
                ]
    return initial


def _prefill(request, producer, products, cycles):
    fill = request.GET.get("fill")
    if fill not in selectors.Fill.CHOICES:
        return None
    try:
        cycle_id = int(request.GET.get("cycle", ""))
    except ValueError:
        return None
    cycle = next((c for c in cycles if c.pk == cycle_id), None)
    if cycle is None:
        return None
    return selectors.prefill_column(
        producer=producer, cycle=cycle, fill=fill, products=products
    )


@login_required
@require_http_methods(["GET", "POST"])
def stock_grid(request, slug):
    producer = access_managed_producer(request.user, slug)
    count = _column_count(request)
    products = selectors.grid_products(producer)
    cycles = selectors.grid_cycles(producer, count=count)
    if request.method == "POST":
        # A column that closed since the page was shown stays in the grid,
        # so that its changes are refused on their cells, not dropped.
        missing = selectors.posted_cycle_ids(request.POST) - {c.pk for c in cycles}
        if missing:
            cycles = sorted(
                [*cycles, *selectors.cycles_by_id(producer, missing)],
                key=lambda cycle: (cycle.closes_at, cycle.pk),
            )
    offers = selectors.grid_offers(products, cycles)
    prefill = None
    status = 200
    if request.method == "POST":
        form = StockGridForm(
            request.POST, products=products, cycles=cycles, offers=offers
        )
        if form.is_valid():
            try:
                result = services.save_stock_grid(
                    producer=producer, cells=form.cells(), saved_by=request.user
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    form.add_cell_errors(error.message_dict)
                else:
                    form.add_error(None, error)
            else:
                if result.changed:
                    messages.success(
                        request,
                        _(
                            "The stock has been saved: %(created)s new offers, "
                            "%(updated)s changed, %(removed)s withdrawn."
                        )
                        % {
                            "created": result.created,
                            "updated": result.updated,
                            "removed": result.removed,
                        },
                    )
                else:
                    messages.info(request, _("Nothing has changed in the stock."))
                url = request.path
                if count != selectors.DEFAULT_COLUMNS:
                    url += f"?cycles={count}"
                return redirect(url)
        status = 400
        messages.error(
            request,
            _(
                "Nothing has been saved: correct the cells marked in red, your "
                "other values are kept."
            ),
        )
    else:
        prefill = _prefill(request, producer, products, cycles)
        form = StockGridForm(
            initial=_initial(products, cycles, offers, prefill),
            products=products,
            cycles=cycles,
            offers=offers,
        )
    return render(
        request,
        "producers/stock_grid.html",
        {
            "producer": producer,
            "form": form,
            "groups": form.rows(),
            "cycles": cycles,
            "prefill": prefill,
            "column_count": count,
            "more_columns": min(count + 4, selectors.MAX_COLUMNS),
            "max_columns": selectors.MAX_COLUMNS,
        },
        status=status,
    )


urlpatterns = [
    path("producteur/<slug:slug>/stock/", stock_grid, name="stock_grid"),
]
