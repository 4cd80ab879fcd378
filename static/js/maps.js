/* Map helpers on top of Leaflet (the global `L`), without a build step.
 *
 * Elements are set up from their data attributes:
 *   data-map="place-form"         a form map: clicking or dragging the marker
 *                                 fills the hidden latitude/longitude inputs
 *                                 and the `position_set_by_hand` flag (pickup
 *                                 points, farms);
 *   data-map="point"              one fixed marker (data-lat, data-lng, data-name);
 *   data-map="geojson"            markers with popups from data-geojson-url
 *                                 and/or data-geojson-source (the id of a
 *                                 `json_script` element holding a FeatureCollection).
 * The element's data-lat/data-lng always hold the position shown, so tests and
 * other scripts can read it. `window.AmapMaps` exposes the helpers.
 *
 * The words Leaflet shows or tells screen readers (zoom buttons, popup close
 * button, attribution prefix, the form marker) come translated from the
 * `#map-labels` JSON block of templates/includes/map_scripts.html; without it
 * Leaflet's own English words stay. Markers are named after their place
 * (`alt` and `title`), so a screen reader tells them apart.
 *
 * Names and addresses come from organisers and farmers: popups get DOM nodes
 * whose text is set with textContent, never strings, which Leaflet would put
 * in as HTML (tests/test_static_js.py checks it; tests/e2e/test_map_names.py
 * opens every map with HTML in the names).
 */
