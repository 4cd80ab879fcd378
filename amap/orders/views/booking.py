"""Pre-booking: choosing a distribution, the booking page, an order, cancelling."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from amap.forms import add_service_errors

from ..forms.booking import BookingForm, field_name
from ..models import Order
from ..permissions import member_orders
from ..selectors.booking import (
    bookable_distributions,
    booking_page,
    member_distributions,
    order_with_lines,
)
from ..services import booking as services


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def distribution_choice(request):
    return render(
        request,
        "orders/booking_distribution_choice.html",
        {"distributions": bookable_distributions(request.user)},
    )


@login_required
def booking(request, pk):
    distribution = get_object_or_404(
        member_distributions(request.user).select_related(
            "cycle__collective", "pickup_point"
        ),
        pk=pk,
    )
    page = booking_page(request.user, distribution)
    refused = {}
    status = 200
    form = BookingForm(
        request.POST if request.method == "POST" and page.is_open else None,
        offers=page.offers,
        quantities=page.quantities,
    )
    if request.method == "POST" and not page.is_open:
        messages.error(
            request,
            _(
                "Ordering for this distribution is closed: your order can no "
                "longer change."
            ),
        )
        status = 400
    elif form.is_bound and form.is_valid():
        try:
            result = services.place_order(
                member=request.user, distribution=distribution, lines=form.lines()
            )
        except ValidationError as error:
            add_service_errors(
                form,
                error,
                lambda key: field_name(key) if isinstance(key, int) else key,
            )
            status = 400
        else:
            if result.ok:
                if result.order and result.order.status == Order.Status.CONFIRMED:
                    messages.success(
                        request,
                        _("Your order is saved; a confirmation email is on its way."),
                    )
                else:
                    messages.success(request, _("Your order is cancelled."))
                return redirect("orders:booking", pk=distribution.pk)
            saved = result.order and result.order.status == Order.Status.CONFIRMED
            if not saved:
                messages.error(request, _("Nothing could be booked: see below."))
            else:
                messages.warning(
                    request,
                    ngettext(
                        "Your order is saved, except for one product: see below.",
                        "Your order is saved, except for %(count)d products: "
                        "see below.",
                        len(result.refused),
                    )
                    % {"count": len(result.refused)},
                )
            refused = result.refused
            page = booking_page(request.user, distribution)
            form = BookingForm(offers=page.offers, quantities=page.quantities)
    elif form.is_bound:
        status = 400
    return render(
        request,
        "orders/booking_form.html",
        {
            "page": page,
            "distribution": distribution,
            "order": page.order,
            "form": form,
            "rows": [
                {
                    "producer": group.producer,
                    "offers": [
                        {
                            "offer": offer,
                            "field": form.bound_field(offer),
                            "quantity": page.quantities.get(offer.pk),
                            "refused": refused.get(offer.pk),
                        }
                        for offer in group.offers
                    ],
                }
                for group in page.groups
            ],
        },
        status=status,
    )


@login_required
def order_detail(request, pk):
    try:
        order = order_with_lines(member_orders(request.user), pk)
    except Order.DoesNotExist as error:
        raise Http404 from error
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "is_open": order.distribution.cycle.is_open
            and not order.distribution.cancelled,
        },
    )


@login_required
@require_POST
def order_cancel(request, pk):
    order = get_object_or_404(member_orders(request.user), pk=pk)
    try:
        services.cancel_order(order, cancelled_by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, _("Your order is cancelled and its products are released.")
        )
    return redirect("orders:order_detail", pk=order.pk)


urlpatterns = [
    path("commandes/", distribution_choice, name="distribution_choice"),
    path("commandes/distribution/<int:pk>/", booking, name="booking"),
    path("commandes/<int:pk>/", order_detail, name="order_detail"),
    path("commandes/<int:pk>/annuler/", order_cancel, name="order_cancel"),
]
