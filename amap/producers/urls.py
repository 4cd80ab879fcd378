from .views import catalogue, charter, maps, moderation, partnerships, profile, stock

app_name = "producers"

urlpatterns = [
    *profile.urlpatterns,
    *partnerships.urlpatterns,
    *catalogue.urlpatterns,
    *stock.urlpatterns,
    *maps.urlpatterns,
    *charter.urlpatterns,
    *moderation.urlpatterns,
]
