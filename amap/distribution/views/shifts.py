"""Volunteer shifts: members sign up, organisers plan and watch coverage."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amap.views import CommandView, ServiceFormView, access_organised_collective

from ..forms.shifts import CoverageWeeksForm, ShiftAssignForm, ShiftForm
from ..models import Distribution, ShiftAssignment
from ..permissions import (
    access_organised_distribution,
    member_shifts,
    organised_shifts,
)
from ..selectors import shifts as selectors
from ..services import shifts as services

DEFAULT_WEEKS = 8


# Members --------------------------------------------------------------------


@login_required
def shift_list(request):
    distributions, my_shifts = selectors.member_upcoming_shifts(request.user)
    return render(
        request,
        "distribution/shift_list.html",
        {
            "distributions": distributions,
            "my_shifts": my_shifts,
            "weeks": selectors.SHIFT_LIST_WEEKS,
        },
    )


class ShiftSignUpView(CommandView):
    refusals = (ValidationError, PermissionDenied)

    def access(self):
        self.shift = get_object_or_404(
            member_shifts(self.request.user), pk=self.kwargs["pk"]
        )

    def perform(self):
        services.sign_up_for_shift(shift=self.shift, user=self.request.user)

    def get_success_message(self, result):
        return _("Thank you! You are signed up for “%(role)s”.") % {
            "role": self.shift.role
        }

    def get_success_url(self):
        return reverse("distribution:shift_list")


class ShiftWithdrawView(ShiftSignUpView):
    def perform(self):
        services.withdraw_from_shift(shift=self.shift, user=self.request.user)

    def get_success_message(self, result):
        return _("You are no longer signed up for “%(role)s”.") % {
            "role": self.shift.role
        }


# Organisers: coverage ---------------------------------------------------------


def _weeks(form: CoverageWeeksForm) -> int:
    if form.is_valid() and form.cleaned_data["weeks"]:
        return form.cleaned_data["weeks"]
    return DEFAULT_WEEKS


def _coverage_url(collective, weeks: int) -> str:
    url = reverse("distribution:shift_coverage", args=[collective.slug])
    return url if weeks == DEFAULT_WEEKS else f"{url}?weeks={weeks}"


@login_required
def shift_coverage(request, slug):
    collective = access_organised_collective(request.user, slug)
    form = CoverageWeeksForm(request.GET or None)
    weeks = _weeks(form)
    distributions = selectors.shift_coverage(collective, weeks=weeks)
    return render(
        request,
        "distribution/shift_coverage.html",
        {
            "collective": collective,
            "form": form,
            "weeks": weeks,
            "distributions": distributions,
            "without_shifts": sum(d.coverage == "no_shifts" for d in distributions),
            "lacking": sum(d.coverage == "missing" for d in distributions),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


class ShiftAddStandardView(CommandView):
    def access(self):
        self.collective = access_organised_collective(
            self.request.user, self.kwargs["slug"]
        )
        self.weeks = _weeks(CoverageWeeksForm(self.request.POST))

    def perform(self):
        today = timezone.localdate()
        distributions = (
            Distribution.objects.for_collective(self.collective)
            .active()
            .between(today, today + datetime.timedelta(weeks=self.weeks))
            .filter(shifts__isnull=True)
        )
        return services.add_standard_shifts(
            distributions=distributions, added_by=self.request.user
        )

    def done(self, count):
        if not count:
            messages.info(self.request, _("Every distribution already has shifts."))
        else:
            super().done(count)

    def get_success_message(self, count):
        return ngettext(
            "The standard shifts have been added to %(count)d distribution.",
            "The standard shifts have been added to %(count)d distributions.",
            count,
        ) % {"count": count}

    def get_success_url(self):
        return _coverage_url(self.collective, self.weeks)


# Organisers: the shifts of one distribution -------------------------------------


class DistributionShiftsView(ServiceFormView):
    template_name = "distribution/shift_distribution.html"
    form_class = ShiftForm

    def access(self):
        self.distribution = access_organised_distribution(
            self.request.user, self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        collective = self.distribution.cycle.collective
        members = list(ShiftAssignForm(collective=collective).fields["user"].queryset)
        return super().get_context_data(
            distribution=self.distribution,
            collective=collective,
            shifts=selectors.distribution_shift_rows(self.distribution),
            members=members,
            **kwargs,
        )

    def perform(self, form):
        return services.add_shift(
            distribution=self.distribution,
            added_by=self.request.user,
            **form.cleaned_data,
        )

    def get_success_message(self):
        return _("The shift “%(role)s” has been added.") % {"role": self.result.role}

    def get_success_url(self):
        return reverse("distribution:distribution_shifts", args=[self.distribution.pk])


class ShiftEditView(ServiceFormView):
    """An organiser changes a shift's role, times or places needed."""

    template_name = "distribution/shift_form.html"
    form_class = ShiftForm

    def access(self):
        self.shift = get_object_or_404(
            organised_shifts(self.request.user).select_related(
                "distribution__cycle__collective", "distribution__pickup_point"
            ),
            pk=self.kwargs["pk"],
        )

    def get_initial(self):
        return {
            "role": self.shift.role,
            "starts_at": self.shift.starts_at,
            "ends_at": self.shift.ends_at,
            "people_needed": self.shift.people_needed,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            shift=self.shift,
            distribution=self.shift.distribution,
            collective=self.shift.distribution.cycle.collective,
            **kwargs,
        )

    def perform(self, form):
        return services.update_shift(
            self.shift, updated_by=self.request.user, **form.cleaned_data
        )

    def get_success_message(self):
        return _("The shift “%(role)s” has been changed.") % {"role": self.result.role}

    def get_success_url(self):
        return reverse(
            "distribution:distribution_shifts", args=[self.shift.distribution_id]
        )


