from .views import calendar, feeds, pickup_points, shifts

app_name = "distribution"

urlpatterns = [
    *pickup_points.urlpatterns,
    *calendar.urlpatterns,
    *shifts.urlpatterns,
    *feeds.urlpatterns,
]
