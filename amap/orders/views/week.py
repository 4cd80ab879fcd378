"""The week's dashboard of a collective, for its organisers."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from amap.views import access_organised_collective

from ..forms.week import WeekForm
from ..week import week_dashboard


@login_required
def week(request, slug):
    collective = access_organised_collective(request.user, slug)
    form = WeekForm(request.GET or None)
    start = form.cleaned_data["du"] if form.is_valid() else None
    return render(
        request,
        "orders/week.html",
        {
            "collective": collective,
            "form": form,
            "week": week_dashboard(collective, start=start),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


urlpatterns = [
    path("organisation/<slug:slug>/semaine/", week, name="week"),
]
