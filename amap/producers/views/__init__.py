"""Views of the producers app, one module per topic; each module declares its
own `urlpatterns`, gathered in `amap/producers/urls.py`."""
