"""Volunteer shifts: members sign up, organisers plan and watch coverage."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from amap.forms import add_service_errors
from amap.members.permissions import organised_collectives

from ..forms.shifts import CoverageWeeksForm, ShiftAssignForm, ShiftForm
from ..models import Distribution, ShiftAssignment
from ..permissions import member_shifts, organised_distributions, organised_shifts
from ..selectors import shifts as selectors
from ..services import shifts as services

DEFAULT_WEEKS = 8


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You cannot do this.")


def _next_or(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


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


@login_required
@require_POST
def shift_sign_up(request, pk):
    shift = get_object_or_404(member_shifts(request.user), pk=pk)
    try:
        services.sign_up_for_shift(shift=shift, user=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("Thank you! You are signed up for “%(role)s”.") % {"role": shift.role},
        )
    return redirect(_next_or(request, reverse("distribution:shift_list")))


@login_required
@require_POST
def shift_withdraw(request, pk):
    shift = get_object_or_404(member_shifts(request.user), pk=pk)
    try:
        services.withdraw_from_shift(shift=shift, user=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("You are no longer signed up for “%(role)s”.") % {"role": shift.role},
        )
    return redirect(_next_or(request, reverse("distribution:shift_list")))


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
    collective = get_object_or_404(organised_collectives(request.user), slug=slug)
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


@login_required
@require_POST
def shift_add_standard(request, slug):
    collective = get_object_or_404(organised_collectives(request.user), slug=slug)
    weeks = _weeks(CoverageWeeksForm(request.POST))
    today = timezone.localdate()
    distributions = (
        Distribution.objects.for_collective(collective)
        .active()
        .between(today, today + datetime.timedelta(weeks=weeks))
        .filter(shifts__isnull=True)
    )
    count = services.add_standard_shifts(
        distributions=distributions, added_by=request.user
    )
    if count:
        messages.success(
            request,
            ngettext(
                "The standard shifts have been added to %(count)d distribution.",
                "The standard shifts have been added to %(count)d distributions.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("Every distribution already has shifts."))
    return redirect(_coverage_url(collective, weeks))


# Organisers: the shifts of one distribution -------------------------------------


def _organised_distribution(request, pk) -> Distribution:
    return get_object_or_404(
        organised_distributions(request.user).select_related(
            "cycle__collective", "pickup_point"
        ),
        pk=pk,
    )


@login_required
def distribution_shifts(request, pk):
    distribution = _organised_distribution(request, pk)
    collective = distribution.cycle.collective
    form = ShiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            shift = services.add_shift(
                distribution=distribution, added_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The shift “%(role)s” has been added.") % {"role": shift.role},
            )
            return redirect("distribution:distribution_shifts", pk=distribution.pk)
    members = list(ShiftAssignForm(collective=collective).fields["user"].queryset)
    return render(
        request,
        "distribution/shift_distribution.html",
        {
            "distribution": distribution,
            "collective": collective,
            "shifts": selectors.distribution_shift_rows(distribution),
            "form": form,
            "members": members,
        },
        status=400 if request.method == "POST" else 200,
    )


def _back_to_distribution(shift_or_distribution_pk: int):
    return redirect("distribution:distribution_shifts", pk=shift_or_distribution_pk)


@login_required
def shift_edit(request, pk):
    shift = get_object_or_404(
        organised_shifts(request.user).select_related(
            "distribution__cycle__collective", "distribution__pickup_point"
        ),
        pk=pk,
    )
    form = ShiftForm(
        request.POST or None,
        initial={
            "role": shift.role,
            "starts_at": shift.starts_at,
            "ends_at": shift.ends_at,
            "people_needed": shift.people_needed,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            shift = services.update_shift(
                shift, updated_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The shift “%(role)s” has been changed.") % {"role": shift.role},
            )
            return _back_to_distribution(shift.distribution_id)
    return render(
        request,
        "distribution/shift_form.html",
        {
            "shift": shift,
            "distribution": shift.distribution,
            "collective": shift.distribution.cycle.collective,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def shift_remove(request, pk):
    shift = get_object_or_404(organised_shifts(request.user), pk=pk)
    try:
        services.remove_shift(shift, removed_by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, _("The shift “%(role)s” has been removed.") % {"role": shift.role}
        )
    return _back_to_distribution(shift.distribution_id)


@login_required
@require_POST
def shift_assign(request, pk):
    shift = get_object_or_404(
        organised_shifts(request.user).select_related("distribution__cycle"), pk=pk
    )
    form = ShiftAssignForm(request.POST, collective=shift.distribution.cycle.collective)
    if not form.is_valid():
        messages.error(
            request, " ".join(e for errors in form.errors.values() for e in errors)
        )
        return _back_to_distribution(shift.distribution_id)
    user = form.cleaned_data["user"]
    try:
        services.assign_to_shift(shift=shift, user=user, assigned_by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("%(name)s is now on “%(role)s”.") % {"name": user, "role": shift.role},
        )
    return _back_to_distribution(shift.distribution_id)


@login_required
@require_POST
def shift_unassign(request, pk):
    assignment = get_object_or_404(
        ShiftAssignment.objects.select_related("shift", "user").filter(
            shift__in=organised_shifts(request.user)
        ),
        pk=pk,
    )
    try:
        services.unassign_from_shift(assignment=assignment, unassigned_by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("%(name)s is no longer on “%(role)s”.")
            % {"name": assignment.user, "role": assignment.shift.role},
        )
    return _back_to_distribution(assignment.shift.distribution_id)


urlpatterns = [
    path("permanences/", shift_list, name="shift_list"),
    path("permanences/<int:pk>/inscription/", shift_sign_up, name="shift_sign_up"),
    path("permanences/<int:pk>/desistement/", shift_withdraw, name="shift_withdraw"),
    path(
        "organisation/<slug:slug>/permanences/",
        shift_coverage,
        name="shift_coverage",
    ),
    path(
        "organisation/<slug:slug>/permanences/standard/",
        shift_add_standard,
        name="shift_add_standard",
    ),
    path(
        "organisation/distributions/<int:pk>/permanences/",
        distribution_shifts,
        name="distribution_shifts",
    ),
    path(
        "organisation/permanences/<int:pk>/modifier/",
        shift_edit,
        name="shift_edit",
    ),
    path(
        "organisation/permanences/<int:pk>/supprimer/",
        shift_remove,
        name="shift_remove",
    ),
    path(
        "organisation/permanences/<int:pk>/affecter/",
        shift_assign,
        name="shift_assign",
    ),
    path(
        "organisation/permanences/affectations/<int:pk>/retirer/",
        shift_unassign,
        name="shift_unassign",
    ),
]
