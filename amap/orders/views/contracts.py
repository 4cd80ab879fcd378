"""Season contracts: organisers set them up, members sign them."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amap.members.permissions import member_collectives
from amap.views import CommandView, ServiceFormView, access_organised_collective

from ..forms.contracts import ContractForm, ContractOptionFormSet, SubscribeForm
from ..models import Contract, ContractOption, Instalment, Subscription
from ..permissions import member_subscriptions, organised_subscriptions
from ..services import contracts as services


def _with_counts(contracts):
    return contracts.annotate(
        subscriber_count=Count(
            "subscriptions",
            filter=Q(subscriptions__status=Subscription.Status.ACTIVE),
            distinct=True,
        ),
        # Deliveries are counted in days, as subscription totals are.
        delivery_count=Count(
            "deliveries__date", filter=Q(deliveries__cancelled=False), distinct=True
        ),
    )


# Organisers ------------------------------------------------------------------


@login_required
def contract_list(request, slug):
    collective = access_organised_collective(request.user, slug)
    contracts = list(
        _with_counts(Contract.objects.for_collective(collective))
        .select_related("producer")
        .order_by("-signup_deadline", "name")
    )
    return render(
        request,
        "orders/contract_list.html",
        {"collective": collective, "contracts": contracts},
    )


class ContractFormView(ServiceFormView):
    """A new contract (no `pk`) or an existing one, with its options."""

    template_name = "orders/contract_form.html"
    form_class = ContractForm

    def access(self):
        self.collective = access_organised_collective(
            self.request.user, self.kwargs["slug"]
        )
        if "pk" in self.kwargs:
            self.contract = get_object_or_404(
                Contract.objects.for_collective(self.collective), pk=self.kwargs["pk"]
            )
        else:
            self.contract = Contract(collective=self.collective)
        contract = self.contract
        self.formset = ContractOptionFormSet(
            self.request.POST if self.request.method == "POST" else None,
            instance=contract,
            prefix="options",
            form_kwargs={"collective": self.collective},
            queryset=ContractOption.objects.filter(contract=contract)
            if contract.pk
            else ContractOption.objects.none(),
        )

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": self.contract,
            "collective": self.collective,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            collective=self.collective,
            contract=self.contract if self.contract.pk else None,
            formset=self.formset,
            **kwargs,
        )

    def form_valid(self, form):
        if not self.formset.is_valid():
            return self.form_invalid(form)
        return super().form_valid(form)

    def perform(self, form):
        formset = self.formset
        options, removed = [], []
        for option_form in formset.forms:
            if not option_form.has_changed() and not option_form.instance.pk:
                continue
            if formset.can_delete and formset._should_delete_form(option_form):
                if option_form.instance.pk:
                    removed.append(option_form.instance)
                continue
            options.append(option_form.instance)
        return services.save_contract(
            contract=form.instance,
            deliveries=list(form.cleaned_data["deliveries"]),
            options=options,
            removed_options=removed,
            saved_by=self.request.user,
        )

    def get_success_message(self):
        return _("The contract “%(name)s” has been saved.") % {"name": self.result}

    def get_success_url(self):
        return reverse(
            "orders:contract_detail", args=[self.collective.slug, self.result.pk]
        )


@login_required
def contract_detail(request, slug, pk):
    collective = access_organised_collective(request.user, slug)
    contract = get_object_or_404(
        _with_counts(Contract.objects.for_collective(collective)).select_related(
            "producer"
        ),
        pk=pk,
    )
    subscriptions = list(
        contract.subscriptions.select_related("member", "option", "shared_with")
        .prefetch_related(
            Prefetch("schedule", queryset=Instalment.objects.order_by("number"))
        )
        .order_by("status", "member__last_name", "member__first_name", "pk")
    )
    return render(
        request,
        "orders/contract_detail.html",
        {
            "collective": collective,
            "contract": contract,
            "options": list(contract.options.select_related("product")),
            "deliveries": list(
                contract.deliveries.select_related("pickup_point").order_by(
                    "date", "starts_at"
                )
            ),
            "active": [
                s for s in subscriptions if s.status == Subscription.Status.ACTIVE
            ],
            "cancelled": [
                s for s in subscriptions if s.status == Subscription.Status.CANCELLED
            ],
        },
    )


# Members ---------------------------------------------------------------------


def _signable_contracts(user):
    return _with_counts(
        Contract.objects.open_for_signup().filter(
            collective__in=member_collectives(user)
        )
    )


@login_required
def contract_signup_list(request):
    contracts = list(
        _signable_contracts(request.user)
        .select_related("producer", "collective")
        .prefetch_related(
            Prefetch(
                "options",
                queryset=ContractOption.objects.order_by("price_per_delivery", "name"),
            )
        )
        .order_by("signup_deadline", "name")
    )
    subscriptions = list(
        member_subscriptions(request.user)
        .active()
        .select_related("contract__producer", "option", "shared_with")
        .order_by("contract__name")
    )
    signed = {s.contract_id for s in subscriptions}
    for contract in contracts:
        contract.signed = contract.pk in signed
        for option in contract.options.all():
            option.season_total = services.subscription_total(
                option, 1, contract.delivery_count
            )
    return render(
        request,
        "orders/contract_signup_list.html",
        {"contracts": contracts, "subscriptions": subscriptions},
    )


class ContractSubscribeView(ServiceFormView):
    template_name = "orders/contract_subscribe.html"
    form_class = SubscribeForm

    def access(self):
        self.contract = get_object_or_404(
            _signable_contracts(self.request.user).select_related(
                "producer", "collective"
            ),
            pk=self.kwargs["pk"],
        )

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "contract": self.contract,
            "member": self.request.user,
        }

    def get_context_data(self, **kwargs):
        options = list(self.contract.options.order_by("price_per_delivery", "name"))
        for option in options:
            option.season_total = services.subscription_total(
                option, 1, self.contract.delivery_count
            )
        return super().get_context_data(
            contract=self.contract, options=options, **kwargs
        )

    def perform(self, form):
        data = form.cleaned_data
        return services.subscribe(
            contract=self.contract,
            member=self.request.user,
            option=data["option"],
            quantity=data["quantity"],
            instalments=data["instalments"],
            sharing=data["sharing"] or "",
            shared_with=data["shared_with"],
        )

    def get_success_message(self):
        return _(
            "You have signed “%(contract)s”. A confirmation has been sent by email."
        ) % {"contract": self.contract.name}

    def get_success_url(self):
        return reverse("orders:subscription_detail", args=[self.result.pk])


@login_required
def subscription_detail(request, pk):
    subscription = get_object_or_404(
        member_subscriptions(request.user).select_related(
            "contract__producer", "contract__collective", "option", "shared_with"
        ),
        pk=pk,
    )
    return render(
        request,
        "orders/subscription_detail.html",
        {
            "subscription": subscription,
            "schedule": list(subscription.schedule.order_by("number")),
            "deliveries": list(
                subscription.contract.deliveries.filter(cancelled=False)
                .select_related("pickup_point")
                .order_by("date", "starts_at")
            ),
        },
    )


class SubscriptionCancelView(CommandView):
    """A member cancels their subscription, or an organiser cancels one."""

    refusals = (ValidationError, PermissionDenied)
    success_message = gettext_lazy("The subscription has been cancelled.")

    def access(self):
        user = self.request.user
        self.subscription = get_object_or_404(
            Subscription.objects.filter(
                Q(pk__in=member_subscriptions(user))
                | Q(pk__in=organised_subscriptions(user))
            ).select_related("contract__collective"),
            pk=self.kwargs["pk"],
        )

    def perform(self):
        services.cancel_subscription(self.subscription, cancelled_by=self.request.user)

    def get_success_url(self):
        subscription = self.subscription
        if subscription.member_id == self.request.user.pk:
            return reverse("orders:subscription_detail", args=[subscription.pk])
        return reverse(
            "orders:contract_detail",
            args=[subscription.contract.collective.slug, subscription.contract_id],
        )


urlpatterns = [
    path("organisation/<slug:slug>/contrats/", contract_list, name="contract_list"),
    path(
        "organisation/<slug:slug>/contrats/nouveau/",
        ContractFormView.as_view(),
        name="contract_create",
    ),
    path(
        "organisation/<slug:slug>/contrats/<int:pk>/",
        contract_detail,
        name="contract_detail",
    ),
    path(
        "organisation/<slug:slug>/contrats/<int:pk>/modifier/",
        ContractFormView.as_view(),
        name="contract_edit",
    ),
    path("contrats/", contract_signup_list, name="contract_signup_list"),
    path(
        "contrats/<int:pk>/adherer/",
        ContractSubscribeView.as_view(),
        name="contract_subscribe",
    ),
    path(
        "contrats/adhesions/<int:pk>/",
        subscription_detail,
        name="subscription_detail",
    ),
    path(
        "contrats/adhesions/<int:pk>/annuler/",
        SubscriptionCancelView.as_view(),
        name="subscription_cancel",
    ),
]
