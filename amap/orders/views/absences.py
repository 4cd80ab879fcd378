"""Absences: members announce they will not collect; organisers see it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amap.distribution.models import Distribution
from amap.forms import add_service_errors
from amap.members.permissions import member_collectives, organised_collectives

from ..forms.absences import AbsenceForm
from ..models import Absence, Contract, Order, Subscription
from ..permissions import member_absences
from ..selectors.contracts import absences_for_distribution, member_baskets
from ..services import absences as services


def _coming_distributions(user):
    return Distribution.objects.filter(
        cycle__collective__in=member_collectives(user),
        cancelled=False,
        date__gte=timezone.localdate(),
    )


@login_required
def absence_list(request):
    """The member's coming distributions where they collect something."""
    user = request.user
    signed_contracts = Contract.objects.filter(
        Q(subscriptions__member=user) | Q(subscriptions__shared_with=user),
        subscriptions__status=Subscription.Status.ACTIVE,
    ).exclude(status__in=[Contract.Status.DRAFT, Contract.Status.CANCELLED])
    distributions = list(
        _coming_distributions(user)
        .filter(
            Q(
                pk__in=Order.objects.confirmed()
                .filter(member=user)
                .values("distribution")
            )
            | Q(pk__in=signed_contracts.values("deliveries"))
            | Q(
                pk__in=Absence.objects.filter(
                    Q(member=user) | Q(given_to=user), cancelled_at__isnull=True
                ).values("distribution")
            )
        )
        .select_related("cycle", "pickup_point")
        .order_by("date", "starts_at")
    )
    baskets = member_baskets(user, distributions)
    orders = {
        o.distribution_id: o
        for o in Order.objects.confirmed().filter(
            member=user, distribution__in=distributions
        )
    }
    absences = {
        a.distribution_id: a
        for a in member_absences(user)
        .filter(distribution__in=distributions, cancelled_at__isnull=True)
        .select_related("given_to")
    }
    now = timezone.now()
    rows = [
        {
            "distribution": d,
            "baskets": baskets.get(d.pk, []),
            "order": orders.get(d.pk),
            "absence": absences.get(d.pk),
            "can_change": services.can_still_change(d, now),
        }
        for d in distributions
        if d.pk in baskets or d.pk in orders or d.pk in absences
    ]
    return render(request, "orders/absence_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def absence_create(request, distribution_pk):
    user = request.user
    distribution = get_object_or_404(
        _coming_distributions(user).select_related("cycle__collective", "pickup_point"),
        pk=distribution_pk,
    )
    collective = distribution.cycle.collective
    can_change = services.can_still_change(distribution)
    form = AbsenceForm(
        request.POST if request.method == "POST" else None,
        collective=collective,
        member=user,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_absence(
                member=user,
                distribution=distribution,
                fate=data["fate"],
                given_to=data["given_to"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your absence on %(date)s has been recorded.")
                % {"date": date_format(distribution.date, "DATE_FORMAT")},
            )
            return redirect("orders:absence_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "orders/absence_form.html",
        {"distribution": distribution, "form": form, "can_change": can_change},
        status=status,
    )


@login_required
@require_POST
def absence_cancel(request, pk):
    absence = get_object_or_404(
        member_absences(request.user).filter(cancelled_at__isnull=True), pk=pk
    )
    try:
        services.cancel_absence(absence, cancelled_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your absence has been cancelled."))
    return redirect("orders:absence_list")


@login_required
def distribution_absences(request, pk):
    distribution = get_object_or_404(
        Distribution.objects.filter(
            cycle__collective__in=organised_collectives(request.user)
        ).select_related("cycle__collective", "pickup_point"),
        pk=pk,
    )
    return render(
        request,
        "orders/absence_distribution.html",
        {
            "distribution": distribution,
            "absences": absences_for_distribution(distribution),
        },
    )


urlpatterns = [
    path("absences/", absence_list, name="absence_list"),
    path(
        "absences/distributions/<int:distribution_pk>/",
        absence_create,
        name="absence_create",
    ),
    path("absences/<int:pk>/annuler/", absence_cancel, name="absence_cancel"),
    path(
        "organisation/distributions/<int:pk>/absences/",
        distribution_absences,
        name="distribution_absences",
    ),
]
