from .views import catalogue, maps, profile, stock

app_name = "producers"

urlpatterns = [
    *profile.urlpatterns,
    *catalogue.urlpatterns,
    *stock.urlpatterns,
    *maps.urlpatterns,
]
