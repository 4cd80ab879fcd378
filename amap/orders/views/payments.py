"""Payments: organisers record money received; members see what they owe."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from amap.views import (
    CommandView,
    ServiceFormView,
    access_organised_collective,
    safe_next,
)

from ..forms.payments import BulkPaymentForm, OrderPaymentForm, PaymentFilterForm
from ..models import Contract, Instalment, Order
from ..selectors.balances import (
    collective_instalments,
    collective_orders,
    filter_payment_rows,
    member_balances,
)
from ..selectors.history import instalment_history, order_history
from ..services import payments as services


def _list_url(request, collective) -> str:
    """Back to the list with the filters the organiser had."""
    url = reverse("orders:payment_list", args=[collective.slug])
    query = QueryDict(request.POST.get("next_query", "")).urlencode()
    return f"{url}?{query}" if query else url


class PaymentListView(ServiceFormView):
    """What is due and paid in a collective; ticking rows marks them paid."""

    template_name = "orders/payment_list.html"
    form_class = BulkPaymentForm
    form_context_name = "bulk_form"

    def access(self):
        self.collective = access_organised_collective(
            self.request.user, self.kwargs["slug"]
        )

    def get_context_data(self, **kwargs):
        request = self.request
        contracts = list(
            Contract.objects.for_collective(self.collective)
            .exclude(status=Contract.Status.CANCELLED)
            .order_by("name")
        )
        filter_form = PaymentFilterForm(request.GET or None, contracts=contracts)
        instalments, orders = filter_payment_rows(
            collective_instalments(self.collective),
            collective_orders(self.collective),
            **filter_form.filters(),
        )
        instalments, orders = list(instalments), list(orders)
        return super().get_context_data(
            collective=self.collective,
            filter_form=filter_form,
            instalments=instalments,
            orders=orders,
            selected_instalments=set(request.POST.getlist("instalment")),
            selected_orders=set(request.POST.getlist("order")),
            query_string=request.GET.urlencode(),
            instalments_due=sum(i.amount for i in instalments if not i.is_paid),
            orders_due=sum(max(o.due, 0) for o in orders),
            **kwargs,
        )

    def service_error_field(self, key):
        return None

    def perform(self, form):
        data = form.cleaned_data
        instalments = list(
            Instalment.objects.filter(
                subscription__contract__collective=self.collective,
                pk__in=data["instalment_ids"],
            )
        )
        orders = list(
            Order.objects.filter(
                distribution__cycle__collective=self.collective,
                pk__in=data["order_ids"],
            )
        )
        if len(instalments) != len(data["instalment_ids"]) or len(orders) != len(
            data["order_ids"]
        ):
            raise ValidationError(_("The list has changed: reload the page."))
        return services.mark_paid(
            instalments=instalments,
            orders=orders,
            method=data["method"],
            instalment_references=data["instalment_references"],
            order_references=data["order_references"],
            received_by=self.request.user,
        )

    def get_success_message(self):
        return ngettext(
            "%(count)d payment marked as received.",
            "%(count)d payments marked as received.",
            self.result,
        ) % {"count": self.result}

    def get_success_url(self):
        return _list_url(self.request, self.collective)


class InstalmentPaymentCancelView(CommandView):
    success_message = gettext_lazy(
        "The payment is undone: this instalment is due again."
    )

    def access(self):
        self.collective = access_organised_collective(
            self.request.user, self.kwargs["slug"]
        )
        self.instalment = get_object_or_404(
            Instalment.objects.filter(
                subscription__contract__collective=self.collective
            ),
            pk=self.kwargs["pk"],
        )

    def perform(self):
        services.cancel_instalment_payment(
            instalment=self.instalment, cancelled_by=self.request.user
        )

    def get_success_url(self):
        return _list_url(self.request, self.collective)


class OrderPaymentCreateView(ServiceFormView):
    template_name = "orders/payment_order.html"
    form_class = OrderPaymentForm
    success_message = gettext_lazy("The payment is recorded.")

    def access(self):
        self.collective = access_organised_collective(
            self.request.user, self.kwargs["slug"]
        )
        self.order = get_object_or_404(
            collective_orders(self.collective, cancelled=True).prefetch_related(
                "payments"
            ),
            pk=self.kwargs["pk"],
        )
        # Read before the payment is recorded, so that its answer cannot fail.
        self.next_url = safe_next(
            self.request, reverse("orders:payment_list", args=[self.collective.slug])
        )

    def get_initial(self):
        return {"amount": max(self.order.due, 0)}

    def get_context_data(self, **kwargs):
        request = self.request
        return super().get_context_data(
            collective=self.collective,
            order=self.order,
            history=order_history(self.order),
            next=request.GET.get("next", request.POST.get("next", "")),
            **kwargs,
        )

    def perform(self, form):
        services.record_order_payment(
            order=self.order, received_by=self.request.user, **form.received()
        )

    def get_success_url(self):
        return self.next_url


@login_required
def instalment_history_page(request, slug, pk):
    """An instalment and what happened to it: paid, undone, by whom, when."""
    collective = access_organised_collective(request.user, slug)
    instalment = get_object_or_404(
        Instalment.objects.filter(
            subscription__contract__collective=collective
        ).select_related(
            "subscription__member", "subscription__contract", "subscription__option"
        ),
        pk=pk,
    )
    return render(
        request,
        "orders/instalment_history.html",
        {
            "collective": collective,
            "instalment": instalment,
            "history": instalment_history(instalment),
        },
    )


@login_required
def my_payments(request):
    balances = member_balances(request.user)
    return render(
        request,
        "orders/payment_mine.html",
        {"balances": balances, "total_due": sum(b.due for b in balances)},
    )


urlpatterns = [
    path(
        "organisation/<slug:slug>/paiements/",
        PaymentListView.as_view(),
        name="payment_list",
    ),
    path(
        "organisation/<slug:slug>/paiements/echeances/<int:pk>/annuler/",
        InstalmentPaymentCancelView.as_view(),
        name="instalment_payment_cancel",
    ),
    path(
        "organisation/<slug:slug>/paiements/commandes/<int:pk>/",
        OrderPaymentCreateView.as_view(),
        name="order_payment_create",
    ),
    path(
        "organisation/<slug:slug>/paiements/echeances/<int:pk>/",
        instalment_history_page,
        name="instalment_history",
    ),
    path("paiements/", my_payments, name="my_payments"),
]
