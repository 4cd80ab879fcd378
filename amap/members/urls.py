from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("mon-espace/", views.DashboardView.as_view(), name="dashboard"),
    path("collectifs/", views.CollectiveListView.as_view(), name="collective_list"),
    path(
        "collectifs/<slug:slug>/",
        views.CollectiveDetailView.as_view(),
        name="collective_detail",
    ),
    path(
        "collectifs/<slug:slug>/rejoindre/",
        views.join_collective,
        name="collective_join",
    ),
    path("organisation/", views.OrganiserHomeView.as_view(), name="organiser_home"),
    path(
        "organisation/<slug:slug>/membres/",
        views.MembershipListView.as_view(),
        name="membership_list",
    ),
    path(
        "organisation/<slug:slug>/membres/<int:pk>/<str:action>/",
        views.MembershipActionView.as_view(),
        name="membership_action",
    ),
    path(
        "organisation/<slug:slug>/invitations/<int:pk>/annuler/",
        views.InvitationCancelView.as_view(),
        name="invitation_cancel",
    ),
    path(
        "organisation/<slug:slug>/charte/",
        views.charter_pending,
        name="charter_pending",
    ),
    path("mon-espace/charte/", views.charter_accept, name="charter_accept"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
