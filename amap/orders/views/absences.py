"""Absences: members announce they will not collect; organisers see it."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amap.distribution.models import Distribution
from amap.distribution.permissions import access_organised_distribution
from amap.members.permissions import member_collectives
from amap.views import CommandView, ServiceFormView

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


class AbsenceCreateView(ServiceFormView):
    template_name = "orders/absence_form.html"
    form_class = AbsenceForm

    def access(self):
        self.distribution = get_object_or_404(
            _coming_distributions(self.request.user).select_related(
                "cycle__collective", "pickup_point"
            ),
            pk=self.kwargs["distribution_pk"],
        )

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "collective": self.distribution.cycle.collective,
            "member": self.request.user,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            distribution=self.distribution,
            can_change=services.can_still_change(self.distribution),
            **kwargs,
        )

    def perform(self, form):
        data = form.cleaned_data
        services.record_absence(
            member=self.request.user,
            distribution=self.distribution,
            fate=data["fate"],
            given_to=data["given_to"],
            note=data["note"],
        )

    def get_success_message(self):
        return _("Your absence on %(date)s has been recorded.") % {
            "date": date_format(self.distribution.date, "DATE_FORMAT")
        }

    def get_success_url(self):
        return reverse("orders:absence_list")


class AbsenceCancelView(CommandView):
    success_message = gettext_lazy("Your absence has been cancelled.")

    def access(self):
        self.absence = get_object_or_404(
            member_absences(self.request.user).filter(cancelled_at__isnull=True),
            pk=self.kwargs["pk"],
        )

    def perform(self):
        services.cancel_absence(self.absence, cancelled_by=self.request.user)

    def get_success_url(self):
        return reverse("orders:absence_list")


@login_required
def distribution_absences(request, pk):
    distribution = access_organised_distribution(request.user, pk)
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
        AbsenceCreateView.as_view(),
        name="absence_create",
    ),
    path(
        "absences/<int:pk>/annuler/",
        AbsenceCancelView.as_view(),
        name="absence_cancel",
    ),
    path(
        "organisation/distributions/<int:pk>/absences/",
        distribution_absences,
        name="distribution_absences",
    ),
]
