"""Pickup points: organisers' list and form, the public map and its GeoJSON,
and a member's usual pickup point."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from amap.forms import add_service_errors
from amap.members.models import Collective
from amap.members.permissions import member_collectives, organised_collectives

from ..forms.pickup_points import PickupPointForm, UsualPickupPointForm
from ..geojson import pickup_points_feature_collection
from ..models import PickupPoint
from ..permissions import organised_pickup_points
from ..selectors import pickup_points as selectors
from ..services import pickup_points as services

GEOJSON_FIELDS = (
    "id",
    "name",
    "street",
    "postcode",
    "town",
    "latitude",
    "longitude",
    "opening_notes",
)


def _organised_collective(request, slug) -> Collective:
    """The collective if the user organises it; 404 otherwise, as for a missing one."""
    return get_object_or_404(organised_collectives(request.user), slug=slug)


def _position_message(point: PickupPoint) -> str:
    if point.geocode_status == PickupPoint.GeocodeStatus.PENDING:
        return _(
            "The pickup point has been saved. Its position is being looked up "
            "from the address."
        )
    return _("The pickup point has been saved.")


@login_required
def pickup_point_list(request, slug):
    collective = _organised_collective(request, slug)
    points = list(
        PickupPoint.objects.for_collective(collective).order_by("-active", "name")
    )
    return render(
        request,
        "distribution/pickup_point_list.html",
        {"collective": collective, "pickup_points": points},
    )


def _render_form(request, form, *, collective, pickup_point=None):
    return render(
        request,
        "distribution/pickup_point_form.html",
        {"form": form, "collective": collective, "pickup_point": pickup_point},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def pickup_point_create(request, slug):
    collective = _organised_collective(request, slug)
    form = PickupPointForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            point = services.create_pickup_point(
                collective=collective,
                created_by=request.user,
                position_set_by_hand=form.cleaned_data["position_set_by_hand"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _position_message(point))
            return redirect("distribution:pickup_point_list", slug=collective.slug)
    return _render_form(request, form, collective=collective)


@login_required
@require_http_methods(["GET", "POST"])
def pickup_point_edit(request, pk):
    point = get_object_or_404(
        organised_pickup_points(request.user).select_related("collective"), pk=pk
    )
    initial = {
        field: getattr(point, field)
        for field in (*services.EDITABLE_FIELDS, *services.POSITION_FIELDS)
    }
    form = PickupPointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            point = services.update_pickup_point(
                point,
                updated_by=request.user,
                position_set_by_hand=form.cleaned_data["position_set_by_hand"],
                regeocode=form.cleaned_data["regeocode"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _position_message(point))
            return redirect(
                "distribution:pickup_point_list", slug=point.collective.slug
            )
    return _render_form(request, form, collective=point.collective, pickup_point=point)


def collective_pickup_points_geojson(request, slug):
    """The active, located pickup points of an active collective, in one query."""
    rows = list(
        PickupPoint.objects.active()
        .located()
        .filter(collective__slug=slug, collective__active=True)
        .order_by("name")
        .values(*GEOJSON_FIELDS)
    )
    if not rows:
        # Nothing to show: tell an unknown collective (404) from an empty map.
        get_object_or_404(Collective.objects.active(), slug=slug)
    return JsonResponse(
        pickup_points_feature_collection(rows), content_type="application/geo+json"
    )


def collective_map(request, slug):
    collective = get_object_or_404(Collective.objects.active(), slug=slug)
    points = list(
        PickupPoint.objects.active().for_collective(collective).order_by("name")
    )
    return render(
        request,
        "distribution/collective_map.html",
        {"collective": collective, "pickup_points": points},
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_pickup_point(request):
    if request.method == "POST":
        form = UsualPickupPointForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose one of the pickup points in the list."))
            return redirect("distribution:my_pickup_point")
        point = get_object_or_404(
            PickupPoint.objects.select_related("collective").filter(
                collective__in=member_collectives(request.user)
            ),
            pk=form.cleaned_data["pickup_point"],
        )
        try:
            services.choose_usual_pickup_point(user=request.user, pickup_point=point)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(point)s is now your usual pickup point in %(collective)s.")
                % {"point": point.name, "collective": point.collective.name},
            )
        return redirect("distribution:my_pickup_point")
    return render(
        request,
        "distribution/my_pickup_point.html",
        {"overview": selectors.member_pickup_overview(request.user)},
    )


urlpatterns = [
    path(
        "organisation/<slug:slug>/lieux/",
        pickup_point_list,
        name="pickup_point_list",
    ),
    path(
        "organisation/<slug:slug>/lieux/nouveau/",
        pickup_point_create,
        name="pickup_point_create",
    ),
    path("organisation/lieux/<int:pk>/", pickup_point_edit, name="pickup_point_edit"),
    path(
        "collectifs/<slug:slug>/lieux.geojson",
        collective_pickup_points_geojson,
        name="collective_pickup_points_geojson",
    ),
    path("collectifs/<slug:slug>/carte/", collective_map, name="collective_map"),
    path("mon-lieu/", my_pickup_point, name="my_pickup_point"),
]
