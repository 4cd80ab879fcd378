"""Views of the orders app, one module per topic; each module declares its own
`urlpatterns`, gathered in `amap/orders/urls.py`."""
