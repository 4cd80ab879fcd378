from .views import absences, booking, contracts, dashboard, payments, producer_bookings

app_name = "orders"

urlpatterns = [
    *booking.urlpatterns,
    *contracts.urlpatterns,
    *absences.urlpatterns,
    *payments.urlpatterns,
    *dashboard.urlpatterns,
    *producer_bookings.urlpatterns,
]

from .views import sheet_downloads  # noqa: E402

urlpatterns += sheet_downloads.urlpatterns

from .views import volumes, week  # noqa: E402

urlpatterns += week.urlpatterns + volumes.urlpatterns
