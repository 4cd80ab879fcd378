"""The areas each person sees in the navigation, computed once per request."""

from django.urls import reverse

from amap.members.models import Membership
from amap.producers.models import Producer


def user_areas(user) -> dict:
    areas: dict[str, bool | str] = {
        "member": False,
        "organiser": False,
        "producer": False,
        "staff": False,
    }
    if not user.is_authenticated:
        return areas
    roles = set(
        Membership.objects.active().filter(user=user).values_list("role", flat=True)
    )
    areas["member"] = bool(roles)
    areas["organiser"] = Membership.Role.ORGANISER in roles or user.is_superuser
    areas["staff"] = user.is_staff
    if Producer.objects.active().filter(managers=user).exists():
        areas["producer"] = True
        areas["producer_url"] = reverse("producers:home")
    return areas


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    if not hasattr(request, "_amap_areas"):
        request._amap_areas = user_areas(user)
    return {"areas": request._amap_areas}
