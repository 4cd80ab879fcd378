"""The producer's "what was booked": per cycle, totals per product, per
distribution and per member, as a page, a CSV and a printable picking list."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path

from amap.producers.permissions import access_managed_producer

from ..picking import picking_list_csv, picking_list_filename, picking_list_pdf
from ..selectors.producer_bookings import producer_bookings as bookings_for
from ..selectors.producer_bookings import producer_cycles as cycles_for


def _farm_and_cycle(request, slug, cycle_pk):
    """The managed farm and one of its cycles with offers; 404 otherwise."""
    producer = access_managed_producer(request.user, slug)
    cycle = get_object_or_404(cycles_for(producer), pk=cycle_pk)
    return producer, cycle


@login_required
def producer_cycles(request, slug):
    producer = access_managed_producer(request.user, slug)
    return render(
        request,
        "orders/producer_bookings_cycles.html",
        {"producer": producer, "cycles": list(cycles_for(producer)[:200])},
    )


def _csv_response(bookings) -> HttpResponse:
    # A byte-order mark so that spreadsheets open the accents right.
    response = HttpResponse(
        "\ufeff" + picking_list_csv(bookings), content_type="text/csv; charset=utf-8"
    )
    filename = picking_list_filename(bookings, "csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def producer_bookings(request, slug, cycle_pk):
    producer, cycle = _farm_and_cycle(request, slug, cycle_pk)
    bookings = bookings_for(producer, cycle)
    if request.GET.get("format") == "csv":
        return _csv_response(bookings)
    return render(
        request,
        "orders/producer_bookings.html",
        {"producer": producer, "cycle": cycle, "bookings": bookings},
    )


@login_required
def producer_bookings_csv(request, slug, cycle_pk):
    producer, cycle = _farm_and_cycle(request, slug, cycle_pk)
    return _csv_response(bookings_for(producer, cycle))


@login_required
def producer_bookings_pdf(request, slug, cycle_pk):
    producer, cycle = _farm_and_cycle(request, slug, cycle_pk)
    bookings = bookings_for(producer, cycle)
    response = HttpResponse(
        picking_list_pdf(bookings, request=request), content_type="application/pdf"
    )
    filename = picking_list_filename(bookings, "pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


urlpatterns = [
    path(
        "producteur/<slug:slug>/commandes/",
        producer_cycles,
        name="producer_cycles",
    ),
    path(
        "producteur/<slug:slug>/commandes/<int:cycle_pk>/",
        producer_bookings,
        name="producer_bookings",
    ),
    path(
        "producteur/<slug:slug>/commandes/<int:cycle_pk>/export.csv",
        producer_bookings_csv,
        name="producer_bookings_csv",
    ),
    path(
        "producteur/<slug:slug>/commandes/<int:cycle_pk>/liste.pdf",
        producer_bookings_pdf,
        name="producer_bookings_pdf",
    ),
]
