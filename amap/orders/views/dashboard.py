"""The member's home: what they collect next, where and when; cycles open to
book; their contracts, shifts, what they owe, and their past orders."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from ..selectors.dashboard import member_dashboard


@login_required
def dashboard(request):
    return render(request, "orders/dashboard.html", member_dashboard(request.user))


urlpatterns = [
    path("commandes/tableau-de-bord/", dashboard, name="dashboard"),
]