(function () {
  "use strict";

  var FALLBACK = { center: [46.6, 2.4], zoom: 6 };
  var POINT_ZOOM = 16;

  function config(element) {
    try {
      return JSON.parse(element.dataset.leafletConfig || "{}");
    } catch (error) {
      return {};
    }
  }

  var labelCache = null;

  /* The translated words from #map-labels, read once; {} when missing. */
  function labels() {
    if (labelCache) { return labelCache; }
    var node = document.getElementById("map-labels");
    try {
      labelCache = node ? JSON.parse(node.textContent) : {};
    } catch (error) {
      labelCache = {};
    }
    return labelCache;
  }

  /* Leaflet's options with the translated words that are present. */
  function withLabels(options, names) {
    var words = labels();
    Object.keys(names).forEach(function (option) {
      if (words[names[option]]) { options[option] = words[names[option]]; }
    });
    return options;
  }

  /* Leaflet's attribution control takes HTML strings only: the one place a
   * string of HTML is made, by the browser serialising a node built with
   * textContent, so a translated word cannot add markup. */
  function serialise(node) {
    return node.outerHTML;
  }

  /* The attribution prefix: a link to Leaflet with a translated title. */
  function attributionPrefix() {
    var link = document.createElement("a");
    link.href = "https://leafletjs.com";
    link.textContent = "Leaflet";
    if (labels().leaflet_title) { link.title = labels().leaflet_title; }
    return serialise(link);
  }

  /* Popups' close button: "Close popup" is written by Leaflet in English. */
  function labelCloseButton(event) {
    var label = labels().close_popup;
    var container = event.popup && event.popup.getElement();
    var button = container && container.querySelector(".leaflet-popup-close-button");
    if (label && button) {
      button.setAttribute("aria-label", label);
      button.title = label;
    }
  }

  /* A marker named after its place, for screen readers and as a tooltip. */
  function namedMarker(latlng, name, options) {
    var settings = options || {};
    if (name) {
      settings.alt = name;
      settings.title = name;
    }
    return L.marker(latlng, settings);
  }

  function parseNumber(value) {
    if (value === undefined || value === null || value === "") { return null; }
    var number = parseFloat(String(value).replace(",", "."));
    return isFinite(number) ? number : null;
  }

  function storedPosition(element) {
    var lat = parseNumber(element.dataset.lat);
    var lng = parseNumber(element.dataset.lng);
    return lat === null || lng === null ? null : L.latLng(lat, lng);
  }

  /* A map with the configured tiles; tiles that fail to load leave the map usable. */
  function createMap(element) {
    var settings = config(element);
    var center = settings.DEFAULT_CENTER || FALLBACK.center;
    var map = L.map(element, {
      minZoom: settings.MIN_ZOOM || 3,
      maxZoom: settings.MAX_ZOOM || 18,
      zoomControl: false,
    }).setView(center, settings.DEFAULT_ZOOM || FALLBACK.zoom);
    L.control.zoom(withLabels({}, { zoomInTitle: "zoom_in", zoomOutTitle: "zoom_out" })).addTo(map);
    map.attributionControl.setPrefix(attributionPrefix());
    map.on("popupopen", labelCloseButton);
    var tiles = settings.TILES || [];
    if (!tiles.length) {
      tiles = [["OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        { attribution: "&copy; OpenStreetMap contributors" }]];
    }
    var tile = tiles[0];
    var tileOptions = Object.assign({}, tile[2] || {});
    if (tile[0] === "OpenStreetMap" && labels().osm_contributors) {
      /* OpenStreetMap's required credit, in the page's language. */
      var credit = document.createElement("span");
      credit.textContent = "\u00a9 ";
      var link = document.createElement("a");
      link.href = "https://www.openstreetmap.org/copyright";
      link.textContent = labels().osm_contributors;
      credit.appendChild(link);
      tileOptions.attribution = serialise(credit);
    }
    L.tileLayer(tile[1], tileOptions).addTo(map);
    element.amapMap = map;
    return map;
  }

  function text(tag, content, className) {
    var node = document.createElement(tag);
    node.textContent = content;
    if (className) { node.className = className; }
    return node;
  }

  /* Popup content built from text nodes, so names and notes are never read as HTML. */
  function popupContent(properties) {
    var box = document.createElement("div");
    box.className = "map-popup";
    box.appendChild(text("strong", properties.name || ""));
    if (properties.address) { box.appendChild(text("p", properties.address)); }
    if (properties.opening_notes) {
      box.appendChild(text("p", properties.opening_notes, "muted"));
    }
    if (properties.url) {
      var link = text("a", properties.link_label || properties.name || properties.url);
      link.href = properties.url;
      box.appendChild(link);
    }
    return box;
  }

  function setStatus(element, message) {
    var status = element.dataset.status && document.getElementById(element.dataset.status);
    if (status) { status.textContent = message; }
  }

  function initPlaceForm(element) {
    var latInput = document.getElementById(element.dataset.latInput);
    var lngInput = document.getElementById(element.dataset.lngInput);
    var flagInput = document.getElementById(element.dataset.flagInput);
    var map = createMap(element);
    var marker = null;

    function place(latlng, byHand) {
      var lat = latlng.lat.toFixed(6);
      var lng = latlng.lng.toFixed(6);
      if (!marker) {
        marker = namedMarker(latlng, labels().position, { draggable: true, autoPan: true }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng(), true); });
        element.amapMarker = marker;
      } else {
        marker.setLatLng(latlng);
      }
      element.dataset.lat = lat;
      element.dataset.lng = lng;
      if (byHand) {
        if (latInput) { latInput.value = lat; }
        if (lngInput) { lngInput.value = lng; }
        if (flagInput) { flagInput.value = "1"; }
        element.dataset.positionSetByHand = "true";
        setStatus(element, (element.dataset.labelSetByHand || "") + " " + lat + ", " + lng);
      }
    }

    var start = storedPosition(element);
    if (start) {
      place(start, false);
      map.setView(start, POINT_ZOOM);
    }
    map.on("click", function (event) { place(event.latlng, true); });
    return { map: map, place: place };
  }

  function initPointMap(element) {
    var map = createMap(element);
    var position = storedPosition(element);
    if (!position) { return { map: map }; }
    var marker = namedMarker(position, element.dataset.name).addTo(map);
    marker.bindPopup(popupContent({
      name: element.dataset.name, address: element.dataset.address,
    }));
    map.setView(position, POINT_ZOOM);
    element.amapMarker = marker;
    return { map: map, marker: marker };
  }

  /* Markers from one or more FeatureCollections (data-geojson-url, space separated). */
  function initGeojsonMap(element) {
    var map = createMap(element);
    var layer = L.geoJSON(null, {
      pointToLayer: function (feature, latlng) {
        return namedMarker(latlng, (feature.properties || {}).name);
      },
      onEachFeature: function (feature, featureLayer) {
        featureLayer.bindPopup(popupContent(feature.properties || {}));
      },
    }).addTo(map);
    var urls = (element.dataset.geojsonUrl || "").split(/\s+/).filter(Boolean);
    var inline = element.dataset.geojsonSource &&
      document.getElementById(element.dataset.geojsonSource);
    if (inline) { layer.addData(JSON.parse(inline.textContent)); }
    var loads = urls.map(function (url) {
      return fetch(url, { headers: { Accept: "application/geo+json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (data) { layer.addData(data); });
    });
    return Promise.all(loads).then(function () {
      var count = layer.getLayers().length;
      element.dataset.featureCount = String(count);
      if (count) { map.fitBounds(layer.getBounds(), { maxZoom: POINT_ZOOM, padding: [24, 24] }); }
      return { map: map, layer: layer };
    }).catch(function () {
      setStatus(element, element.dataset.labelError || "");
      element.dataset.featureCount = "error";
      return { map: map, layer: layer };
    });
  }

  var INITIALISERS = {
    "place-form": initPlaceForm,
    point: initPointMap,
    geojson: initGeojsonMap,
  };

  function initAll(root) {
    if (typeof L === "undefined") { return; }
    (root || document).querySelectorAll("[data-map]").forEach(function (element) {
      var init = INITIALISERS[element.dataset.map];
      if (init && !element.amapMap) { init(element); }
    });
  }

  window.AmapMaps = {
    createMap: createMap,
    labels: labels,
    namedMarker: namedMarker,
    popupContent: popupContent,
    initAll: initAll,
    initPlaceForm: initPlaceForm,
    initPointMap: initPointMap,
    initGeojsonMap: initGeojsonMap,
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initAll(); });
  } else {
    initAll();
  }
})();
