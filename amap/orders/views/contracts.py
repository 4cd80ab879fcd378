"""Season contracts: organisers set them up, members sign them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amap.forms import add_service_errors
from amap.members.permissions import member_collectives, organised_collectives

from ..forms.contracts import ContractForm, ContractOptionFormSet, SubscribeForm
from ..models import Contract, ContractOption, Instalment, Subscription
from ..permissions import member_subscriptions, organised_subscriptions
from ..services import contracts as services


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


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


def _organised_collective(request, slug):
    return get_object_or_404(organised_collectives(request.user), slug=slug)


@login_required
def contract_list(request, slug):
    collective = _organised_collective(request, slug)
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


@login_required
@require_http_methods(["GET", "POST"])
def contract_form(request, slug, pk=None):
    collective = _organised_collective(request, slug)
    if pk is None:
        contract = Contract(collective=collective)
    else:
        contract = get_object_or_404(Contract.objects.for_collective(collective), pk=pk)
    data = request.POST if request.method == "POST" else None
    form = ContractForm(data, instance=contract, collective=collective)
    formset = ContractOptionFormSet(
        data,
        instance=contract,
        prefix="options",
        form_kwargs={"collective": collective},
        queryset=ContractOption.objects.filter(contract=contract)
        if contract.pk
        else ContractOption.objects.none(),
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        options, removed = [], []
        for option_form in formset.forms:
            if not option_form.has_changed() and not option_form.instance.pk:
                continue
            if formset.can_delete and formset._should_delete_form(option_form):
                if option_form.instance.pk:
                    removed.append(option_form.instance)
                continue
            options.append(option_form.instance)
        try:
            contract = services.save_contract(
                contract=form.instance,
                deliveries=list(form.cleaned_data["deliveries"]),
                options=options,
                removed_options=removed,
                saved_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The contract “%(name)s” has been saved.") % {"name": contract},
            )
            return redirect(
                "orders:contract_detail", slug=collective.slug, pk=contract.pk
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "orders/contract_form.html",
        {
            "collective": collective,
            "contract": contract if contract.pk else None,
            "form": form,
            "formset": formset,
        },
        status=status,
    )


@login_required
def contract_detail(request, slug, pk):
    collective = _organised_collective(request, slug)
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


@login_required
@require_http_methods(["GET", "POST"])
def contract_subscribe(request, pk):
    contract = get_object_or_404(
        _signable_contracts(request.user).select_related("producer", "collective"),
        pk=pk,
    )
    options = list(contract.options.order_by("price_per_delivery", "name"))
    for option in options:
        option.season_total = services.subscription_total(
            option, 1, contract.delivery_count
        )
    form = SubscribeForm(
        request.POST if request.method == "POST" else None,
        contract=contract,
        member=request.user,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscription = services.subscribe(
                contract=contract,
                member=request.user,
                option=data["option"],
                quantity=data["quantity"],
                instalments=data["instalments"],
                sharing=data["sharing"] or "",
                shared_with=data["shared_with"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "You have signed “%(contract)s”. A confirmation has been sent "
                    "by email."
                )
                % {"contract": contract.name},
            )
            return redirect("orders:subscription_detail", pk=subscription.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "orders/contract_subscribe.html",
        {"contract": contract, "options": options, "form": form},
        status=status,
    )


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


@login_required
@require_POST
def subscription_cancel(request, pk):
    user = request.user
    subscription = get_object_or_404(
        Subscription.objects.filter(
            Q(pk__in=member_subscriptions(user))
            | Q(pk__in=organised_subscriptions(user))
        ).select_related("contract__collective"),
        pk=pk,
    )
    try:
        services.cancel_subscription(subscription, cancelled_by=user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(
            request,
            _error_text(error) if isinstance(error, ValidationError) else str(error),
        )
    else:
        messages.success(request, _("The subscription has been cancelled."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = (
            reverse("orders:subscription_detail", args=[subscription.pk])
            if subscription.member_id == user.pk
            else reverse(
                "orders:contract_detail",
                args=[subscription.contract.collective.slug, subscription.contract_id],
            )
        )
    return redirect(next_url)


urlpatterns = [
    path("organisation/<slug:slug>/contrats/", contract_list, name="contract_list"),
    path(
        "organisation/<slug:slug>/contrats/nouveau/",
        contract_form,
        name="contract_create",
    ),
    path(
        "organisation/<slug:slug>/contrats/<int:pk>/",
        contract_detail,
        name="contract_detail",
    ),
    path(
        "organisation/<slug:slug>/contrats/<int:pk>/modifier/",
        contract_form,
        name="contract_edit",
    ),
    path("contrats/", contract_signup_list, name="contract_signup_list"),
    path("contrats/<int:pk>/adherer/", contract_subscribe, name="contract_subscribe"),
    path(
        "contrats/adhesions/<int:pk>/",
        subscription_detail,
        name="subscription_detail",
    ),
    path(
        "contrats/adhesions/<int:pk>/annuler/",
        subscription_cancel,
        name="subscription_cancel",
    ),
]
