/* Pick an incident's coordinates on a small map under the latitude and longitude fields (the fields still work
   by hand, and without JavaScript). Uses the bundled Natural Earth outlines: nothing is loaded from elsewhere. */
(function () {
  "use strict";
  var script = document.currentScript;
  function start() {
    var lat = document.getElementById("id_latitude");
    var lon = document.getElementById("id_longitude");
    if (!lat || !lon || !window.L) { return; }
    var box = document.createElement("div");
    box.className = "map-picker";
    box.id = "coordinate-picker";
    box.setAttribute("role", "application");
    box.setAttribute("aria-label", document.documentElement.lang === "ru" ? "Выберите место на карте" : "Pick the place on the map");
    (lon.closest("div") || lon.parentNode).insertAdjacentElement("afterend", box);
    var has = lat.value !== "" && lon.value !== "";
    var map = L.map(box, { worldCopyJump: true }).setView(has ? [+lat.value, +lon.value] : [55.75, 37.62], has ? 12 : 4);
    fetch(script.dataset.basemap, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
      L.geoJSON(geo, { interactive: false, style: function () { return { className: "country" }; } }).addTo(map).bringToBack();
    });
    var marker = has ? L.circleMarker([+lat.value, +lon.value], { radius: 7 }).addTo(map) : null;
    map.on("click", function (e) {
      var p = e.latlng.wrap();
      lat.value = p.lat.toFixed(6);
      lon.value = p.lng.toFixed(6);
      if (marker) { marker.setLatLng(p); } else { marker = L.circleMarker(p, { radius: 7 }).addTo(map); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
