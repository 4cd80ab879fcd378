from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path

from amap.distribution.geojson import producers_feature_collection
from amap.members.models import Collective

from ..models import Partnership, Producer


def collective_producers_geojson(request, slug):
    """The farms supplying an active collective, for its public map (one
    query): only those on the public site, whose page was approved."""
    collective = get_object_or_404(Collective.objects.active(), slug=slug)
    rows = (
        Producer.objects.public()
        .filter(
            partnerships__collective=collective,
            partnerships__active=True,
            partnerships__status=Partnership.Status.ACCEPTED,
        )
        .values(
            "id",
            "name",
            "activity",
            "street",
            "postcode",
            "town",
            "latitude",
            "longitude",
        )
        .order_by("name")
    )
    return JsonResponse(
        producers_feature_collection(rows), content_type="application/geo+json"
    )


urlpatterns = [
    path(
        "collectifs/<slug:slug>/producteurs.geojson",
        collective_producers_geojson,
        name="collective_producers_geojson",
    ),
]
