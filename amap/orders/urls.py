from .views import (
    absences,
    booking,
    contracts,
    dashboard,
    export,
    payments,
    producer_bookings,
    sheet_downloads,
    volumes,
    week,
)

app_name = "orders"

urlpatterns = [
    *booking.urlpatterns,
    *contracts.urlpatterns,
    *absences.urlpatterns,
    *payments.urlpatterns,
    *dashboard.urlpatterns,
    *export.urlpatterns,
    *producer_bookings.urlpatterns,
    *sheet_downloads.urlpatterns,
    *week.urlpatterns,
    *volumes.urlpatterns,
]
