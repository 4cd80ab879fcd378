from .views import campaigns, pledges, wishes

app_name = "groupbuy"

urlpatterns = [
    *campaigns.urlpatterns,
    *pledges.urlpatterns,
    *wishes.urlpatterns,
]
