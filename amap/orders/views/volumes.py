"""Volumes on a map: the page and its two GeoJSON endpoints, for organisers."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from amap.distribution.models import OrderCycle
from amap.views import access_organised_collective

from ..forms.volumes import VolumesForm
from ..volumes import (
    MEASURES,
    food_miles,
    food_miles_feature_collection,
    pickup_point_volumes,
    pickup_points_feature_collection,
)


def _form(request, slug) -> VolumesForm:
    """The form of the collective `slug` organised by the user (404 otherwise),
    with its cycles, newest first; one query for the collective, one for the
    cycles."""
    collective = access_organised_collective(request.user, slug)
    cycles = list(
        OrderCycle.objects.filter(collective=collective).order_by("-opens_at", "-pk")
    )
    now = timezone.now()
    default = next((cycle for cycle in cycles if cycle.opens_at <= now), None)
    return VolumesForm(
        request.GET or None,
        collective=collective,
        cycles=cycles,
        default_cycle=default,
    )


def _labels() -> dict:
    """The words the map's script shows, translated here."""
    return {
        "measures": {key: str(label) for key, label in MEASURES.items()},
        "farm": _("Farm"),
        "orders": _("Orders"),
        "euros": _("Euros"),
        "kilos": _("Kilos"),
        "total": _("Total"),
        "food_miles": _("Food miles: %(km)s km"),
        "route": _(
            "%(producer)s → %(point)s: %(km)s km × %(deliveries)s delivery days"
            " = %(total)s km"
        ),
        "error": _("The map could not be loaded; the figures are in the tables below."),
    }


@login_required
def volumes_map(request, slug):
    form = _form(request, slug)
    selection = form.selection()
    context = {
        "collective": form.collective,
        "form": form,
        "selection": selection,
        "measure": form.chosen_measure(),
        "labels": _labels(),
    }
    if selection is not None:
        points = pickup_point_volumes(selection)
        miles = food_miles(selection)
        context.update(
            points=points,
            miles=miles,
            missing_points=[p for p in points if not p.has_position],
            missing_producers=[p for p in miles.producers if not p.has_position],
            query=urlencode(selection.query_params()),
        )
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "orders/volumes_map.html", context, status=status)


def _geojson(request, slug, build):
    form = _form(request, slug)
    if form.is_bound and not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    selection = form.selection()
    data = build(selection) if selection is not None else {}
    return JsonResponse(
        {"type": "FeatureCollection", "features": [], **data},
        content_type="application/geo+json",
    )


@login_required
def volumes_pickup_points_geojson(request, slug):
    """The pickup points' volumes and breakdown per farm (one aggregate query)."""
    return _geojson(
        request,
        slug,
        lambda selection: pickup_points_feature_collection(
            pickup_point_volumes(selection)
        ),
    )


@login_required
def volumes_producers_geojson(request, slug):
    """The farms, their routes and food miles (one aggregate query)."""
    return _geojson(
        request,
        slug,
        lambda selection: food_miles_feature_collection(food_miles(selection)),
    )


urlpatterns = [
    path("organisation/<slug:slug>/volumes/", volumes_map, name="volumes_map"),
    path(
        "organisation/<slug:slug>/volumes/lieux.geojson",
        volumes_pickup_points_geojson,
        name="volumes_pickup_points_geojson",
    ),
    path(
        "organisation/<slug:slug>/volumes/producteurs.geojson",
        volumes_producers_geojson,
        name="volumes_producers_geojson",
    ),
]