class _ShiftCommandView(CommandView):
    """An organiser's change to one shift; back to its distribution's shifts."""

    refusals = (ValidationError, PermissionDenied)

    def access(self):
        self.shift = get_object_or_404(
            organised_shifts(self.request.user).select_related("distribution__cycle"),
            pk=self.kwargs["pk"],
        )

    def get_success_url(self):
        return reverse(
            "distribution:distribution_shifts", args=[self.shift.distribution_id]
        )


class ShiftRemoveView(_ShiftCommandView):
    def perform(self):
        services.remove_shift(self.shift, removed_by=self.request.user)

    def get_success_message(self, result):
        return _("The shift “%(role)s” has been removed.") % {"role": self.shift.role}


class ShiftAssignView(_ShiftCommandView):
    def perform(self):
        form = ShiftAssignForm(
            self.request.POST, collective=self.shift.distribution.cycle.collective
        )
        if not form.is_valid():
            raise ValidationError(
                [e for errors in form.errors.values() for e in errors]
            )
        user = form.cleaned_data["user"]
        services.assign_to_shift(
            shift=self.shift, user=user, assigned_by=self.request.user
        )
        return user

    def get_success_message(self, user):
        return _("%(name)s is now on “%(role)s”.") % {
            "name": user,
            "role": self.shift.role,
        }


class ShiftUnassignView(_ShiftCommandView):
    def access(self):
        self.assignment = get_object_or_404(
            ShiftAssignment.objects.select_related("shift", "user").filter(
                shift__in=organised_shifts(self.request.user)
            ),
            pk=self.kwargs["pk"],
        )
        self.shift = self.assignment.shift

    def perform(self):
        services.unassign_from_shift(
            assignment=self.assignment, unassigned_by=self.request.user
        )

    def get_success_message(self, result):
        return _("%(name)s is no longer on “%(role)s”.") % {
            "name": self.assignment.user,
            "role": self.shift.role,
        }


urlpatterns = [
    path("permanences/", shift_list, name="shift_list"),
    path(
        "permanences/<int:pk>/inscription/",
        ShiftSignUpView.as_view(),
        name="shift_sign_up",
    ),
    path(
        "permanences/<int:pk>/desistement/",
        ShiftWithdrawView.as_view(),
        name="shift_withdraw",
    ),
    path(
        "organisation/<slug:slug>/permanences/",
        shift_coverage,
        name="shift_coverage",
    ),
    path(
        "organisation/<slug:slug>/permanences/standard/",
        ShiftAddStandardView.as_view(),
        name="shift_add_standard",
    ),
    path(
        "organisation/distributions/<int:pk>/permanences/",
        DistributionShiftsView.as_view(),
        name="distribution_shifts",
    ),
    path(
        "organisation/permanences/<int:pk>/modifier/",
        ShiftEditView.as_view(),
        name="shift_edit",
    ),
    path(
        "organisation/permanences/<int:pk>/supprimer/",
        ShiftRemoveView.as_view(),
        name="shift_remove",
    ),
    path(
        "organisation/permanences/<int:pk>/affecter/",
        ShiftAssignView.as_view(),
        name="shift_assign",
    ),
    path(
        "organisation/permanences/affectations/<int:pk>/retirer/",
        ShiftUnassignView.as_view(),
        name="shift_unassign",
    ),
]
