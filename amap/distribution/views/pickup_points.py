"""Pickup points: organisers' list and form, the public map and its GeoJSON,
and a member's usual pickup point."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from amap.members.models import Collective
from amap.members.permissions import member_collectives
from amap.views import ServiceFormView, access_organised_collective, error_text

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


def _position_message(point: PickupPoint) -> str:
    if point.geocode_status == PickupPoint.GeocodeStatus.PENDING:
        return _(
            "The pickup point has been saved. Its position is being looked up "
            "from the address."
        )
    return _("The pickup point has been saved.")


@login_required
def pickup_point_list(request, slug):
    collective = access_organised_collective(request.user, slug)
    points = list(
        PickupPoint.objects.for_collective(collective).order_by("-active", "name")
    )
    return render(
        request,
        "distribution/pickup_point_list.html",
        {"collective": collective, "pickup_points": points},
    )


class PickupPointCreateView(ServiceFormView):
    template_name = "distribution/pickup_point_form.html"
    form_class = PickupPointForm
    initial = {"active": True}
    pickup_point = None

    def access(self):
        self.collective = access_organised_collective(
            self.request.user, self.kwargs["slug"]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            collective=self.collective, pickup_point=self.pickup_point, **kwargs
        )

    def perform(self, form):
        return services.create_pickup_point(
            collective=self.collective,
            created_by=self.request.user,
            position_set_by_hand=form.cleaned_data["position_set_by_hand"],
            **form.service_fields(),
        )

    def get_success_message(self):
        return _position_message(self.result)

    def get_success_url(self):
        return reverse("distribution:pickup_point_list", args=[self.collective.slug])


class PickupPointEditView(PickupPointCreateView):
    def access(self):
        self.pickup_point = get_object_or_404(
            organised_pickup_points(self.request.user).select_related("collective"),
            pk=self.kwargs["pk"],
        )
        self.collective = self.pickup_point.collective

    def get_initial(self):
        return {
            field: getattr(self.pickup_point, field)
            for field in (*services.EDITABLE_FIELDS, *services.POSITION_FIELDS)
        }

    def perform(self, form):
        return services.update_pickup_point(
            self.pickup_point,
            updated_by=self.request.user,
            position_set_by_hand=form.cleaned_data["position_set_by_hand"],
            regeocode=form.cleaned_data["regeocode"],
            **form.service_fields(),
        )


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
            messages.error(request, error_text(error))
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
        PickupPointCreateView.as_view(),
        name="pickup_point_create",
    ),
    path(
        "organisation/lieux/<int:pk>/",
        PickupPointEditView.as_view(),
        name="pickup_point_edit",
    ),
    path(
        "collectifs/<slug:slug>/lieux.geojson",
        collective_pickup_points_geojson,
        name="collective_pickup_points_geojson",
    ),
    path("collectifs/<slug:slug>/carte/", collective_map, name="collective_map"),
    path("mon-lieu/", my_pickup_point, name="my_pickup_point"),
]
