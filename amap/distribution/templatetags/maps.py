"""What every page with a map needs (see `includes/map_scripts.html`)."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def map_labels() -> dict:
    """The words Leaflet shows or tells screen readers (zoom buttons, popup
    close button, attribution, form marker), in the page's language; the page
    writes them with `json_script` for static/js/maps.js."""
    return {
        "zoom_in": _("Zoom in"),
        "zoom_out": _("Zoom out"),
        "close_popup": _("Close popup"),
        "leaflet_title": _("A JavaScript library for interactive maps"),
        "position": _("Position on the map"),
        "osm_contributors": _("OpenStreetMap contributors"),
    }
