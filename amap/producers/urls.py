from .views import catalogue, charter, maps, moderation, profile, stock

app_name = "producers"

urlpatterns = [
    *profile.urlpatterns,
    *catalogue.urlpatterns,
    *stock.urlpatterns,
    *maps.urlpatterns,
    *charter.urlpatterns,
    *moderation.urlpatterns,
]
