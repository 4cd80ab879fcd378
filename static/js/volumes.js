/* The volumes map of the organiser area, on top of Leaflet and maps.js.
 *
 * The element [data-volumes-map] names two GeoJSON endpoints:
 *   data-points-url     pickup points with `orders`, `euros`, `kilos` and a
 *                       breakdown per farm (`producers`);
 *   data-producers-url  farms (Point) and their routes (LineString, `km`).
 * Pickup points are circles whose area follows the chosen measure (radius
 * proportional to the square root of the value, the largest at MAX_RADIUS);
 * the <select> named by data-measure-select switches the measure in place.
 * Each circle's SVG path carries data-pickup-point, data-measure and
 * data-value; the element's data-measure and data-ready tell the state, so
 * tests and other scripts can read it. Popups and tooltips get DOM nodes
 * whose text is set with textContent, never strings: Leaflet reads a string
 * as HTML, and the names come from organisers and farmers.
 */
(function () {
  "use strict";

  var MAX_RADIUS = 36;
  var MIN_RADIUS = 5;
  var POINT_COLOUR = "#2f7d32";
  var ROUTE_COLOUR = "#8a5a00";

  function readLabels() {
    var node = document.getElementById("volumes-labels");
    try {
      return node ? JSON.parse(node.textContent) : {};
    } catch (error) {
      return {};
    }
  }

  function fill(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (match, key) {
      return values[key] === undefined ? match : values[key];
    });
  }

  function formatter(lang) {
    var money = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR" });
    var kilos = new Intl.NumberFormat(lang, { maximumFractionDigits: 3 });
    var km = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
    var count = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
    return {
      orders: function (value) { return count.format(value); },
      euros: function (value) { return money.format(value); },
      kilos: function (value) { return kilos.format(value) + " kg"; },
      km: function (value) { return km.format(value); },
    };
  }

  function numeric(value) {
    var number = parseFloat(value);
    return isFinite(number) ? number : 0;
  }

  function radius(value, max) {
    if (!max || value <= 0) { return MIN_RADIUS; }
    return Math.max(MIN_RADIUS, MAX_RADIUS * Math.sqrt(value / max));
  }

  function text(tag, content, className) {
    var node = document.createElement(tag);
    node.textContent = content;
    if (className) { node.className = className; }
    return node;
  }

  var MEASURES = ["orders", "euros", "kilos"];

  /* The popup of a pickup point: its total and one row per farm. */
  function pointPopup(properties, measure, labels, format) {
    var box = document.createElement("div");
    box.className = "map-popup volumes-popup";
    box.dataset.pickupPoint = properties.id;
    box.appendChild(text("strong", properties.name || ""));
    if (properties.address) { box.appendChild(text("p", properties.address, "muted")); }
    var table = document.createElement("table");
    var head = document.createElement("tr");
    head.appendChild(text("th", labels.farm || ""));
    MEASURES.forEach(function (key) {
      head.appendChild(text("th", labels[key] || key, key === measure ? "is-measure" : ""));
    });
    table.appendChild(head);
    function row(cells, name, className) {
      var tr = document.createElement("tr");
      if (className) { tr.className = className; }
      tr.appendChild(text("th", name));
      MEASURES.forEach(function (key) {
        var cell = text("td", format[key](numeric(cells[key])), key === measure ? "is-measure" : "");
        cell.dataset.measure = key;
        tr.appendChild(cell);
      });
      return tr;
    }
    (properties.producers || []).forEach(function (share) {
      table.appendChild(row(share, share.name));
    });
    table.appendChild(row(properties, labels.total || "", "volumes-total"));
    box.appendChild(table);
    return box;
  }

  function farmPopup(properties, labels, format) {
    var box = document.createElement("div");
    box.className = "map-popup";
    box.appendChild(text("strong", properties.name || ""));
    if (properties.town) { box.appendChild(text("p", properties.town, "muted")); }
    box.appendChild(text("p", fill(labels.food_miles, { km: format.km(numeric(properties.km)) })));
    return box;
  }

  /* A route's tooltip: the farm, the pickup point and the distances, as text.
   * Leaflet puts a string given to bindTooltip/bindPopup in as HTML, so the
   * names, typed by organisers and farmers, go in a node's textContent. */
  function routeTooltip(properties, labels, format) {
    return text("span", fill(labels.route, {
      producer: properties.producer,
      point: properties.pickup_point,
      km: format.km(numeric(properties.km)),
      deliveries: properties.deliveries,
      total: format.km(numeric(properties.total_km)),
    }), "volumes-route-tooltip");
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      });
  }

  function initVolumesMap(element) {
    var labels = readLabels();
    var format = formatter(document.documentElement.lang || undefined);
    var map = window.AmapMaps.createMap(element);
    // Routes end at the circles' centres: below them, so a click opens the
    // pickup point's popup.
    map.createPane("volumeRoutes").style.zIndex = 390;
    var circles = [];
    var bounds = L.latLngBounds([]);
    var select = element.dataset.measureSelect && document.getElementById(element.dataset.measureSelect);

    function measure() { return element.dataset.measure || "orders"; }

    function resize() {
      var key = measure();
      var max = 0;
      circles.forEach(function (circle) {
        max = Math.max(max, numeric(circle.feature.properties[key]));
      });
      circles.forEach(function (circle) {
        var value = numeric(circle.feature.properties[key]);
        circle.setRadius(radius(value, max));
        var path = circle.getElement();
        if (path) {
          path.setAttribute("data-measure", key);
          path.setAttribute("data-value", String(value));
          path.setAttribute("data-radius", circle.getRadius().toFixed(2));
        }
        if (circle.isPopupOpen()) {
          circle.setPopupContent(pointPopup(circle.feature.properties, key, labels, format));
        }
      });
    }

    function addPoints(data) {
      (data.features || []).forEach(function (feature) {
        var coordinates = feature.geometry.coordinates;
        var latlng = L.latLng(coordinates[1], coordinates[0]);
        var circle = L.circleMarker(latlng, {
          radius: MIN_RADIUS,
          color: POINT_COLOUR,
          weight: 2,
          fillColor: POINT_COLOUR,
          fillOpacity: 0.35,
          className: "volume-circle",
        }).addTo(map);
        circle.feature = feature;
        circle.bindPopup(function () {
          return pointPopup(feature.properties, measure(), labels, format);
        });
        var path = circle.getElement();
        if (path) { path.setAttribute("data-pickup-point", String(feature.properties.id)); }
        circles.push(circle);
        bounds.extend(latlng);
      });
    }

    function addProducers(data) {
      (data.features || []).forEach(function (feature) {
        var properties = feature.properties || {};
        var coordinates = feature.geometry.coordinates;
        if (properties.kind === "route") {
          var line = L.polyline(coordinates.map(function (pair) {
            return L.latLng(pair[1], pair[0]);
          }), { color: ROUTE_COLOUR, weight: 2, opacity: 0.7, dashArray: "6 4", className: "volume-route", pane: "volumeRoutes" }).addTo(map);
          line.bindTooltip(routeTooltip(properties, labels, format), { sticky: true });
          var path = line.getElement();
          if (path) {
            path.setAttribute("data-route", properties.producer_id + "-" + properties.pickup_point_id);
            path.setAttribute("data-km", properties.km);
          }
          return;
        }
        var latlng = L.latLng(coordinates[1], coordinates[0]);
        var marker = L.marker(latlng, { title: properties.name, alt: properties.name }).addTo(map);
        marker.bindPopup(farmPopup(properties, labels, format));
        var icon = marker.getElement();
        if (icon) { icon.setAttribute("data-producer", String(properties.id)); }
        bounds.extend(latlng);
      });
      if (data.total_km !== undefined) { element.dataset.totalKm = data.total_km; }
    }

    if (select) {
      select.addEventListener("change", function () {
        if (MEASURES.indexOf(select.value) === -1) { return; }
        element.dataset.measure = select.value;
        resize();
        if (window.history && window.history.replaceState) {
          var url = new URL(window.location.href);
          url.searchParams.set("measure", select.value);
          window.history.replaceState(null, "", url.toString());
        }
      });
    }

    return Promise.all([
      getJson(element.dataset.pointsUrl).then(addPoints),
      getJson(element.dataset.producersUrl).then(addProducers),
    ]).then(function () {
      resize();
      if (bounds.isValid()) { map.fitBounds(bounds, { maxZoom: 14, padding: [32, 32] }); }
      element.dataset.circleCount = String(circles.length);
      element.dataset.ready = "true";
    }).catch(function () {
      var status = element.dataset.status && document.getElementById(element.dataset.status);
      if (status) { status.textContent = labels.error || ""; }
      element.dataset.ready = "error";
    });
  }

  function initAll() {
    if (typeof L === "undefined" || !window.AmapMaps) { return; }
    document.querySelectorAll("[data-volumes-map]").forEach(function (element) {
      if (!element.amapMap) { initVolumesMap(element); }
    });
  }

  window.AmapVolumes = { initVolumesMap: initVolumesMap, radius: radius };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
})();
