"""Views of the distribution app, one module per topic; each module declares
its own `urlpatterns`, gathered in `amap/distribution/urls.py`."""
